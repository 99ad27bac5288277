import { APIGW_ACCOUNT_BURST_LIMIT, APIGW_ACCOUNT_RATE_LIMIT_RPS } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, flawed, notApplicable } from '../../rule';
import { readNumber, showValue } from '../../template/intrinsics';
import { T, problem, rec } from '../helpers';
import { onWebSocketApi } from './http-apis';

/** Each HTTP API stage sets a default route throttle (rate and burst). */
export const HTTPAPIStageThrottling = defineRule({
  name: 'HTTPAPIStageThrottling',
  level: RuleLevel.ERROR,
  levelReason: 'HTTP APIs have no usage plans and no WAF: the stage throttle is the only request limit API Gateway enforces for them, and without it a flood takes the account-level Regional throttle every API shares.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.HTTP_STAGE],
  info: 'The HTTP API stage has no DefaultRouteSettings with both ThrottlingRateLimit and ThrottlingBurstLimit.',
  explanation: 'HTTP API throttling is set per stage (DefaultRouteSettings) and per route (RouteSettings). Usage plans, API keys and AWS WAF are not available for HTTP APIs, so this is the one place to bound the request rate. Source: API Gateway Developer Guide, "Throttle requests to your HTTP APIs" and "Choose between REST APIs and HTTP APIs".',
  fix: 'Set DefaultRouteSettings { ThrottlingRateLimit, ThrottlingBurstLimit } on the stage (SAM `DefaultRouteSettings` on the HttpApi; CDK `HttpStage` `throttle: { rateLimit, burstLimit }`), derived from the backend capacity.',
  check(model, id) {
    if (onWebSocketApi(model, id)) return notApplicable('not an HTTP API (WebSocket)');
    const p = model.props(id);
    const d = rec(p.DefaultRouteSettings);
    const label = `HTTP API stage ${typeof p.StageName === 'string' ? `"${p.StageName}" ` : ''}(${id})`;
    const r = readNumber(d.ThrottlingRateLimit, model.parameterDefault);
    const b = readNumber(d.ThrottlingBurstLimit, model.parameterDefault);
    const absent: string[] = [];
    const wrong: string[] = [];
    const fix = 'set DefaultRouteSettings.ThrottlingRateLimit and ThrottlingBurstLimit';
    if (r.kind === 'absent') absent.push(problem(`${label} DefaultRouteSettings.ThrottlingRateLimit`, 'absent', 'a requests-per-second limit', fix));
    if (b.kind === 'absent') absent.push(problem(`${label} DefaultRouteSettings.ThrottlingBurstLimit`, 'absent', 'a burst limit', fix));
    if (r.kind === 'literal' && (r.value <= 0 || r.value > APIGW_ACCOUNT_RATE_LIMIT_RPS)) wrong.push(problem(`${label} DefaultRouteSettings.ThrottlingRateLimit`, String(r.value), `above 0 and at most the account limit ${APIGW_ACCOUNT_RATE_LIMIT_RPS} rps`, 'derive the rate from the backend capacity'));
    if (b.kind === 'literal' && (b.value <= 0 || b.value > APIGW_ACCOUNT_BURST_LIMIT)) wrong.push(problem(`${label} DefaultRouteSettings.ThrottlingBurstLimit`, String(b.value), `above 0 and at most the account burst ${APIGW_ACCOUNT_BURST_LIMIT}`, 'derive the burst from the backend headroom'));
    return flawed(wrong, absent, [`${label} default route throttle: rate ${showValue(d.ThrottlingRateLimit)}, burst ${showValue(d.ThrottlingBurstLimit)}`]);
  },
});
