// What Limits.derive takes and returns: the options, the overrides and every section of the limits.
import { aws_apigateway as apigw } from 'aws-cdk-lib';
import type { BackendCapabilities } from './backend-capabilities';

/** A usage-plan tier given as a share of the stage's rate. */
export interface UsagePlanTierSpec {
  /** Tier name, e.g. `basic`. Becomes part of the usage plan name. */
  readonly name: string;
  /**
   * Share of the stage rate limit one API key of this tier may use (0 < share <= 1). Every tier is
   * scaled down by the same factor when the top tier would pass the per-key ceiling (half the
   * minimum fleet's admitted capacity in requests of the largest size).
   */
  readonly shareOfStageRate: number;
  /**
   * Share of a day the key may run at its full rate, which sets the daily quota.
   * @default 0.5
   */
  readonly dailyDutyCycle?: number;
}

/** A usage-plan tier with its numbers. */
export interface UsagePlanTierLimits {
  readonly name: string;
  /** Requests per second per API key. */
  readonly rateLimit: number;
  /** Burst per API key. */
  readonly burstLimit: number;
  /** Requests per day per API key. */
  readonly quotaPerDay: number;
}

/** Explicit values that replace derived ones. Each one is still checked against the invariants. */
export interface LimitOverrides {
  /** @default - derived: model-server timeout + 1 s, at most 29 s */
  readonly integrationTimeoutMs?: number;
  /** @default - derived: ceil(max(5 s, p99 x timeoutFactor)) in whole seconds */
  readonly modelServerTimeoutSeconds?: number;
  /** @default - derived: maxInstances x throughput x headroom */
  readonly stageRateLimit?: number;
  /** @default - derived: 2 x maxInstances x sustainableConcurrency */
  readonly stageBurstLimit?: number;
  /** @default - derived: throughput x 60 x targetUtilization */
  readonly targetInvocationsPerInstancePerMinute?: number;
  /** @default - derived: min(backend limit, maxRequestBytes x 1.25) */
  readonly maxPayloadBytes?: number;
  /** @default - derived: floor(modelServerTimeout / p99), at least 1 */
  readonly maxEnqueuedBatches?: number;
  /** @default - derived: max(10, ceil(1.2 x top tier rate x window)) */
  readonly wafRateLimitPerIp?: number;
}

/** Options of `deriveLimits`. */
export interface DeriveLimitsOptions {
  /**
   * Instances always running.
   * @default 1
   */
  readonly minInstances?: number;
  /**
   * Instances at most: the cost ceiling under attack.
   * @default 2
   */
  readonly maxInstances?: number;
  /**
   * Share of the fleet's measured capacity (at max scale) the API admits.
   * @default 0.8
   */
  readonly headroom?: number;
  /**
   * Model-server timeout as a multiple of the profile's p99.
   * @default 3
   */
  readonly timeoutFactor?: number;
  /**
   * Scaling target as a share of the measured per-instance throughput.
   * @default 0.7
   */
  readonly targetUtilization?: number;
  /**
   * Largest batch the model server forms.
   * @default 8
   */
  readonly maxBatchSize?: number;
  /**
   * Usage-plan tiers.
   * @default basic 10 %, standard 25 %, premium 50 % of the stage rate
   */
  readonly usagePlanTiers?: UsagePlanTierSpec[];
  /**
   * WAF rate-based rule evaluation window (s): 60, 120, 300 or 600.
   * @default 300
   */
  readonly wafWindowSeconds?: number;
  /** @default apigw.EndpointType.REGIONAL */
  readonly endpointType?: apigw.EndpointType;
  /**
   * Allow integration timeouts above 29 s (Regional/private APIs with a raised quota only).
   * @default false
   */
  readonly allowExtendedIntegrationTimeout?: boolean;
  /**
   * Region, when known, to cap throttles at the account limit of that Region.
   * @default - the limits of the larger Regions
   */
  readonly region?: string;
  /**
   * What the backend accepts and how it scales: payload cap, hard invocation timeout, load
   * balancer idle timeout, throughput and concurrency per scaling unit, scale to zero.
   * @default - no backend limits; one scaling unit serves the profile's throughput
   */
  readonly backend?: BackendCapabilities;
  /** Values that replace derived ones. @default - all derived */
  readonly overrides?: LimitOverrides;
}

