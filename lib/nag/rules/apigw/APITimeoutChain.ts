import { Mitigation, RuleLevel, compliant, compliantByDefault, defineRule, nonCompliant, notApplicable } from '../../rule';
import { T, methodLabel, problem } from '../helpers';
import { backendIntegration, integrationTimeout, nextHop, showTimeout } from './timeouts';

/** The integration timeout is shorter than the next hop's: load balancer idle timeout, SageMaker 60 s. */
export const APITimeoutChain = defineRule({
  name: 'APITimeoutChain',
  level: RuleLevel.ERROR,
  levelReason: 'An inverted timeout chain is a configuration bug, not a trade-off: the load balancer drops connections API Gateway is still waiting on, and clients get opaque 5XX errors while the backend keeps working.',
  mitigation: Mitigation.TIMEOUTS,
  resourceTypes: [T.METHOD],
  info: 'The integration timeout is not shorter than the timeout of the hop behind it (load balancer idle timeout, or SageMaker\'s 60 s).',
  explanation: 'Each hop must give up before the hop behind it, so the outermost one answers with a clean 504 and frees its resources. When the load balancer idle timeout is shorter than the integration timeout, the load balancer cuts slow requests first and API Gateway reports a 5XX that hides the cause.',
  fix: 'Lower Integration.TimeoutInMillis below the next hop\'s timeout, or raise the load balancer\'s idle_timeout.timeout_seconds (ALB) / tcp.idle_timeout.seconds (NLB listener) above it.',
  check(model, id) {
    const integration = backendIntegration(model, id);
    if (!integration) return notApplicable('method without a backend integration');
    const hop = nextHop(model, integration);
    if (!hop) return notApplicable('backend is neither SageMaker nor a load balancer in this template');
    const timeout = integrationTimeout(model, integration);
    if (timeout.kind !== 'literal') return notApplicable(`integration timeout ${showTimeout(timeout)} is only known at deploy time`);
    const label = `${methodLabel(model, id)} Integration.TimeoutInMillis`;
    if (timeout.value < hop.timeoutMs) return (timeout.defaulted ? compliantByDefault : compliant)(`${label} = ${showTimeout(timeout)} < ${hop.description}`);
    return nonCompliant([problem(label, showTimeout(timeout), `less than ${hop.timeoutMs} ms, the timeout of the next hop: ${hop.description}`,
      'lower the integration timeout or raise the next hop\'s timeout')]);
  },
});
