import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readBoolean, showValue } from '../../template/intrinsics';
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
    if (!backendIntegration(model, id)) return notApplicable('method without a backend integration');
    const params = isRecord(p.RequestParameters) ? Object.keys(p.RequestParameters).filter((k) => k.startsWith('method.request.')) : [];
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
