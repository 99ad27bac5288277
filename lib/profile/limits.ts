import { aws_apigateway as apigw } from 'aws-cdk-lib';
import { APIGW_ACCOUNT_BURST_LIMIT, APIGW_ACCOUNT_RATE_LIMIT_RPS, APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, APIGW_MAX_INTEGRATION_TIMEOUT_MS, APIGW_SMALL_REGION_BURST_LIMIT, APIGW_SMALL_REGION_RATE_LIMIT_RPS, APIGW_SMALL_REGIONS, ProblemCollector, WAF_RATE_LIMIT_MAX, WAF_RATE_LIMIT_MIN, WAF_RATE_WINDOWS_SECONDS, gpuInstanceSpec } from '../core';
import { ceilInt, floorInt } from '../core/rounding';
import { FormulaBook } from './private/formula-book';
import type { BackendCapabilities } from './backend-capabilities';
import { InferenceProfile } from './inference-profile';
import { checkTimeoutChain } from './timeout-chain';
import { UsagePlanTierSpec, UsagePlanTierLimits, LimitOverrides, DeriveLimitsOptions, InferenceLimits, TimeoutLimits, ThrottleLimits, WafLimits, ScalingLimits, PayloadLimits, ModelServerLimits, AlarmThresholds } from './limit-types';
export * from './limit-types';

