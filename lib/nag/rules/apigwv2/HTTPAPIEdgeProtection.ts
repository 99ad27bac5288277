import { Mitigation, RuleLevel, compliant, defineRule, flawed, notApplicable } from '../../rule';
import { referencedIds } from '../../template/intrinsics';
import { T, groupedOnce, isRecord, list, problem, rec } from '../helpers';
import { httpApiLabel, isHttpApi } from './http-apis';

/**
 * AWS WAF cannot be associated with an HTTP API: the per-IP limit has to sit in a CloudFront
 * distribution in front, and the execute-api endpoint must be disabled so it cannot be bypassed.
 */
export const HTTPAPIEdgeProtection = defineRule({
  name: 'HTTPAPIEdgeProtection',
  level: RuleLevel.WARNING,
  levelReason: 'The stage throttle still bounds the total rate; what is missing is a per-client limit, which may live in a distribution defined outside the template.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.HTTP_API],
  info: 'The HTTP API has no per-client limit: AWS WAF cannot be attached to an HTTP API, and no CloudFront distribution with a web ACL fronts it with its execute-api endpoint disabled.',
  explanation: 'AWS WAF protects REST APIs, ALBs and CloudFront, not HTTP APIs. Without a web ACL in front, one client can use the whole stage throttle and lock every other client out. A CloudFront distribution with a CLOUDFRONT-scope web ACL (rate-based rule) gives the per-IP limit; DisableExecuteApiEndpoint makes the distribution the only way in. Source: API Gateway Developer Guide, "Choose between REST APIs and HTTP APIs" (AWS WAF: REST only).',
  fix: 'Put a CloudFront distribution with a WAF web ACL (rate-based rule) in front of the API on a custom domain and set DisableExecuteApiEndpoint: true; or use a REST API, which a REGIONAL web ACL can protect directly.',
  check(model, id) {
    if (!isHttpApi(model, id)) return notApplicable('not an HTTP API');
    const label = httpApiLabel(model, id);
    // Distributions by the ids their origins' domain names reference, indexed once per template.
    const byOrigin = groupedOnce(model, 'distributionsByOrigin', model.ofType(T.DISTRIBUTION), (d) => list(rec(model.props(d).DistributionConfig).Origins).filter(isRecord).flatMap((o) => [...referencedIds(o.DomainName)]));
    const viaDomain = model.memo('distributionsViaCustomDomain', () => [...byOrigin].filter(([r]) => model.typeOf(r) === 'AWS::ApiGatewayV2::DomainName').flatMap(([, ds]) => ds));
    const order = model.memo('distributionOrder', () => new Map(model.ofType(T.DISTRIBUTION).map((d, i) => [d, i])));
    const fronting = [...new Set([...(byOrigin.get(id) ?? []), ...viaDomain])].sort((a, b) => order.get(a)! - order.get(b)!);
    const withAcl = fronting.filter((d) => rec(model.props(d).DistributionConfig).WebACLId !== undefined);
    const absent: string[] = [];
    const wrong: string[] = [];
    if (withAcl.length === 0) {
      absent.push(problem(`${label} per-client limit`, fronting.length > 0 ? `CloudFront distribution ${fronting.join(', ')} has no WebACLId` : 'none (WAF cannot be attached to an HTTP API)',
        'a CloudFront distribution with a WAF web ACL (rate-based rule) in front of the API', 'front the API with CloudFront + WAF, or use a REST API with a REGIONAL web ACL'));
    } else if (model.props(id).DisableExecuteApiEndpoint !== true) {
      wrong.push(problem(`${label} DisableExecuteApiEndpoint`, 'false (the execute-api URL bypasses the distribution)', 'true', 'disable the default endpoint so every request passes the web ACL'));
    }
    if (absent.length === 0 && wrong.length === 0) return compliant(`${label} is fronted by ${withAcl.join(', ')} with a web ACL, execute-api endpoint disabled`);
    return flawed(wrong, absent);
  },
});
