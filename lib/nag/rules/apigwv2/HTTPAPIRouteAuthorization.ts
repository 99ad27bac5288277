import { Mitigation, RuleLevel, compliant, defineRule, nonCompliant, notApplicable } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { OPENAPI_PATH_METADATA_KEY, T, problem } from '../helpers';
import { onWebSocketApi } from './http-apis';

/** HTTP API routes that reach a backend have an authorizer. */
export const HTTPAPIRouteAuthorization = defineRule({
  name: 'HTTPAPIRouteAuthorization',
  level: RuleLevel.WARNING,
  levelReason: 'Some inference APIs are public by design; but on an HTTP API an authorizer is the only way to reject unknown callers before the backend, since there are no API keys, usage plans or WAF.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.HTTP_ROUTE],
  info: 'The HTTP API route has AuthorizationType NONE: anyone can call it, and every call reaches the integration.',
  explanation: 'A JWT authorizer is checked by API Gateway itself, so unauthenticated floods are answered 401 without invoking the backend; a Lambda authorizer with caching does the same at a small cost. HTTP APIs have no API keys or usage plans to tell clients apart otherwise. Source: API Gateway Developer Guide, "Controlling and managing access to an HTTP API".',
  fix: 'Attach a JWT authorizer (or a Lambda authorizer with result caching) to the route (SAM `Auth.DefaultAuthorizer` on the HttpApi; CDK `authorizer` on the route), or acknowledge the finding for a deliberately public API.',
  check(model, id) {
    if (onWebSocketApi(model, id)) return notApplicable('not an HTTP API (WebSocket)');
    const p = model.props(id);
    const key = model.resource(id)?.Metadata?.[OPENAPI_PATH_METADATA_KEY] ?? p.RouteKey;
    const label = `HTTP API route ${showValue(key)} (${id})`;
    const type = p.AuthorizationType ?? 'NONE';
    if (type !== 'NONE') return compliant(`${label} AuthorizationType ${showValue(type)}`);
    return nonCompliant([problem(`${label} AuthorizationType`, 'NONE', 'JWT, CUSTOM (Lambda authorizer) or AWS_IAM', 'attach an authorizer')]);
  },
});