/** Defaults, documented in the README. */
export const LIMIT_DEFAULTS = {
  minInstances: 1,
  maxInstances: 2,
  headroom: 0.8,
  timeoutFactor: 3,
  targetUtilization: 0.7,
  maxBatchSize: 8,
  wafWindowSeconds: 300,
  integrationMarginMs: 1_000,
  payloadHeadroom: 1.25,
  burstWaves: 2,
  wafTopTierFactor: 1.2,
  /**
   * Share of the minimum fleet's admitted capacity one API key of the top tier may use: the rest
   * stays for every other client while scaling reacts (see usagePlanTierLimits).
   */
  keyShareOfMinimumFleet: 0.5,
  /**
   * Floor of the model-server timeout (s): below a few seconds a GC pause or a short burst turns
   * healthy requests into timeouts.
   */
  modelServerTimeoutFloorSeconds: 5,
  tiers: [
    { name: 'basic', shareOfStageRate: 0.1 },
    { name: 'standard', shareOfStageRate: 0.25 },
    { name: 'premium', shareOfStageRate: 0.5 },
  ] as UsagePlanTierSpec[],
  dailyDutyCycle: 0.5,
  /** Scale out fast, scale in slowly so an attack pulse does not make the fleet flap. */
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 600,
  batchTimeoutMicros: 1_000,
} as const;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Every option resolved once (`??` against the defaults and the backend's capabilities). */
interface Resolved {
  readonly profile: InferenceProfile;
  readonly o: LimitOverrides;
  readonly backend?: BackendCapabilities;
  readonly backendName: string;
  /** What one scaling unit is, serves and works on at once. */
  readonly unit: string;
  readonly unitRps: number;
  readonly unitConcurrency: number;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly headroom: number;
  readonly timeoutFactor: number;
  readonly targetUtilization: number;
  readonly maxBatchSize: number;
  readonly wafWindowSeconds: number;
  readonly endpointType: apigw.EndpointType;
  readonly allowExtended: boolean;
  readonly region?: string;
  readonly tiers: readonly UsagePlanTierSpec[];
}

/**
 * Derives every limit the constructs set from a measured profile and the backend's
 * capabilities. Pure: the same inputs always give the same limits. Throws one error listing
 * every broken invariant. Each section below returns its own named part.
 */
export function deriveLimits(profile: InferenceProfile, options: DeriveLimitsOptions = {}): InferenceLimits {
  const f = new FormulaBook();
  const c = new ProblemCollector('LIMITS_INVALID', `limits for ${profile.model} on ${profile.hardware}`);
  const r = resolveOptions(profile, options, c, f);
  const timeouts = timeoutLimits(r, c, f);
  const throttle = throttleLimits(r, c, f);
  const usagePlanTiers = usagePlanTierLimits(r, throttle, c, f);
  const waf = wafLimits(r, usagePlanTiers, c, f);
  const scaling = scalingLimits(r, c, f);
  const payload = payloadLimits(r, c, f);
  const modelServer = modelServerLimits(r, timeouts, c, f);
  const alarms = alarmThresholds(r, timeouts, throttle, waf, c, f);
  c.throwIfAny('the limits derived from the profile break an invariant');
  return { timeouts, throttle, usagePlanTiers, waf, scaling, payload, modelServer, alarms, formulas: f.all };
}

function resolveOptions(profile: InferenceProfile, options: DeriveLimitsOptions, c: ProblemCollector, f: FormulaBook): Resolved {
  const backend = options.backend;
  const backendName = backend?.name ?? 'backend';
  // A scaling unit is whatever the backend scales: an instance, a task, a concurrent invocation.
  const unit = backend?.scalingUnit ?? 'instance';
  const minFloor = backend?.scalesToZero ? 0 : 1;
  const maxUnits = backend?.maxUnits ?? 10_000;
  const r: Resolved = {
    profile, o: options.overrides ?? {}, backend, backendName, unit,
    unitRps: backend?.throughputPerUnitRps ?? profile.throughputPerInstanceRps,
    unitConcurrency: backend?.concurrencyPerUnit ?? profile.sustainableConcurrency,
    minInstances: options.minInstances ?? (backend?.scalesToZero ? 0 : LIMIT_DEFAULTS.minInstances),
    maxInstances: options.maxInstances ?? backend?.defaultMaxUnits ?? LIMIT_DEFAULTS.maxInstances,
    headroom: options.headroom ?? LIMIT_DEFAULTS.headroom,
    timeoutFactor: options.timeoutFactor ?? LIMIT_DEFAULTS.timeoutFactor,
    targetUtilization: options.targetUtilization ?? LIMIT_DEFAULTS.targetUtilization,
    maxBatchSize: options.maxBatchSize ?? LIMIT_DEFAULTS.maxBatchSize,
    wafWindowSeconds: options.wafWindowSeconds ?? LIMIT_DEFAULTS.wafWindowSeconds,
    endpointType: options.endpointType ?? apigw.EndpointType.REGIONAL,
    allowExtended: options.allowExtendedIntegrationTimeout ?? false,
    region: options.region,
    tiers: options.usagePlanTiers ?? LIMIT_DEFAULTS.tiers,
  };
  // Every number below feeds a formula: NaN, Infinity or a token would come out as null or nonsense.
  const numbers: Record<string, unknown> = {
    minInstances: r.minInstances, maxInstances: r.maxInstances, headroom: r.headroom, timeoutFactor: r.timeoutFactor,
    targetUtilization: r.targetUtilization, maxBatchSize: r.maxBatchSize, wafWindowSeconds: r.wafWindowSeconds,
    'backend.maxPayloadBytes': backend?.maxPayloadBytes, 'backend.invocationTimeoutMs': backend?.invocationTimeoutMs, 'backend.throughputPerUnitRps': r.unitRps,
    ...Object.fromEntries(Object.entries(r.o).map(([k, v]) => [`overrides.${k}`, v])),
  };
  for (const [prop, value] of Object.entries(numbers)) c.concreteNumber(prop, value);
  c.intInRange('minInstances', r.minInstances, minFloor, maxUnits, minFloor === 1 ? `the ${backendName} keeps at least one ${unit} (it cannot scale to zero)` : undefined);
  c.intInRange('maxInstances', r.maxInstances, 1, maxUnits, `the ${backendName} allows at most ${maxUnits} ${unit}s`);
  c.require(r.maxInstances >= r.minInstances, 'maxInstances', r.maxInstances, `>= minInstances (${r.minInstances})`, 'raise maxInstances or lower minInstances');
  c.numberInRange('headroom', r.headroom, 0.05, 1, 'admit at most the capacity that was measured');
  c.numberInRange('timeoutFactor', r.timeoutFactor, 1, 100);
  c.numberInRange('targetUtilization', r.targetUtilization, 0.1, 1);
  c.intInRange('maxBatchSize', r.maxBatchSize, 1, 10_000);
  c.require(WAF_RATE_WINDOWS_SECONDS.includes(r.wafWindowSeconds), 'wafWindowSeconds', r.wafWindowSeconds, WAF_RATE_WINDOWS_SECONDS.join(', '), 'pick one of the windows WAF supports');
  f.set('scaling.maxInstances', options.maxInstances !== undefined
    ? `given (${r.maxInstances} ${unit}s); the cost ceiling under attack`
    : `${backend?.defaultMaxUnitsFormula ?? `default (${r.maxInstances})`}; the cost ceiling under attack`);
  return r;
}

/** The timeout chain: model-server timeout, integration timeout, the container's nginx read timeout. */
function timeoutLimits(r: Resolved, c: ProblemCollector, f: FormulaBook): TimeoutLimits {
  const { o, profile, backend } = r;
  const maxIntegration = r.allowExtended && r.endpointType !== apigw.EndpointType.EDGE
    ? Math.min(APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, backend?.invocationTimeoutMs ?? Infinity)
    : Math.min(APIGW_MAX_INTEGRATION_TIMEOUT_MS, backend?.invocationTimeoutMs ?? Infinity);
  const deadlineMs = Math.max(LIMIT_DEFAULTS.modelServerTimeoutFloorSeconds * 1000, ceilInt(profile.latencyMs.p99 * r.timeoutFactor));
  let modelServerTimeoutSeconds = f.pick('timeouts.modelServerTimeoutSeconds', o.modelServerTimeoutSeconds, ceilInt(deadlineMs / 1000),
    `ceil(max(${LIMIT_DEFAULTS.modelServerTimeoutFloorSeconds * 1000} ms floor, p99 ${profile.latencyMs.p99} ms x timeoutFactor ${r.timeoutFactor}) / 1000) = ${ceilInt(deadlineMs / 1000)} s`, 's');
  if (o.modelServerTimeoutSeconds === undefined && modelServerTimeoutSeconds * 1000 + LIMIT_DEFAULTS.integrationMarginMs > maxIntegration) {
    // The derived deadline does not fit under the integration ceiling: shrink it to fit, if the p99 still fits.
    modelServerTimeoutSeconds = floorInt((maxIntegration - LIMIT_DEFAULTS.integrationMarginMs) / 1000);
    f.append('timeouts.modelServerTimeoutSeconds', `, capped to ${modelServerTimeoutSeconds} s so it fits under the ${maxIntegration} ms integration ceiling`);
  }
  c.require(
    profile.latencyMs.p99 <= modelServerTimeoutSeconds * 1000,
    'profile.latencyMs.p99', profile.latencyMs.p99,
    `at most the model-server timeout (${modelServerTimeoutSeconds * 1000} ms) of a synchronous request`,
    'serve this model through the async queue path, use faster hardware, or (Regional/private APIs only) set allowExtendedIntegrationTimeout after raising the quota',
  );
  c.intInRange('overrides.modelServerTimeoutSeconds', o.modelServerTimeoutSeconds, 1, 3_600);
  c.intInRange('overrides.integrationTimeoutMs', o.integrationTimeoutMs, 1, APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, 'API Gateway takes whole milliseconds');
  const derivedIntegration = Math.min(maxIntegration, modelServerTimeoutSeconds * 1000 + LIMIT_DEFAULTS.integrationMarginMs);
  const integrationTimeoutMs = f.pick('timeouts.integrationTimeoutMs', o.integrationTimeoutMs, derivedIntegration,
    `min(${maxIntegration} ms ceiling, modelServerTimeout ${modelServerTimeoutSeconds * 1000} ms + ${LIMIT_DEFAULTS.integrationMarginMs} ms margin) = ${derivedIntegration} ms`, 'ms');
  f.set('timeouts.nginxReadTimeoutSeconds', `= modelServerTimeout (${modelServerTimeoutSeconds} s): SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS, how long the container's nginx waits for TF Serving`);
  c.addAll(checkTimeoutChain({
    integrationTimeoutMs,
    modelServerTimeoutMs: modelServerTimeoutSeconds * 1000,
    endpointType: r.endpointType,
    allowExtendedIntegrationTimeout: r.allowExtended,
    backendTimeoutMs: backend?.invocationTimeoutMs,
    backendName: r.backendName,
    loadBalancerIdleTimeoutMs: backend?.loadBalancerIdleTimeoutMs,
  }));
  return { integrationTimeoutMs, modelServerTimeoutSeconds, nginxReadTimeoutSeconds: modelServerTimeoutSeconds };
}

/** Stage throttling: what the fleet at its ceiling serves, with headroom, within the account limits. */
function throttleLimits(r: Resolved, c: ProblemCollector, f: FormulaBook): ThrottleLimits {
  const { o, maxInstances, unitRps, unit } = r;
  const small = r.region !== undefined && APIGW_SMALL_REGIONS.includes(r.region);
  const accountRate = small ? APIGW_SMALL_REGION_RATE_LIMIT_RPS : APIGW_ACCOUNT_RATE_LIMIT_RPS;
  const accountBurst = small ? APIGW_SMALL_REGION_BURST_LIMIT : APIGW_ACCOUNT_BURST_LIMIT;
  const derivedRate = Math.min(accountRate, Math.max(0.1, round2(maxInstances * unitRps * r.headroom)));
  const rateLimit = f.pick('throttle.rateLimit', o.stageRateLimit, derivedRate,
    `min(account ${accountRate}, maxInstances ${maxInstances} x throughput ${unitRps} req/s per ${unit} x headroom ${r.headroom}) = ${derivedRate} req/s`, 'req/s');
  const derivedBurst = Math.min(accountBurst, Math.max(1, ceilInt(LIMIT_DEFAULTS.burstWaves * maxInstances * r.unitConcurrency)));
  const burstLimit = f.pick('throttle.burstLimit', o.stageBurstLimit, derivedBurst,
    `min(account ${accountBurst}, ${LIMIT_DEFAULTS.burstWaves} waves x maxInstances ${maxInstances} x concurrency ${r.unitConcurrency} per ${unit}) = ${derivedBurst}`);
  const fleetCapacity = maxInstances * unitRps;
  // Only a rate the user set is an override; with maxInstances itself invalid the fleet check says nothing new.
  const rateProp = o.stageRateLimit !== undefined ? 'overrides.stageRateLimit' : 'throttle.rateLimit';
  c.require(rateLimit > 0 && rateLimit <= accountRate, rateProp, rateLimit, `0 < rate <= ${accountRate} (the account limit)`, 'lower the stage rate');
  c.require(rateLimit <= fleetCapacity || !(maxInstances >= 1), rateProp, rateLimit, `<= measured fleet capacity (${maxInstances} x ${unitRps} = ${round2(fleetCapacity)} req/s)`, 'admitting more than the fleet can serve turns an attack into a backlog: lower the rate or raise maxInstances');
  c.require(Number.isInteger(burstLimit) && burstLimit >= 1 && burstLimit <= accountBurst, 'overrides.stageBurstLimit', burstLimit, `an integer from 1 to ${accountBurst}`, 'lower the burst');
  return { rateLimit, burstLimit };
}

/**
 * Backend work of the largest valid request (largest body, largest batch), in median requests:
 * the profile's p99 / p50, at least 1. The profile's latency spread comes from its payload mix, and
 * the largest requests are its slow end.
 */
export function heavyRequestCost(profile: InferenceProfile): number {
  return Math.max(1, round2(profile.latencyMs.p99 / profile.latencyMs.p50));
}

/**
 * The most one API key may send: the minimum fleet's admitted capacity x keyShareOfMinimumFleet,
 * in requests of the largest valid size. A flood comes faster than scaling (one-minute metrics,
 * several alarm datapoints, then the cold start): for those minutes only the minimum fleet
 * serves, so one key holding a valid top-tier plan must leave the other half of it to everyone
 * else, even when every request it sends is as heavy as allowed. A backend whose capacity
 * comes on demand (serverless) counts its maximum instead.
 */
function perKeyCeiling(r: Resolved): { rps: number; formula: string } {
  const units = r.backend?.capacityOnDemand ? r.maxInstances : Math.max(1, r.minInstances);
  const heavy = heavyRequestCost(r.profile);
  const share = LIMIT_DEFAULTS.keyShareOfMinimumFleet;
  const rps = Math.max(0.1, round2((units * r.unitRps * r.headroom * share) / heavy));
  const which = r.backend?.capacityOnDemand ? `maxInstances ${units} (capacity on demand)` : `max(1, minInstances) ${units}`;
  return { rps, formula: `per-key ceiling = ${which} x ${r.unitRps} req/s x headroom ${r.headroom} x ${share} / heavy request cost ${heavy} (p99/p50) = ${rps} req/s` };
}

/**
 * Usage-plan tiers: each a share of the stage rate, scaled down together (keeping their ratios)
 * so that the top tier stays under the per-key ceiling; with a daily quota.
 */
function usagePlanTierLimits(r: Resolved, throttle: ThrottleLimits, c: ProblemCollector, f: FormulaBook): UsagePlanTierLimits[] {
  const givenTiers = r.tiers;
  c.require(Array.isArray(givenTiers), 'usagePlanTiers', givenTiers, 'a list of tiers', 'pass a list of { name, shareOfStageRate }');
  const tiers = Array.isArray(givenTiers) ? givenTiers : [];
  c.require(tiers.length > 0, 'usagePlanTiers', tiers, 'at least one tier', 'add a tier');
  const seen = new Set<string>();
  const ceiling = perKeyCeiling(r);
  const topShare = Math.max(0, ...tiers.map((t) => (typeof t.shareOfStageRate === 'number' && Number.isFinite(t.shareOfStageRate) ? t.shareOfStageRate : 0)));
  // With no valid share (topShare 0) the quotient is Infinity: no scaling.
  const scale = Math.min(1, ceiling.rps / (throttle.rateLimit * topShare));
  return tiers.map((t, i) => {
    c.require(/^[A-Za-z0-9_-]{1,64}$/.test(t.name) && !seen.has(t.name), `usagePlanTiers[${i}].name`, t.name, 'a unique name of letters, digits, _ or -', 'rename the tier');
    seen.add(t.name);
    c.concreteNumber(`usagePlanTiers[${i}].shareOfStageRate`, t.shareOfStageRate);
    c.numberInRange(`usagePlanTiers[${i}].shareOfStageRate`, t.shareOfStageRate, 0.001, 1, 'one key may never use more than the whole stage');
    const duty = t.dailyDutyCycle ?? LIMIT_DEFAULTS.dailyDutyCycle;
    c.concreteNumber(`usagePlanTiers[${i}].dailyDutyCycle`, duty);
    c.numberInRange(`usagePlanTiers[${i}].dailyDutyCycle`, duty, 0.001, 1);
    const tierRate = Math.max(0.1, round2(throttle.rateLimit * t.shareOfStageRate * scale));
    const tierBurst = Math.max(1, ceilInt(throttle.burstLimit * t.shareOfStageRate));
    const quota = Math.max(1, ceilInt(tierRate * 86_400 * duty));
    const scaled = scale < 1 ? ` x ${round2(scale * 10_000) / 10_000} (top tier capped at the ${ceiling.formula})` : ` (under the ${ceiling.formula})`;
    f.set(`usagePlanTiers.${t.name}`, `rate = stage ${throttle.rateLimit} x ${t.shareOfStageRate}${scaled} = ${tierRate} req/s; burst = ceil(stage ${throttle.burstLimit} x ${t.shareOfStageRate}) = ${tierBurst}; quota/day = ceil(rate x 86400 x duty ${duty}) = ${quota}`);
    return { name: t.name, rateLimit: tierRate, burstLimit: tierBurst, quotaPerDay: quota };
  });
}

/** The WAF per-IP rate rule: the top tier's allowance per window, with slack. */
function wafLimits(r: Resolved, tiers: readonly UsagePlanTierLimits[], c: ProblemCollector, f: FormulaBook): WafLimits {
  const windowSeconds = r.wafWindowSeconds;
  const topTierRate = Math.max(0, ...tiers.map((t) => t.rateLimit));
  const derivedWaf = Math.max(WAF_RATE_LIMIT_MIN, ceilInt(LIMIT_DEFAULTS.wafTopTierFactor * topTierRate * windowSeconds));
  const rateLimitPerIp = f.pick('waf.rateLimitPerIp', r.o.wafRateLimitPerIp, derivedWaf,
    `max(${WAF_RATE_LIMIT_MIN}, ceil(${LIMIT_DEFAULTS.wafTopTierFactor} x top tier ${topTierRate} req/s x window ${windowSeconds} s)) = ${derivedWaf} per IP per window`, `per ${windowSeconds} s`);
  c.require(Number.isInteger(rateLimitPerIp) && rateLimitPerIp >= WAF_RATE_LIMIT_MIN && rateLimitPerIp <= WAF_RATE_LIMIT_MAX, 'overrides.wafRateLimitPerIp', rateLimitPerIp,
    `an integer from ${WAF_RATE_LIMIT_MIN} to ${WAF_RATE_LIMIT_MAX} (the WAF rate-based rule range)`, `set the WAF limit between ${WAF_RATE_LIMIT_MIN} and ${WAF_RATE_LIMIT_MAX} requests per window`);
  return { windowSeconds, rateLimitPerIp };
}

/** The scaling range and the target-tracking target per unit. */
function scalingLimits(r: Resolved, c: ProblemCollector, f: FormulaBook): ScalingLimits {
  const { unitRps, unit } = r;
  const derivedTarget = Math.max(1, floorInt(unitRps * 60 * r.targetUtilization));
  const target = f.pick('scaling.targetInvocationsPerInstancePerMinute', r.o.targetInvocationsPerInstancePerMinute, derivedTarget,
    `floor(throughput ${unitRps} req/s x 60 s x targetUtilization ${r.targetUtilization}) = ${derivedTarget} per ${unit} per minute`, 'per minute');
  c.require(target > 0 && target <= unitRps * 60, 'overrides.targetInvocationsPerInstancePerMinute', target,
    `1..${floorInt(unitRps * 60)} (the measured capacity of one ${unit} per minute)`, 'a target above capacity means instances saturate before scaling starts');
  return {
    minInstances: r.minInstances, maxInstances: r.maxInstances, targetInvocationsPerInstancePerMinute: target,
    scaleOutCooldownSeconds: LIMIT_DEFAULTS.scaleOutCooldownSeconds, scaleInCooldownSeconds: LIMIT_DEFAULTS.scaleInCooldownSeconds,
  };
}

/** The request size cap: the profile's largest request with headroom, within the backend's limit. */
function payloadLimits(r: Resolved, c: ProblemCollector, f: FormulaBook): PayloadLimits {
  const { profile, backendName } = r;
  const backendMax = r.backend?.maxPayloadBytes ?? Number.MAX_SAFE_INTEGER;
  const derivedPayload = Math.min(backendMax, ceilInt(profile.maxRequestBytes * LIMIT_DEFAULTS.payloadHeadroom));
  const maxBodyBytes = f.pick('payload.maxBodyBytes', r.o.maxPayloadBytes, derivedPayload,
    `min(${backendName} limit ${r.backend?.maxPayloadBytes ?? 'none'}, maxRequestBytes ${profile.maxRequestBytes} x ${LIMIT_DEFAULTS.payloadHeadroom}) = ${derivedPayload} bytes`, 'bytes');
  c.require(Number.isInteger(maxBodyBytes), 'overrides.maxPayloadBytes', maxBodyBytes, 'a whole number of bytes', 'round the payload cap');
  c.require(maxBodyBytes >= profile.maxRequestBytes, 'payload.maxBodyBytes', maxBodyBytes, `>= the profile's largest request (${profile.maxRequestBytes} bytes)`,
    profile.maxRequestBytes > backendMax
      ? `${backendMax} bytes is the ${backendName}'s hard limit: send requests this large through the async path (S3 claim check), or make them smaller`
      : 'raise the cap, or re-profile with the requests you actually serve');
  c.require(maxBodyBytes <= backendMax, 'payload.maxBodyBytes', maxBodyBytes, `<= ${backendMax} bytes (${backendName} limit)`, 'lower the cap, or use the async path (S3 claim check) for large requests');
  return { maxBodyBytes };
}

/** Model-server batching and its bounded batch queue. */
function modelServerLimits(r: Resolved, timeouts: TimeoutLimits, c: ProblemCollector, f: FormulaBook): ModelServerLimits {
  const p99 = r.profile.latencyMs.p99;
  const timeoutMs = timeouts.modelServerTimeoutSeconds * 1000;
  const derivedEnqueued = Math.max(1, floorInt(timeoutMs / p99));
  const maxEnqueuedBatches = f.pick('modelServer.maxEnqueuedBatches', r.o.maxEnqueuedBatches, derivedEnqueued,
    `max(1, floor(modelServerTimeout ${timeoutMs} ms / p99 ${p99} ms)) = ${derivedEnqueued}: a queued batch is served before its request times out`);
  c.intInRange('overrides.maxEnqueuedBatches', maxEnqueuedBatches, 1, 1_000_000, 'bound the batch queue');
  return { maxBatchSize: r.maxBatchSize, maxEnqueuedBatches, batchTimeoutMicros: LIMIT_DEFAULTS.batchTimeoutMicros };
}

/** Alarm thresholds from the timeouts, throttles, WAF rate and the profile. */
function alarmThresholds(r: Resolved, timeouts: TimeoutLimits, throttle: ThrottleLimits, waf: WafLimits, c: ProblemCollector, f: FormulaBook): AlarmThresholds {
  const { profile } = r;
  const it = timeouts.integrationTimeoutMs;
  const spec = gpuInstanceSpec(profile.hardware);
  const gpuMemShare = spec ? (profile.peakGpuMemoryMiB / (spec.gpuMemoryMiB * spec.gpus)) * 100 : undefined;
  const gpuMemoryUtilizationPercent = gpuMemShare !== undefined ? Math.min(95, Math.max(50, ceilInt(gpuMemShare * 1.2))) : 90;
  const alarms: AlarmThresholds = {
    api5xxRate: 0.01,
    api4xxRate: 0.1,
    apiLatencyP99Ms: Math.round(it * 0.8),
    integrationLatencyP99Ms: Math.round(it * 0.9),
    throttledPerMinute: Math.max(10, ceilInt(throttle.rateLimit * 60 * 0.05)),
    wafBlockedPerMinute: Math.max(10, ceilInt((waf.rateLimitPerIp / waf.windowSeconds) * 60)),
    modelLatencyP99Micros: Math.round(profile.latencyMs.p99 * 1.5 * 1000),
    backend5xxPerMinute: 1,
    cpuUtilizationPercent: 80,
    memoryUtilizationPercent: 85,
    gpuUtilizationPercent: 90,
    gpuMemoryUtilizationPercent,
  };
  f.set('alarms.apiLatencyP99Ms', `0.8 x integrationTimeout ${it} ms = ${alarms.apiLatencyP99Ms} ms`);
  f.set('alarms.integrationLatencyP99Ms', `0.9 x integrationTimeout ${it} ms = ${alarms.integrationLatencyP99Ms} ms`);
  f.set('alarms.throttledPerMinute', `max(10, 5 % of stage capacity per minute ${throttle.rateLimit} x 60) = ${alarms.throttledPerMinute}`);
  f.set('alarms.wafBlockedPerMinute', `max(10, one IP's WAF allowance per minute) = ${alarms.wafBlockedPerMinute}`);
  f.set('alarms.modelLatencyP99Micros', `1.5 x profile p99 ${profile.latencyMs.p99} ms = ${alarms.modelLatencyP99Micros} us`);
  f.set('alarms.gpuMemoryUtilizationPercent', spec
    ? `clamp(50..95, 1.2 x peak GPU memory ${profile.peakGpuMemoryMiB} MiB / ${spec.gpus} x ${spec.gpuMemoryMiB} MiB) = ${gpuMemoryUtilizationPercent} %`
    : `${gpuMemoryUtilizationPercent} % (hardware ${profile.hardware} not in the GPU table)`);
  if (spec) {
    c.require(profile.peakGpuMemoryMiB <= spec.gpuMemoryMiB * spec.gpus, 'profile.peakGpuMemoryMiB', profile.peakGpuMemoryMiB,
      `<= the GPU memory of ${spec.name} (${spec.gpus} x ${spec.gpuMemoryMiB} MiB)`, 'check the profile: it was measured on other hardware');
  }
  return alarms;
}
