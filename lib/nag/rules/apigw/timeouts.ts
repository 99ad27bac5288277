import { ALB_DEFAULT_IDLE_TIMEOUT_S, APIGW_MAX_INTEGRATION_TIMEOUT_MS, NLB_DEFAULT_IDLE_TIMEOUT_S, SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS } from '../../../core/aws-limits';
import { ReadValue, containsText, readNumber, showValue } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, isRecord, list, rec } from '../helpers';

/**
 * Metadata key on an AWS::ApiGateway::RestApi that records an explicit, quota-backed extension
 * of the integration timeout above 29 s. The value is the reason (e.g. the quota request id);
 * `true` is accepted too. Only Regional and private APIs can be extended.
 */
export const EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY = 'InferenceGuard::ExtendedIntegrationTimeout';

/** The integration of a method, when it calls a backend (MOCK integrations do not). */
export function backendIntegration(model: TemplateModel, methodId: string): Record<string, unknown> | undefined {
  const integration = model.props(methodId).Integration;
  if (!isRecord(integration)) return undefined;
  return integration.Type === 'MOCK' ? undefined : integration;
}

/** The integration timeout; API Gateway uses 29,000 ms when TimeoutInMillis is absent. */
export function integrationTimeout(model: TemplateModel, integration: Record<string, unknown>): ReadValue<number> & { defaulted: boolean } {
  const read = readNumber(integration.TimeoutInMillis, model.parameterDefault);
  return read.kind === 'absent'
    ? { kind: 'literal', value: APIGW_MAX_INTEGRATION_TIMEOUT_MS, defaulted: true }
    : { ...read, defaulted: false };
}

/** The hop after API Gateway and how long it waits. */
export interface NextHop {
  /** What the hop is, for messages. */
  readonly description: string;
  /** How long it waits (ms). */
  readonly timeoutMs: number;
}

/**
 * The next hop of an integration: SageMaker runtime (60 s to answer), or the load balancer behind
 * a VPC link (its idle timeout). Undefined when the backend is something else or not in the template.
 */
export function nextHop(model: TemplateModel, integration: Record<string, unknown>): NextHop | undefined {
  if (containsText(integration.Uri, 'runtime.sagemaker')) {
    return { description: 'SageMaker runtime (containers must answer within 60 s)', timeoutMs: SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS };
  }
  if (integration.ConnectionType !== 'VPC_LINK') return undefined;
  const lb = loadBalancerBehind(model, integration);
  return lb === undefined ? undefined : loadBalancerHop(model, lb);
}

function loadBalancerBehind(model: TemplateModel, integration: Record<string, unknown>): string | undefined {
  // VPC link v2 (ALB or NLB): the integration names its target directly.
  const target = model.target(integration.IntegrationTarget);
  if (target !== undefined) {
    if (model.typeOf(target) === T.LOAD_BALANCER) return target;
    if (model.typeOf(target) === T.LISTENER) return model.target(model.props(target).LoadBalancerArn, T.LOAD_BALANCER);
  }
  // VPC link v1 (NLB only): the link lists its target.
  const link = model.target(integration.ConnectionId, T.VPC_LINK);
  if (link === undefined) return undefined;
  return list(model.props(link).TargetArns).map((a) => model.target(a, T.LOAD_BALANCER)).find((x) => x !== undefined);
}

function attribute(entries: unknown, key: string): unknown {
  return list(entries).filter(isRecord).find((e) => e.Key === key)?.Value;
}

function loadBalancerHop(model: TemplateModel, lbId: string): NextHop | undefined {
  const p = model.props(lbId);
  if (p.Type === 'network') {
    // NLB idle timeout is a TCP listener attribute; the shortest listener is the one that cuts first.
    const values = model.referencers(lbId, T.LISTENER)
      .map((l) => readNumber(attribute(rec(model.props(l)).ListenerAttributes, 'tcp.idle_timeout.seconds')))
      .map((r) => (r.kind === 'literal' ? r.value : NLB_DEFAULT_IDLE_TIMEOUT_S));
    const seconds = values.length > 0 ? Math.min(...values) : NLB_DEFAULT_IDLE_TIMEOUT_S;
    return { description: `network load balancer ${lbId} (TCP idle timeout ${seconds} s)`, timeoutMs: seconds * 1000 };
  }
  const raw = attribute(p.LoadBalancerAttributes, 'idle_timeout.timeout_seconds');
  const read = readNumber(raw, model.parameterDefault);
  if (read.kind === 'unresolvable') return undefined;
  const seconds = read.kind === 'literal' ? read.value : ALB_DEFAULT_IDLE_TIMEOUT_S;
  return { description: `application load balancer ${lbId} (idle timeout ${seconds} s${read.kind === 'absent' ? ', the default' : ''})`, timeoutMs: seconds * 1000 };
}

/** `29000 ms (default)` or `60000 ms`. */
export function showTimeout(t: ReadValue<number> & { defaulted: boolean }): string {
  if (t.kind === 'literal') return `${t.value} ms${t.defaulted ? ' (the default when TimeoutInMillis is absent)' : ''}`;
  return t.kind === 'unresolvable' ? showValue(t.expression) : 'absent';
}
