import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readBoolean, showValue } from '../../template/intrinsics';
import { T, isRecord, methodLabel, problem } from '../helpers';

/** Each POST method has a request validator that validates the body, and a request model. */
export const APIRequestValidation = defineRule({
  name: 'APIRequestValidation',
  level: RuleLevel.WARNING,
  levelReason: 'Validation rejects malformed bodies before they reach the model, but it cuts load rather than bounding it, and some POST APIs legitimately take free-form or binary bodies that a JSON model cannot describe.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.METHOD],
  info: 'The POST method has no request validator with ValidateRequestBody, or no request model to validate against.',
  explanation: 'API Gateway validates a body against the method\'s JSON-schema model before calling the integration and answers 400 itself, so malformed or oversized-shape payloads never cost model time.',
  fix: 'Attach an AWS::ApiGateway::RequestValidator with ValidateRequestBody true (CDK `requestValidatorOptions: { validateRequestBody: true }`) and a RequestModels entry (CDK `requestModels: { "application/json": model }`).',
  check(model, id) {
    const p = model.props(id);
    if (typeof p.HttpMethod !== 'string' || p.HttpMethod.toUpperCase() !== 'POST') return notApplicable('not a POST method');
    const label = methodLabel(model, id);
    const findings: string[] = [];
    const validator = model.target(p.RequestValidatorId, T.REQUEST_VALIDATOR);
    if (p.RequestValidatorId === undefined) {
      findings.push(problem(`${label} RequestValidatorId`, 'absent', 'a request validator with ValidateRequestBody true', 'add a request validator that validates the body'));
    } else if (validator !== undefined) {
      const body = readBoolean(model.props(validator).ValidateRequestBody);
      if (body.kind !== 'literal' || !body.value) {
        findings.push(problem(`request validator ${validator} (used by ${label}) ValidateRequestBody`, showValue(model.props(validator).ValidateRequestBody), 'true', 'set validateRequestBody: true'));
      }
    }
    const models = isRecord(p.RequestModels) ? Object.keys(p.RequestModels) : [];
    if (models.length === 0) {
      findings.push(problem(`${label} RequestModels`, 'absent', 'a model per content type, e.g. "application/json"', 'add a JSON-schema request model'));
    }
    return nonCompliant(findings, [`${label}: validator ${showValue(p.RequestValidatorId)}, models ${models.join(', ')}`]);
  },
});
