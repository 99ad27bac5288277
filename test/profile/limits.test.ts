import { aws_apigateway as apigw } from 'aws-cdk-lib';
import { InferenceGuardError } from '../../lib/core';
import { LIMIT_DEFAULTS, checkTimeoutChain, deriveLimits, heavyRequestCost } from '../../lib/profile';
import { profile } from '../support/profiles';
import { problemsOf } from '../support/errors';
import { tokenBucketMaxAdmitted } from '../support/token-bucket';

const SM = { backend: { name: 'SageMaker', maxPayloadBytes: 6_291_456, invocationTimeoutMs: 60_000, synchronous: true, scalesToZero: false, scalingUnit: 'instance' } };


describe('deriveLimits formulas', () => {
  const p = profile();
  // Derived in each test rather than when the file loads, so that a mutant of the derivation
  // (stryker.config.mjs) runs only the tests that cover it.
  let l: ReturnType<typeof deriveLimits>;
  beforeEach(() => { l = deriveLimits(p, { ...SM, maxInstances: 4 }); });

  test('is pure: same input, same output', () => {
    expect(deriveLimits(p, { ...SM, maxInstances: 4 })).toEqual(l);
  });

  test('model-server timeout = ceil(max(5 s, p99 x 3)) s; integration = that + 1 s', () => {
    expect(l.timeouts.modelServerTimeoutSeconds).toBe(5);
    expect(l.timeouts.integrationTimeoutMs).toBe(6_000);
    expect(l.timeouts.nginxReadTimeoutSeconds).toBe(5);
    const slow = deriveLimits(profile({ latencyMs: { p50: 1500, p90: 2500, p99: 3100 } }), SM);
    expect(slow.timeouts.modelServerTimeoutSeconds).toBe(10); // 3,100 ms x 3 = 9.3 s -> 10 s
    expect(slow.timeouts.integrationTimeoutMs).toBe(11_000);
  });

  test('a p99 that needs more than 29 s is capped to fit, and refused when p99 itself does not fit', () => {
    const l2 = deriveLimits(profile({ latencyMs: { p50: 5000, p90: 8000, p99: 12000 } }), SM);
    expect(l2.timeouts.integrationTimeoutMs).toBe(29_000);
    expect(l2.timeouts.modelServerTimeoutSeconds).toBe(28);
    expect(problemsOf(() => deriveLimits(profile({ latencyMs: { p50: 20000, p90: 28000, p99: 31000 } }), SM))).toContain('profile.latencyMs.p99');
  });

  test('stage rate = maxInstances x throughput x headroom; burst = 2 x maxInstances x concurrency', () => {
    expect(l.throttle.rateLimit).toBe(576); // 4 x 180 x 0.8
    expect(l.throttle.burstLimit).toBe(64); // 2 x 4 x 8
    // 3 instances x 175 req/s x 0.7 = 367.5; burst 2 x 3 x 7 = 42
    const odd = deriveLimits(profile({ throughputPerInstanceRps: 175, sustainableConcurrency: 7 }), { ...SM, maxInstances: 3, headroom: 0.7 });
    expect([odd.throttle.rateLimit, odd.throttle.burstLimit]).toEqual([367.5, 42]);
  });

  test('throttles are capped at the account limit, smaller in small Regions', () => {
    const huge = profile({ throughputPerInstanceRps: 100_000 });
    expect(deriveLimits(huge, { ...SM, maxInstances: 1, overrides: { stageBurstLimit: 10 } }).throttle.rateLimit).toBe(10_000);
    expect(deriveLimits(huge, { ...SM, maxInstances: 1, region: 'af-south-1', overrides: { stageBurstLimit: 10 } }).throttle.rateLimit).toBe(2_500);
  });

  test('usage-plan tiers are shares of the stage rate, scaled together under the per-key ceiling, with daily quotas', () => {
    expect(l.usagePlanTiers.map((t) => t.name)).toEqual(['basic', 'standard', 'premium']);
    const [basic, standard, premium] = l.usagePlanTiers;
    // Per-key ceiling: 1 instance x 180 req/s x 0.8 headroom x 0.5 / heavy cost (41 / 18 = 2.28) = 31.58 req/s.
    expect(heavyRequestCost(p)).toBe(2.28);
    expect(premium.rateLimit).toBe(31.58);
    // The other tiers keep their ratios to the top one (10 % and 25 % against 50 % of the stage).
    expect(basic.rateLimit).toBeCloseTo(31.58 * (0.1 / 0.5), 2);
    expect(standard.rateLimit).toBeCloseTo(31.58 * (0.25 / 0.5), 2);
    expect(basic.burstLimit).toBe(Math.ceil(64 * 0.1));
    expect(basic.quotaPerDay).toBe(Math.ceil(basic.rateLimit * 86_400 * 0.5));
    expect(l.formulas['usagePlanTiers.premium']).toContain('per-key ceiling');
  });

  test('the per-key ceiling leaves the tiers at their stage shares when the minimum fleet can spare them', () => {
    // Heavy cost 1 (p99 = p50) and a minimum fleet of 4: ceiling 4 x 180 x 0.8 x 0.5 = 288 = the premium share of 576.
    const even = deriveLimits(profile({ latencyMs: { p50: 20, p90: 20, p99: 20 } }), { ...SM, minInstances: 4, maxInstances: 4 });
    expect(even.usagePlanTiers.map((t) => t.rateLimit)).toEqual([57.6, 144, 288]);
    // A backend whose capacity comes on demand counts its maximum, not its minimum.
    const onDemand = deriveLimits(profile({ latencyMs: { p50: 20, p90: 20, p99: 20 } }), { ...SM, backend: { ...SM.backend, capacityOnDemand: true }, minInstances: 1, maxInstances: 4 });
    expect(onDemand.usagePlanTiers.map((t) => t.rateLimit)).toEqual([57.6, 144, 288]);
  });

  test('a tier share and duty cycle that divide nothing exactly', () => {
    // A share and a duty cycle that divide nothing exactly, under the per-key ceiling (31.58 req/s):
    // 576 x 0.0333 = 19.1808 -> 19.18 req/s; 64 x 0.0333 = 2.13 -> burst 3; 19.18 x 86,400 x 0.3 = 497,145.6 -> 497,146 a day.
    const odd = deriveLimits(p, { ...SM, maxInstances: 4, usagePlanTiers: [{ name: 'trial', shareOfStageRate: 0.0333, dailyDutyCycle: 0.3 }] });
    expect(odd.usagePlanTiers).toEqual([{ name: 'trial', rateLimit: 19.18, burstLimit: 3, quotaPerDay: 497_146 }]);
  });

  test('WAF per-IP limit = 1.2 x top tier rate x window, at least 10', () => {
    expect(l.waf.windowSeconds).toBe(300);
    expect(l.waf.rateLimitPerIp).toBe(11_369); // ceil(1.2 x 31.58 x 300 = 11,368.8)
    // The top tier's key, spending its whole token bucket (31.58 req/s, burst 32) over one window, stays under it.
    expect(tokenBucketMaxAdmitted(31.58, 32, 300)).toBeLessThan(l.waf.rateLimitPerIp); // 32 + 31.58 x 300 = 9,506
    // A 0.1 req/s tier over a 60 s window would allow 8 per IP: raised to WAF's minimum of 10.
    const tiny = deriveLimits(profile(), { ...SM, wafWindowSeconds: 60, overrides: { stageRateLimit: 50 }, usagePlanTiers: [{ name: 'trial', shareOfStageRate: 0.001 }] });
    expect(tiny.usagePlanTiers[0].rateLimit).toBe(0.1);
    expect(tiny.waf.rateLimitPerIp).toBe(10);
    expect(LIMIT_DEFAULTS.wafTopTierFactor).toBe(1.2);
  });

  test('scaling target is per MINUTE: throughput x 60 x 0.7', () => {
    expect(l.scaling.targetInvocationsPerInstancePerMinute).toBe(7560);
    expect(l.scaling.minInstances).toBe(1);
    expect(l.scaling.maxInstances).toBe(4);
    expect(l.scaling.scaleInCooldownSeconds).toBeGreaterThan(l.scaling.scaleOutCooldownSeconds);
  });

  test('payload cap = min(backend limit, maxRequestBytes x 1.25)', () => {
    expect(l.payload.maxBodyBytes).toBe(150_000);
    expect(deriveLimits(profile({ maxRequestBytes: 6_000_000 }), SM).payload.maxBodyBytes).toBe(6_291_456);
    expect(problemsOf(() => deriveLimits(profile({ maxRequestBytes: 7_000_000 }), SM))).toContain('payload.maxBodyBytes');
  });

  test('batch queue bound = floor(model-server timeout / p99)', () => {
    expect(l.modelServer.maxEnqueuedBatches).toBe(121); // 5,000 ms / 41 ms = 121.95 -> 121
    expect(l.modelServer.maxBatchSize).toBe(8);
  });

  test('alarm thresholds', () => {
    expect(l.alarms.apiLatencyP99Ms).toBe(4_800);
    expect(l.alarms.integrationLatencyP99Ms).toBe(5_400);
    expect(l.alarms.modelLatencyP99Micros).toBe(61_500);
    expect(l.alarms.throttledPerMinute).toBe(1_728); // 576 x 60 x 0.05
    expect(l.alarms.wafBlockedPerMinute).toBe(2_274); // 11,369 / 300 s x 60 = 2,273.8 -> 2,274
    // 2150 MiB of one 24 GiB A10G x 1.2 is below the 50 % floor.
    expect(l.alarms.gpuMemoryUtilizationPercent).toBe(50);
    expect(deriveLimits(profile({ peakGpuMemoryMiB: 20_000 }), SM).alarms.gpuMemoryUtilizationPercent).toBe(95);
  });

  test('every derived number has a formula', () => {
    for (const key of ['timeouts.integrationTimeoutMs', 'timeouts.modelServerTimeoutSeconds', 'throttle.rateLimit', 'throttle.burstLimit', 'waf.rateLimitPerIp',
      'scaling.targetInvocationsPerInstancePerMinute', 'payload.maxBodyBytes', 'modelServer.maxEnqueuedBatches', 'usagePlanTiers.basic']) {
      expect(l.formulas[key]).toMatch(/=|override/);
    }
  });
});

