import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { containsText, readBoolean, showValue } from '../../template/intrinsics';
import { T, isRecord, methodLabel, problem } from '../helpers';
import { backendIntegration } from './timeouts';

/** Methods that carry a body. */
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

/**
 * Each method that reaches a backend validates what it passes on: POST/PUT/PATCH bodies against a
 * request model, GET/DELETE (and ANY) parameters against declared RequestParameters.
 */
export const APIRequestValidation = defineRule({
  name: 'APIRequestValidation',
  level: RuleLevel.WARNING,
  levelReason: 'Validation rejects malformed requests before they reach the model, but it cuts load rather than bounding it, and some APIs legitimately take free-form or binary bodies that a JSON model cannot describe.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.METHOD],
  info: 'A POST/PUT/PATCH method has no request validator with ValidateRequestBody or no request model; or a GET/DELETE/ANY method that reaches a backend declares no RequestParameters or has no validator with ValidateRequestParameters.',
  explanation: 'API Gateway validates a body against the method\'s JSON-schema model, and checks that declared required parameters are present, before calling the integration, answering 400 itself. A GET method is no safer than a POST: a query-string list passed into the model request fans out unbounded. Proxy integrations pass every query string on, so their backend must also bound the parameters it reads. Source: API Gateway Developer Guide, "Request validation".',
  fix: 'Attach an AWS::ApiGateway::RequestValidator (CDK `requestValidatorOptions`) with ValidateRequestBody and a RequestModels entry for body methods, ValidateRequestParameters and the method\'s RequestParameters (CDK `requestParameters: { "method.request.querystring.ids": true }`) for the others.',
  check(model, id) {
    const p = model.props(id);
    const verb = typeof p.HttpMethod === 'string' ? p.HttpMethod.toUpperCase() : '';
    const label = methodLabel(model, id);
    const validator = model.target(p.RequestValidatorId, T.REQUEST_VALIDATOR);
    const flag = (name: 'ValidateRequestBody' | 'ValidateRequestParameters') => {
      const v = readBoolean(model.props(validator ?? '')[name]);
      return v.kind === 'literal' && v.value;
    };
    const findings: string[] = [];
    if (BODY_METHODS.includes(verb)) {
      if (p.RequestValidatorId === undefined) {
        findings.push(problem(`${label} RequestValidatorId`, 'absent', 'a request validator with ValidateRequestBody true', 'add a request validator that validates the body'));
      } else if (validator !== undefined && !flag('ValidateRequestBody')) {
        findings.push(problem(`request validator ${validator} (used by ${label}) ValidateRequestBody`, showValue(model.props(validator).ValidateRequestBody), 'true', 'set validateRequestBody: true'));
      }
      const models = isRecord(p.RequestModels) ? Object.keys(p.RequestModels) : [];
      if (models.length === 0) findings.push(problem(`${label} RequestModels`, 'absent', 'a model per content type, e.g. "application/json"', 'add a JSON-schema request model'));
      return nonCompliant(findings, [`${label}: validator ${showValue(p.RequestValidatorId)}, models ${models.join(', ')}`]);
    }
    if (!['GET', 'DELETE', 'ANY'].includes(verb)) return notApplicable(`${verb || 'unknown'} method`);
    const integration = backendIntegration(model, id);
    if (!integration) return notApplicable('method without a backend integration');
    const reads = requestReadBy(integration);
    if (reads === undefined && !declaresParameters(p)) {
      return notApplicable(`${label} takes no parameters and its ${String(integration.Type)} integration passes nothing from the request to the backend (no method.request mapping, no $input in its templates): there is nothing to validate`);
    }
    const params = declaredParameters(p);
    if (params.length === 0) {
      findings.push(problem(`${label} RequestParameters`, 'absent', 'the query-string, path and header parameters the backend reads, declared (required where they must be present)', 'declare the parameters the method accepts'));
    }
    if (p.RequestValidatorId === undefined) {
      findings.push(problem(`${label} RequestValidatorId`, 'absent', 'a request validator with ValidateRequestParameters true', 'add a request validator that validates the parameters'));
    } else if (validator !== undefined && !flag('ValidateRequestParameters')) {
      findings.push(problem(`request validator ${validator} (used by ${label}) ValidateRequestParameters`, showValue(model.props(validator).ValidateRequestParameters), 'true', 'set validateRequestParameters: true'));
    }
    return nonCompliant(findings, [`${label}: parameters ${params.join(', ')}, validator ${showValue(p.RequestValidatorId)}`]);
  },
});

function declaredParameters(p: Record<string, unknown>): string[] {
  return isRecord(p.RequestParameters) ? Object.keys(p.RequestParameters).filter((k) => k.startsWith('method.request.')) : [];
}

function declaresParameters(p: Record<string, unknown>): boolean {
  return declaredParameters(p).length > 0;
}

/**
 * How a non-proxy integration reads the client's request, or undefined when it reads nothing. A
 * proxy integration (AWS_PROXY, HTTP_PROXY) passes the whole request on. A non-proxy one (AWS,
 * HTTP) sees only what its RequestParameters map from `method.request.*` and what its mapping
 * templates read through `$input` (body, params, path); one that maps neither, such as a GET that
 * calls SQS ReceiveMessage with a fixed template, sends the same request whatever the client sent.
 * Source: API Gateway Developer Guide, "Parameter mapping" and "Mapping template reference"
 * ($input variables).
 */
function requestReadBy(integration: Record<string, unknown>): string | undefined {
  const type = typeof integration.Type === 'string' ? integration.Type.toUpperCase() : '';
  if (type !== 'AWS' && type !== 'HTTP') return `${type || 'unknown'} integration passes the request on`;
  if (containsText(integration.RequestParameters, 'method.request.')) return 'RequestParameters map request values';
  if (containsText(integration.RequestTemplates, '$input') || containsText(integration.RequestTemplates, '$util.parseJson')) return 'a mapping template reads $input';
  // Without a template, a non-proxy integration passes the body through unless PassthroughBehavior
  // is NEVER (then a request with a body is refused with 415).
  const noTemplates = !isRecord(integration.RequestTemplates) || Object.keys(integration.RequestTemplates).length === 0;
  if (noTemplates && integration.PassthroughBehavior !== 'NEVER') return 'no mapping template: the body passes through';
  return undefined;
}