/** Every number the constructs set, with the formula that produced it. */
export interface InferenceLimits {
  /** The timeout chain. */
  readonly timeouts: TimeoutLimits;
  /** Stage throttling. */
  readonly throttle: ThrottleLimits;
  /** Usage-plan tiers, one per tier spec. */
  readonly usagePlanTiers: UsagePlanTierLimits[];
  /** WAF per-IP rate rule. */
  readonly waf: WafLimits;
  /** Instance range and autoscaling. */
  readonly scaling: ScalingLimits;
  /** Request size. */
  readonly payload: PayloadLimits;
  /** Model-server batching. */
  readonly modelServer: ModelServerLimits;
  /** Alarm thresholds. */
  readonly alarms: AlarmThresholds;
  /** For each derived number (dotted path), the formula and inputs that produced it. */
  readonly formulas: { [path: string]: string };
}

/** The timeout chain from the API to the model server. */
export interface TimeoutLimits {
  /** API Gateway integration timeout (ms). */
  readonly integrationTimeoutMs: number;
  /** Model-server timeout (s). */
  readonly modelServerTimeoutSeconds: number;
  /** nginx read timeout in front of the model server (s). */
  readonly nginxReadTimeoutSeconds: number;
}

/** Stage throttling. */
export interface ThrottleLimits {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst (token bucket size). */
  readonly burstLimit: number;
}

/** The WAF per-IP rate-based rule. */
export interface WafLimits {
  /** Evaluation window (s). */
  readonly windowSeconds: number;
  /** Requests per IP per window. */
  readonly rateLimitPerIp: number;
}

/** Scaling range and autoscaling, in the backend's scaling units (instances, tasks, concurrent invocations). */
export interface ScalingLimits {
  /** Units always running. */
  readonly minInstances: number;
  /** Units at most: the cost ceiling. */
  readonly maxInstances: number;
  /** Target-tracking target (invocations per unit per minute). */
  readonly targetInvocationsPerInstancePerMinute: number;
  /** Scale-out cooldown (s). */
  readonly scaleOutCooldownSeconds: number;
  /** Scale-in cooldown (s). */
  readonly scaleInCooldownSeconds: number;
}

/** Request size. */
export interface PayloadLimits {
  /** Largest accepted request body (bytes). */
  readonly maxBodyBytes: number;
}

/** Model-server batching. */
export interface ModelServerLimits {
  /** Largest batch the model server forms. */
  readonly maxBatchSize: number;
  /** Batches waiting at most (the bounded batch queue). */
  readonly maxEnqueuedBatches: number;
  /** Longest wait to fill a batch (microseconds). */
  readonly batchTimeoutMicros: number;
}

/** Alarm thresholds derived from the profile and limits. */
export interface AlarmThresholds {
  /** API 5XX share of requests (0..1). */
  readonly api5xxRate: number;
  /** API 4XX share of requests (0..1). */
  readonly api4xxRate: number;
  /** API p99 latency (ms). */
  readonly apiLatencyP99Ms: number;
  /** API p99 integration latency (ms). */
  readonly integrationLatencyP99Ms: number;
  /** Throttled (429) responses per minute. */
  readonly throttledPerMinute: number;
  /** WAF blocked requests per minute. */
  readonly wafBlockedPerMinute: number;
  /** SageMaker ModelLatency p99 (microseconds, as SageMaker publishes it). */
  readonly modelLatencyP99Micros: number;
  /** Backend 5XX errors per minute. */
  readonly backend5xxPerMinute: number;
  /** CPU utilization, percent of all vCPUs (0..100). */
  readonly cpuUtilizationPercent: number;
  /** Host memory utilization percent. */
  readonly memoryUtilizationPercent: number;
  /** GPU utilization, percent of all GPUs (0..100). */
  readonly gpuUtilizationPercent: number;
  /** GPU memory utilization, percent of all GPU memory (0..100). */
  readonly gpuMemoryUtilizationPercent: number;
}
