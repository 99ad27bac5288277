import { APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, APIGW_MAX_INTEGRATION_TIMEOUT_MS, APIGW_MIN_INTEGRATION_TIMEOUT_MS } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, compliant, compliantByDefault, defineRule, nonCompliant, notApplicable } from '../../rule';
import { T, endpointTypes, methodLabel, problem } from '../helpers';
import { EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY, backendIntegration, integrationTimeout, showTimeout } from './timeouts';

/** The integration timeout is at most 29 s, unless the API is Regional or private and explicitly extended. */
export const APIIntegrationTimeout = defineRule({
  name: 'APIIntegrationTimeout',
  level: RuleLevel.ERROR,
  levelReason: 'A timeout above the quota is not applied: the deployment fails or API Gateway still cuts the request at 29 s, so the timeout chain the template describes is not the one that runs.',
  mitigation: Mitigation.TIMEOUTS,
  resourceTypes: [T.METHOD],
  info: 'The integration timeout is above 29 s on an API that cannot use it (edge-optimized, or Regional/private without an explicit, quota-backed extension).',
  explanation: 'API Gateway REST integrations time out at 29 s by default. Since June 2024 the quota can be raised for Regional and private APIs only; edge-optimized APIs stay at 29 s. A longer timeout also holds a connection (and a backend worker) for longer per request, so it must be a deliberate choice.',
  fix: `Keep TimeoutInMillis between ${APIGW_MIN_INTEGRATION_TIMEOUT_MS} and ${APIGW_MAX_INTEGRATION_TIMEOUT_MS}, or make the API REGIONAL or PRIVATE, raise the quota, and record it on the RestApi as Metadata "${EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY}": "<quota request or reason>". Slow models belong behind the async path.`,
  check(model, id) {
    const integration = backendIntegration(model, id);
    if (!integration) return notApplicable('method without a backend integration');
    const timeout = integrationTimeout(model, integration);
    if (timeout.kind !== 'literal') return notApplicable(`integration timeout ${showTimeout(timeout)} is only known at deploy time`);
    const label = `${methodLabel(model, id)} Integration.TimeoutInMillis`;
    const value = timeout.value;
    if (value < APIGW_MIN_INTEGRATION_TIMEOUT_MS) {
      return nonCompliant([problem(label, showTimeout(timeout), `at least ${APIGW_MIN_INTEGRATION_TIMEOUT_MS} ms`, 'raise the timeout')]);
    }
    if (value <= APIGW_MAX_INTEGRATION_TIMEOUT_MS) return (timeout.defaulted ? compliantByDefault : compliant)(`${label} = ${showTimeout(timeout)}`);
    const apiId = model.target(model.props(id).RestApiId, T.REST_API);
    if (apiId === undefined) return notApplicable('the REST API is not in this template');
    const types = endpointTypes(model, apiId) ?? [];
    const extended = model.resource(apiId)?.Metadata?.[EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY];
    const extensible = types.length > 0 && types.every((t) => t === 'REGIONAL' || t === 'PRIVATE');
    if (!extensible) {
      return nonCompliant([problem(label, showTimeout(timeout), `at most ${APIGW_MAX_INTEGRATION_TIMEOUT_MS} ms on an ${types.join('/') || 'unknown'} endpoint (only REGIONAL and PRIVATE APIs can be extended)`,
        `lower the timeout to ${APIGW_MAX_INTEGRATION_TIMEOUT_MS} ms or less, or make the API REGIONAL and record the quota increase`)]);
    }
    if (extended === undefined || extended === false || extended === '') {
      return nonCompliant([problem(label, showTimeout(timeout), `at most ${APIGW_MAX_INTEGRATION_TIMEOUT_MS} ms unless the RestApi ${apiId} carries Metadata "${EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY}"`,
        'request the quota increase and record it in that metadata entry, or lower the timeout')]);
    }
    if (value > APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS) {
      return nonCompliant([problem(label, showTimeout(timeout), `at most ${APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS} ms even when extended`, 'move long inference to the async path')]);
    }
    return compliant(`${label} = ${showTimeout(timeout)}, extended on ${types.join('/')} API ${apiId}: ${String(extended)}`);
  },
});
