import { HTTP_API_MAX_INTEGRATION_TIMEOUT_MS, HTTP_API_MIN_INTEGRATION_TIMEOUT_MS } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, compliant, compliantByDefault, defineRule, flawed, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem } from '../helpers';
import { onWebSocketApi } from './http-apis';

/** HTTP API integration timeouts are within 50 ms - 30 s. */
export const HTTPAPIIntegrationTimeout = defineRule({
  name: 'HTTPAPIIntegrationTimeout',
  level: RuleLevel.ERROR,
  levelReason: 'The 30 s ceiling cannot be raised: a longer value fails the deployment, so the timeout chain the template describes is not one that can run.',
  mitigation: Mitigation.TIMEOUTS,
  resourceTypes: [T.HTTP_INTEGRATION],
  info: `The HTTP API integration timeout is outside ${HTTP_API_MIN_INTEGRATION_TIMEOUT_MS}-${HTTP_API_MAX_INTEGRATION_TIMEOUT_MS} ms.`,
  explanation: 'HTTP APIs wait at most 30 s for an integration and the quota is not adjustable (unlike Regional REST APIs). Inference that can take longer belongs behind an asynchronous path. Source: API Gateway Developer Guide, "Quotas for configuring and running an HTTP API".',
  fix: `Set TimeoutInMillis between ${HTTP_API_MIN_INTEGRATION_TIMEOUT_MS} and ${HTTP_API_MAX_INTEGRATION_TIMEOUT_MS} (SAM event \`TimeoutInMillis\`, CDK \`timeout\` on the integration), below the backend's own timeout.`,
  check(model, id) {
    if (onWebSocketApi(model, id)) return notApplicable('not an HTTP API (WebSocket)');
    const t = readNumber(model.props(id).TimeoutInMillis, model.parameterDefault);
    const label = `HTTP API integration ${id} TimeoutInMillis`;
    if (t.kind === 'absent') return compliantByDefault(`${label} absent: ${HTTP_API_MAX_INTEGRATION_TIMEOUT_MS} ms (the default and the maximum)`);
    if (t.kind === 'unresolvable') return notApplicable('the integration timeout is only known at deploy time');
    if (t.value < HTTP_API_MIN_INTEGRATION_TIMEOUT_MS || t.value > HTTP_API_MAX_INTEGRATION_TIMEOUT_MS) {
      return flawed([problem(label, `${t.value} ms`, `${HTTP_API_MIN_INTEGRATION_TIMEOUT_MS}-${HTTP_API_MAX_INTEGRATION_TIMEOUT_MS} ms (HTTP APIs cannot be extended)`, 'lower the timeout, or move slow inference to an asynchronous path')]);
    }
    return compliant(`${label} = ${t.value} ms`);
  },
});
