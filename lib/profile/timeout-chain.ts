import { aws_apigateway as apigw } from 'aws-cdk-lib';
import {
  APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, APIGW_MAX_INTEGRATION_TIMEOUT_MS, APIGW_MIN_INTEGRATION_TIMEOUT_MS,
  ValidationProblem,
} from '../core';

/** The links of the synchronous timeout chain, client side first. All in milliseconds. */
export interface TimeoutChainProps {
  /** API Gateway integration timeout. */
  readonly integrationTimeoutMs: number;
  /** Model-server request timeout (e.g. nginx's proxy read timeout in the SageMaker TF Serving container). */
  readonly modelServerTimeoutMs: number;
  /** API endpoint type. */
  readonly endpointType: apigw.EndpointType;
  /** Whether timeouts above 29 s were explicitly enabled (needs a quota increase). */
  readonly allowExtendedIntegrationTimeout: boolean;
  /**
   * Hard timeout of the backend the integration calls (SageMaker real-time: 60 s).
   * @default - no backend limit
   */
  readonly backendTimeoutMs?: number;
  /** Name of the backend, for messages. @default "backend" */
  readonly backendName?: string;
  /**
   * Idle timeout of a load balancer between API Gateway and the model server.
   * @default - no load balancer
   */
  readonly loadBalancerIdleTimeoutMs?: number;
}

function p(prop: string, value: number, allowed: string, fix: string): ValidationProblem {
  return { prop, value: `${value} ms`, allowed, fix };
}

/**
 * Checks the synchronous timeout chain and returns every broken link. Each problem names both
 * ends of the link.
 *
 * - integration timeout within 50 ms..29 s; above 29 s only when explicitly enabled on a Regional
 *   or private API (never edge-optimized);
 * - model-server timeout <= integration timeout, so the server gives up before API Gateway does;
 * - integration timeout < load balancer idle timeout, so API Gateway answers a clean 504 first;
 * - integration timeout <= backend hard timeout.
 */
export function checkTimeoutChain(c: TimeoutChainProps): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  const it = c.integrationTimeoutMs;
  const edge = c.endpointType === apigw.EndpointType.EDGE;
  if (it < APIGW_MIN_INTEGRATION_TIMEOUT_MS) {
    out.push(p('integrationTimeout', it, `at least ${APIGW_MIN_INTEGRATION_TIMEOUT_MS} ms`, 'raise the integration timeout'));
  }
  if (it > APIGW_MAX_INTEGRATION_TIMEOUT_MS) {
    if (edge) {
      out.push(p('integrationTimeout', it, `at most ${APIGW_MAX_INTEGRATION_TIMEOUT_MS} ms on an EDGE-optimized API (the 29 s limit cannot be raised there)`, 'use a REGIONAL or PRIVATE endpoint, lower the timeout, or use the async queue path'));
    } else if (!c.allowExtendedIntegrationTimeout) {
      out.push(p('integrationTimeout', it, `at most ${APIGW_MAX_INTEGRATION_TIMEOUT_MS} ms unless allowExtendedIntegrationTimeout is true`, 'lower the timeout, or request the quota increase and set allowExtendedIntegrationTimeout: true'));
    } else if (it > APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS) {
      out.push(p('integrationTimeout', it, `at most ${APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS} ms even with an extended quota`, 'use the async queue path for longer requests'));
    }
  }
  if (c.modelServerTimeoutMs > it) {
    out.push({
      prop: 'modelServerTimeout -> integrationTimeout',
      value: `model server ${c.modelServerTimeoutMs} ms > integration ${it} ms`,
      allowed: 'model-server timeout <= integration timeout',
      fix: 'lower the model-server timeout or raise the integration timeout, so the server gives up before API Gateway does',
    });
  }
  // No load balancer or no backend limit: an infinite timeout, never the shorter end.
  if ((c.loadBalancerIdleTimeoutMs ?? Infinity) <= it) {
    out.push({
      prop: 'integrationTimeout -> loadBalancer.idleTimeout',
      value: `integration ${it} ms >= load balancer idle ${c.loadBalancerIdleTimeoutMs} ms`,
      allowed: 'load balancer idle timeout > integration timeout',
      fix: 'raise the load balancer idle timeout above the integration timeout, so API Gateway (not the load balancer) times out first with a clean 504',
    });
  }
  if (it > (c.backendTimeoutMs ?? Infinity)) {
    out.push({
      prop: `integrationTimeout -> ${c.backendName ?? 'backend'}`,
      value: `integration ${it} ms > ${c.backendName ?? 'backend'} ${c.backendTimeoutMs} ms`,
      allowed: `integration timeout <= the ${c.backendName ?? 'backend'} hard timeout`,
      fix: 'lower the integration timeout: waiting longer than the backend can answer only holds connections open',
    });
  }
  return out;
}