describe('deriveLimits overrides and invariants', () => {
  const p = profile();

  test('a valid override wins', () => {
    const l = deriveLimits(p, { ...SM, overrides: { stageRateLimit: 100, integrationTimeoutMs: 8_000, maxPayloadBytes: 200_000 } });
    expect(l.throttle.rateLimit).toBe(100);
    expect(l.timeouts.integrationTimeoutMs).toBe(8_000);
    expect(l.payload.maxBodyBytes).toBe(200_000);
    expect(l.formulas['throttle.rateLimit']).toContain('override');
  });

  test('an override above the measured fleet capacity is an error', () => {
    expect(problemsOf(() => deriveLimits(p, { ...SM, maxInstances: 2, overrides: { stageRateLimit: 1000 } }))).toContain('overrides.stageRateLimit');
  });

  test('a scaling target above per-instance capacity is an error', () => {
    expect(problemsOf(() => deriveLimits(p, { ...SM, overrides: { targetInvocationsPerInstancePerMinute: 20_000 } }))).toContain('overrides.targetInvocationsPerInstancePerMinute');
  });

  test('a model-server timeout above the integration timeout names both ends', () => {
    let error: unknown;
    try {
      deriveLimits(p, { ...SM, overrides: { modelServerTimeoutSeconds: 20, integrationTimeoutMs: 10_000 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InferenceGuardError);
    const problem = (error as InferenceGuardError).problems.find((x) => x.prop === 'modelServerTimeout -> integrationTimeout');
    expect(problem?.value).toBe('model server 20000 ms > integration 10000 ms');
  });

  test('maxInstances below minInstances, bad headroom and bad window are all reported at once', () => {
    const props = problemsOf(() => deriveLimits(p, { ...SM, minInstances: 3, maxInstances: 2, headroom: 2, wafWindowSeconds: 30 }));
    expect(props).toEqual(expect.arrayContaining(['maxInstances', 'headroom', 'wafWindowSeconds']));
  });

  test('duplicate or invalid tier names are refused', () => {
    expect(problemsOf(() => deriveLimits(p, { ...SM, usagePlanTiers: [{ name: 'a', shareOfStageRate: 0.2 }, { name: 'a', shareOfStageRate: 0.3 }] }))).toContain('usagePlanTiers[1].name');
    expect(problemsOf(() => deriveLimits(p, { ...SM, usagePlanTiers: [{ name: 'gold', shareOfStageRate: 1.5 }] }))).toContain('usagePlanTiers[0].shareOfStageRate');
  });

  test('GPU memory above the profiled instance is refused', () => {
    expect(problemsOf(() => deriveLimits(profile({ peakGpuMemoryMiB: 30_000 }), SM))).toContain('profile.peakGpuMemoryMiB');
  });

  test('extended timeouts need the opt-in and a non-edge endpoint', () => {
    const slow = profile({ latencyMs: { p50: 20000, p90: 28000, p99: 35000 } });
    const regional = deriveLimits(slow, { allowExtendedIntegrationTimeout: true, timeoutFactor: 1.2 });
    expect(regional.timeouts.integrationTimeoutMs).toBe(43_000);
    expect(problemsOf(() => deriveLimits(slow, { allowExtendedIntegrationTimeout: true, endpointType: apigw.EndpointType.EDGE }))).toContain('profile.latencyMs.p99');
    expect(problemsOf(() => deriveLimits(p, { overrides: { integrationTimeoutMs: 40_000 } }))).toContain('integrationTimeout');
  });
});

describe('checkTimeoutChain', () => {
  const base = { integrationTimeoutMs: 10_000, modelServerTimeoutMs: 9_000, endpointType: apigw.EndpointType.REGIONAL, allowExtendedIntegrationTimeout: false };

  test('a consistent chain passes', () => {
    expect(checkTimeoutChain({ ...base, backendTimeoutMs: 60_000, loadBalancerIdleTimeoutMs: 60_000 })).toEqual([]);
  });

  test('below 50 ms', () => {
    expect(checkTimeoutChain({ ...base, integrationTimeoutMs: 10, modelServerTimeoutMs: 5 })[0].prop).toBe('integrationTimeout');
  });

  test('above 29 s on an edge-optimized API is refused even with the opt-in', () => {
    const [p] = checkTimeoutChain({ ...base, integrationTimeoutMs: 45_000, endpointType: apigw.EndpointType.EDGE, allowExtendedIntegrationTimeout: true });
    expect(p.allowed).toContain('EDGE');
  });

  test('above 29 s on a Regional API needs the opt-in', () => {
    expect(checkTimeoutChain({ ...base, integrationTimeoutMs: 45_000 })[0].allowed).toContain('allowExtendedIntegrationTimeout');
    expect(checkTimeoutChain({ ...base, integrationTimeoutMs: 45_000, allowExtendedIntegrationTimeout: true })).toEqual([]);
    expect(checkTimeoutChain({ ...base, integrationTimeoutMs: 45_000, endpointType: apigw.EndpointType.PRIVATE, allowExtendedIntegrationTimeout: true })).toEqual([]);
  });

  test('load balancer idle timeout must exceed the integration timeout (names both ends)', () => {
    const [p] = checkTimeoutChain({ ...base, loadBalancerIdleTimeoutMs: 10_000 });
    expect(p.prop).toBe('integrationTimeout -> loadBalancer.idleTimeout');
    expect(p.value).toBe('integration 10000 ms >= load balancer idle 10000 ms');
  });

  test('integration timeout beyond the backend hard limit', () => {
    const [p] = checkTimeoutChain({ ...base, integrationTimeoutMs: 70_000, allowExtendedIntegrationTimeout: true, backendTimeoutMs: 60_000, backendName: 'SageMaker' });
    expect(p.prop).toBe('integrationTimeout -> SageMaker');
  });
});
