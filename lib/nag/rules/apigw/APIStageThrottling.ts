import { APIGW_ACCOUNT_BURST_LIMIT, APIGW_ACCOUNT_RATE_LIMIT_RPS } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber, showValue } from '../../template/intrinsics';
import { T, keyLockedStage, problem, stageLabel, stageView } from '../helpers';

/** Each REST stage sets a default throttle (rate and burst) for every method. */
export const APIStageThrottling = defineRule({
  name: 'APIStageThrottling',
  level: RuleLevel.ERROR,
  levelReason: 'Without a stage default, one client can take the whole account-level Regional throttle, which every API in the account and Region shares.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.STAGE, T.DEPLOYMENT],
  info: 'The REST API stage has no default throttling (MethodSettings for HttpMethod "*" and ResourcePath "/*" with both ThrottlingRateLimit and ThrottlingBurstLimit).',
  explanation: 'Stage throttling is the first limit API Gateway enforces for an API. Without it, requests are only limited by the account-level quota shared by every API in the Region, so a flood against this API also throttles the others.',
  fix: 'Set the stage default throttle: CDK `deployOptions: { throttlingRateLimit, throttlingBurstLimit }`, or a MethodSettings entry with HttpMethod "*", ResourcePath "/*", ThrottlingRateLimit and ThrottlingBurstLimit.',
  check(model, id) {
    const stage = stageView(model, id);
    if (!stage) return notApplicable('deployment that does not create a stage');
    const locked = keyLockedStage(model, stage);
    if (locked) return notApplicable(locked);
    const all = stage.methodSettings.find((s) => s.HttpMethod === '*' && s.ResourcePath === '/*');
    const rate = all?.ThrottlingRateLimit ?? stage.descriptionThrottle?.rate;
    const burst = all?.ThrottlingBurstLimit ?? stage.descriptionThrottle?.burst;
    const label = stageLabel(stage);
    const findings: string[] = [];
    const fix = 'set deployOptions.throttlingRateLimit and throttlingBurstLimit (MethodSettings HttpMethod "*", ResourcePath "/*")';
    const r = readNumber(rate, model.parameterDefault);
    const b = readNumber(burst, model.parameterDefault);
    if (r.kind === 'absent') findings.push(problem(`${label} default ThrottlingRateLimit`, 'absent', 'a requests-per-second limit', fix));
    if (b.kind === 'absent') findings.push(problem(`${label} default ThrottlingBurstLimit`, 'absent', 'a burst limit', fix));
    if (r.kind === 'literal' && (r.value <= 0 || r.value > APIGW_ACCOUNT_RATE_LIMIT_RPS)) {
      findings.push(problem(`${label} default ThrottlingRateLimit`, String(r.value), `above 0 and at most the account limit ${APIGW_ACCOUNT_RATE_LIMIT_RPS} rps`, 'derive the rate from the backend capacity'));
    }
    if (b.kind === 'literal' && (b.value <= 0 || b.value > APIGW_ACCOUNT_BURST_LIMIT)) {
      findings.push(problem(`${label} default ThrottlingBurstLimit`, String(b.value), `above 0 and at most the account burst ${APIGW_ACCOUNT_BURST_LIMIT}`, 'derive the burst from the backend queue headroom'));
    }
    return nonCompliant(findings, [`${label} default throttle: rate ${showValue(rate)}, burst ${showValue(burst)}`]);
  },
});
