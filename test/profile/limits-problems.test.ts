import { aws_apigateway as apigw } from 'aws-cdk-lib';
import { DeriveLimitsOptions, InferenceProfile } from '../../lib/profile';
import { deriveLimits } from '../../lib/profile/limits';
import { errorOf } from '../support/errors';
import { profile } from '../support/profiles';

// Every problem deriveLimits reports, in full (prop, value, what is allowed, the fix), one broken
// option at a time, and the formulas of the less common paths (a capped timeout, a small Region, a
// backend with its own throughput, capacity on demand). The base profile: p50 18 ms, p99 41 ms,
// 180 req/s and concurrency 8 per ml.g5.xlarge (1 x 24,576 MiB GPU), 120,000-byte requests, 2,150 MiB
// of GPU memory. Worked by hand with 4 instances: stage 4 x 180 x 0.8 = 576 req/s, fleet 4 x 180 = 720
// req/s, burst 2 x 4 x 8 = 64; per-key ceiling 1 x 180 x 0.8 x 0.5 / round2(41 / 18) = 72 / 2.28 = 31.58 req/s.
const SM = { name: 'SageMaker', maxPayloadBytes: 6_291_456, invocationTimeoutMs: 60_000, synchronous: true, scalesToZero: false, scalingUnit: 'instance' };
const problems = (options: DeriveLimitsOptions, p: InferenceProfile = profile()) => errorOf(() => deriveLimits(p, { backend: SM, maxInstances: 4, ...options })).problems;
const range = (prop: string, value: string, allowed: string, fix: string) => ({ prop, value, allowed, fix });

describe('deriveLimits problems, in full', () => {
  test('the fleet: minInstances, maxInstances and their order', () => {
    expect(problems({ minInstances: 0 })).toEqual([
      range('minInstances', '0', 'an integer from 1 to 10000', 'the SageMaker keeps at least one instance (it cannot scale to zero)'),
    ]);
    // A backend that scales to zero takes 0, and its own maximum of units.
    const serverless = { ...SM, name: 'serverless endpoint', scalesToZero: true, maxUnits: 5, scalingUnit: 'invocation' };
    expect(problems({ backend: serverless, minInstances: -1 })).toEqual([range('minInstances', '-1', 'an integer from 0 to 5', 'set minInstances between 0 and 5')]);
    expect(problems({ backend: serverless, maxInstances: 6 })).toEqual([range('maxInstances', '6', 'an integer from 1 to 5', 'the serverless endpoint allows at most 5 invocations')]);
    expect(problems({ minInstances: 3, maxInstances: 2 })).toEqual([range('maxInstances', '2', '>= minInstances (3)', 'raise maxInstances or lower minInstances')]);
    // maxInstances 0: its own problems only; the stage rate (max(0.1, 0) = 0.1 req/s) is not also reported
    // as above a fleet of 0 x 180 req/s.
    expect(problems({ maxInstances: 0 })).toEqual([
      range('maxInstances', '0', 'an integer from 1 to 10000', 'the SageMaker allows at most 10000 instances'),
      range('maxInstances', '0', '>= minInstances (1)', 'raise maxInstances or lower minInstances'),
    ]);
  });

  test('headroom, timeout factor, utilization, batch, WAF window', () => {
    // Headroom 2: 4 x 180 x 2 = 1,440 req/s, more than the 720 req/s the fleet serves.
    expect(problems({ headroom: 2 })).toEqual([
      range('headroom', '2', 'a number from 0.05 to 1', 'admit at most the capacity that was measured'),
      range('throttle.rateLimit', '1440', '<= measured fleet capacity (4 x 180 = 720 req/s)', 'admitting more than the fleet can serve turns an attack into a backlog: lower the rate or raise maxInstances'),
    ]);
    expect(problems({ timeoutFactor: 0.5 })).toEqual([range('timeoutFactor', '0.5', 'a number from 1 to 100', 'set timeoutFactor between 1 and 100')]);
    expect(problems({ targetUtilization: 0.05 })).toEqual([range('targetUtilization', '0.05', 'a number from 0.1 to 1', 'set targetUtilization between 0.1 and 1')]);
    expect(problems({ maxBatchSize: 0 })).toEqual([range('maxBatchSize', '0', 'an integer from 1 to 10000', 'set maxBatchSize between 1 and 10000')]);
    expect(problems({ wafWindowSeconds: 30 })).toEqual([range('wafWindowSeconds', '30', '60, 120, 300, 600', 'pick one of the windows WAF supports')]);
  });

  test('timeouts: a p99 that does not fit under the 29 s ceiling; overrides out of range', () => {
    // p99 35 s x 3 = 105 s, capped to floor((29,000 - 1,000) / 1,000) = 28 s: below the p99 itself.
    expect(problems({}, profile({ latencyMs: { p50: 20_000, p90: 28_000, p99: 35_000 } }))).toEqual([
      range('profile.latencyMs.p99', '35000', 'at most the model-server timeout (28000 ms) of a synchronous request',
        'serve this model through the async queue path, use faster hardware, or (Regional/private APIs only) set allowExtendedIntegrationTimeout after raising the quota'),
    ]);
    expect(problems({ overrides: { modelServerTimeoutSeconds: 3_601 } }))
      .toContainEqual(range('overrides.modelServerTimeoutSeconds', '3601', 'an integer from 1 to 3600', 'set overrides.modelServerTimeoutSeconds between 1 and 3600'));
    expect(problems({ overrides: { integrationTimeoutMs: 10_000.5 } }))
      .toEqual([range('overrides.integrationTimeoutMs', '10000.5', 'an integer from 1 to 300000', 'API Gateway takes whole milliseconds')]);
    expect(problems({ overrides: { maxEnqueuedBatches: 0 } })).toEqual([range('overrides.maxEnqueuedBatches', '0', 'an integer from 1 to 1000000', 'bound the batch queue')]);
  });

  test('throttles: a rate of 0, above the fleet, a burst above the account', () => {
    expect(problems({ overrides: { stageRateLimit: 0 } })).toEqual([range('overrides.stageRateLimit', '0', '0 < rate <= 10000 (the account limit)', 'lower the stage rate')]);
    expect(problems({ overrides: { stageRateLimit: 721 } })).toEqual([
      range('overrides.stageRateLimit', '721', '<= measured fleet capacity (4 x 180 = 720 req/s)', 'admitting more than the fleet can serve turns an attack into a backlog: lower the rate or raise maxInstances'),
    ]);
    expect(problems({ overrides: { stageBurstLimit: 5_001 } })).toEqual([range('overrides.stageBurstLimit', '5001', 'an integer from 1 to 5000', 'lower the burst')]);
    expect(problems({ overrides: { stageBurstLimit: 0.5 } })).toEqual([range('overrides.stageBurstLimit', '0.5', 'an integer from 1 to 5000', 'lower the burst')]);
    // The fleet's exact capacity and the account's exact burst are allowed.
    expect(deriveLimits(profile(), { backend: SM, maxInstances: 4, overrides: { stageRateLimit: 720, stageBurstLimit: 5_000 } }).throttle).toEqual({ rateLimit: 720, burstLimit: 5_000 });
  });

  test('WAF limit, scaling target, payload cap', () => {
    expect(problems({ overrides: { wafRateLimitPerIp: 9 } })).toEqual([
      range('overrides.wafRateLimitPerIp', '9', 'an integer from 10 to 2000000000 (the WAF rate-based rule range)', 'set the WAF limit between 10 and 2000000000 requests per window'),
    ]);
    // One instance serves 180 x 60 = 10,800 requests a minute.
    expect(problems({ overrides: { targetInvocationsPerInstancePerMinute: 10_801 } })).toEqual([
      range('overrides.targetInvocationsPerInstancePerMinute', '10801', '1..10800 (the measured capacity of one instance per minute)', 'a target above capacity means instances saturate before scaling starts'),
    ]);
    expect(problems({ overrides: { maxPayloadBytes: 119_999.5 } })).toEqual([
      range('overrides.maxPayloadBytes', '119999.5', 'a whole number of bytes', 'round the payload cap'),
      range('payload.maxBodyBytes', '119999.5', '>= the profile\'s largest request (120000 bytes)', 'raise the cap, or re-profile with the requests you actually serve'),
    ]);
    expect(problems({ overrides: { maxPayloadBytes: 6_291_457 } })).toEqual([
      range('payload.maxBodyBytes', '6291457', '<= 6291456 bytes (SageMaker limit)', 'lower the cap, or use the async path (S3 claim check) for large requests'),
    ]);
    // A request above the backend's hard limit: min(6,291,456, 20,000,000 x 1.25) = 6,291,456 bytes.
    expect(problems({}, profile({ maxRequestBytes: 20_000_000 }))).toEqual([
      range('payload.maxBodyBytes', '6291456', '>= the profile\'s largest request (20000000 bytes)',
        '6291456 bytes is the SageMaker\'s hard limit: send requests this large through the async path (S3 claim check), or make them smaller'),
    ]);
  });

  test('usage-plan tiers: not a list, empty, names, shares, duty cycles', () => {
    expect(problems({ usagePlanTiers: 'x' as never })).toEqual([
      range('usagePlanTiers', '"x"', 'a list of tiers', 'pass a list of { name, shareOfStageRate }'),
      range('usagePlanTiers', '[]', 'at least one tier', 'add a tier'),
    ]);
    const name = (i: number, value: string) => range(`usagePlanTiers[${i}].name`, value, 'a unique name of letters, digits, _ or -', 'rename the tier');
    const long = 'x'.repeat(65);
    expect(problems({ usagePlanTiers: [{ name: 'a b', shareOfStageRate: 0.1 }, { name: 'ok_1-A', shareOfStageRate: 0.1 }, { name: 'ok_1-A', shareOfStageRate: 0.1 }, { name: long, shareOfStageRate: 0.1 }, { name: '', shareOfStageRate: 0.1 }] }))
      .toEqual([name(0, '"a b"'), name(2, '"ok_1-A"'), name(3, JSON.stringify(long)), name(4, '""')]);
    expect(problems({ usagePlanTiers: [{ name: 'gold', shareOfStageRate: 1.5 }, { name: 'silver', shareOfStageRate: 0.5, dailyDutyCycle: 0 }] })).toEqual([
      range('usagePlanTiers[0].shareOfStageRate', '1.5', 'a number from 0.001 to 1', 'one key may never use more than the whole stage'),
      range('usagePlanTiers[1].dailyDutyCycle', '0', 'a number from 0.001 to 1', 'set usagePlanTiers[1].dailyDutyCycle between 0.001 and 1'),
    ]);
  });

  test('GPU memory above the profiled instance', () => {
    expect(problems({}, profile({ peakGpuMemoryMiB: 24_577 }))).toEqual([
      range('profile.peakGpuMemoryMiB', '24577', '<= the GPU memory of g5.xlarge (1 x 24576 MiB)', 'check the profile: it was measured on other hardware'),
    ]);
  });

  test('every number it computes with must be a finite number known at synth time', () => {
    const concrete = (prop: string) => ({ prop, value: 'Infinity', allowed: 'a finite number known at synth time', fix: `give ${prop} a plain number: limits are derived from it at synth time` });
    for (const k of ['minInstances', 'maxInstances', 'headroom', 'timeoutFactor', 'targetUtilization', 'maxBatchSize', 'wafWindowSeconds'] as const) {
      expect(problems({ [k]: Infinity })).toContainEqual(concrete(k));
    }
    for (const k of ['maxPayloadBytes', 'invocationTimeoutMs', 'throughputPerUnitRps'] as const) {
      expect(problems({ backend: { ...SM, [k]: Infinity } })).toContainEqual(concrete(`backend.${k}`));
    }
    expect(problems({ overrides: { stageRateLimit: Infinity } })).toContainEqual(concrete('overrides.stageRateLimit'));
    expect(problems({ usagePlanTiers: [{ name: 'a', shareOfStageRate: NaN, dailyDutyCycle: Infinity }] })).toEqual(expect.arrayContaining([
      { ...concrete('usagePlanTiers[0].shareOfStageRate'), value: 'NaN' }, concrete('usagePlanTiers[0].dailyDutyCycle'),
    ]));
  });
});

describe('deriveLimits formulas off the common path', () => {
  test('a p99 whose deadline is capped to fit under the 29 s ceiling', () => {
    // p99 9 s x 3 = 27 s, + 1 s margin = 28 s fits; p99 9.5 s x 3 = 28.5 -> 29 s, + 1 s does not: floor((29,000 - 1,000) / 1,000) = 28 s.
    const l = deriveLimits(profile({ latencyMs: { p50: 5_000, p90: 8_000, p99: 9_500 } }), { backend: SM });
    expect(l.timeouts).toEqual({ modelServerTimeoutSeconds: 28, integrationTimeoutMs: 29_000, nginxReadTimeoutSeconds: 28 });
    expect(l.formulas['timeouts.modelServerTimeoutSeconds']).toBe('ceil(max(5000 ms floor, p99 9500 ms x timeoutFactor 3) / 1000) = 29 s, capped to 28 s so it fits under the 29000 ms integration ceiling');
    expect(l.formulas['timeouts.integrationTimeoutMs']).toBe('min(29000 ms ceiling, modelServerTimeout 28000 ms + 1000 ms margin) = 29000 ms');
    // Exactly at the ceiling (9 s x 3 = 27 s, 28,000 ms <= 29,000 ms) nothing is capped.
    expect(deriveLimits(profile({ latencyMs: { p50: 5_000, p90: 8_000, p99: 9_000 } }), { backend: SM }).timeouts.modelServerTimeoutSeconds).toBe(27);
    // An override is never capped (the chain check reports it instead).
    expect(deriveLimits(profile({ latencyMs: { p50: 5_000, p90: 8_000, p99: 9_500 } }), { backend: SM, overrides: { modelServerTimeoutSeconds: 20 } }).timeouts.modelServerTimeoutSeconds).toBe(20);
  });

  test('the extended ceiling: Regional with the opt-in, never on an edge-optimized API, at most the backend\'s own timeout', () => {
    const slow = profile({ latencyMs: { p50: 20_000, p90: 28_000, p99: 35_000 } });
    // 35 s x 3 = 105 s; the SageMaker's 60 s invocation timeout caps it: floor((60,000 - 1,000) / 1,000) = 59 s.
    const regional = deriveLimits(slow, { backend: SM, allowExtendedIntegrationTimeout: true });
    expect(regional.timeouts).toEqual({ modelServerTimeoutSeconds: 59, integrationTimeoutMs: 60_000, nginxReadTimeoutSeconds: 59 });
    // Without a backend: up to the 300 s extended ceiling, so 105 s + 1 s.
    expect(deriveLimits(slow, { allowExtendedIntegrationTimeout: true }).timeouts.integrationTimeoutMs).toBe(106_000);
    // Edge-optimized: 29 s, whatever the opt-in says.
    expect(deriveLimits(profile({ latencyMs: { p50: 5_000, p90: 8_000, p99: 9_500 } }), { allowExtendedIntegrationTimeout: true, endpointType: apigw.EndpointType.EDGE }).timeouts.integrationTimeoutMs).toBe(29_000);
  });

  test('a small Region: the account limits are 2,500 req/s and a burst of 1,250', () => {
    // 20 instances: 20 x 180 x 0.8 = 2,880 req/s -> 2,500; burst 2 x 20 x 8 = 320.
    const l = deriveLimits(profile(), { backend: SM, maxInstances: 20, region: 'af-south-1' });
    expect(l.throttle).toEqual({ rateLimit: 2_500, burstLimit: 320 });
    expect(l.formulas['throttle.rateLimit']).toBe('min(account 2500, maxInstances 20 x throughput 180 req/s per instance x headroom 0.8) = 2500 req/s');
    expect(l.formulas['throttle.burstLimit']).toBe('min(account 1250, 2 waves x maxInstances 20 x concurrency 8 per instance) = 320');
    // 100 instances: burst 2 x 100 x 8 = 1,600 -> 1,250; elsewhere 5,000 allows it.
    expect(deriveLimits(profile(), { backend: SM, maxInstances: 100, region: 'af-south-1' }).throttle.burstLimit).toBe(1_250);
    expect(deriveLimits(profile(), { backend: SM, maxInstances: 100, region: 'eu-west-1' }).throttle).toEqual({ rateLimit: 10_000, burstLimit: 1_600 });
  });

  test('a backend with its own throughput and concurrency per unit, capacity on demand and a default maximum', () => {
    // 12 req/s and 1 at a time per invocation, 6 at most by default: stage 6 x 12 x 0.8 = 57.6 req/s; burst 2 x 6 x 1 = 12.
    // Capacity on demand: the per-key ceiling counts the maximum, 6 x 12 x 0.8 x 0.5 / 2.28 = 12.63 req/s;
    // the premium tier (0.5 x 57.6 = 28.8) scales by 12.63 / 28.8 = 0.4385417 -> 0.438542 (six places).
    const backend = { ...SM, name: 'serverless endpoint', scalesToZero: true, scalingUnit: 'invocation', throughputPerUnitRps: 12, concurrencyPerUnit: 1, capacityOnDemand: true, defaultMaxUnits: 6, defaultMaxUnitsFormula: 'MaxConcurrency 6' };
    const l = deriveLimits(profile(), { backend });
    expect(l.scaling.minInstances).toBe(0);
    expect(l.scaling.maxInstances).toBe(6);
    expect(l.throttle).toEqual({ rateLimit: 57.6, burstLimit: 12 });
    expect(l.formulas['scaling.maxInstances']).toBe('MaxConcurrency 6; the cost ceiling under attack');
    expect(l.formulas['throttle.rateLimit']).toBe('min(account 10000, maxInstances 6 x throughput 12 req/s per invocation x headroom 0.8) = 57.6 req/s');
    expect(l.formulas['throttle.burstLimit']).toBe('min(account 5000, 2 waves x maxInstances 6 x concurrency 1 per invocation) = 12');
    expect(l.formulas['usagePlanTiers.premium']).toBe('rate = stage 57.6 x 0.5 x 0.438542 (top tier capped at the per-key ceiling = maxInstances 6 (capacity on demand) x 12 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 12.63 req/s) = 12.63 req/s; burst = ceil(stage 12 x 0.5) = 6; quota/day = ceil(rate x 86400 x duty 0.5) = 545616');
    // floor(12 x 60 x 0.7) = 504 per invocation per minute.
    expect(l.formulas['scaling.targetInvocationsPerInstancePerMinute']).toBe('floor(throughput 12 req/s x 60 s x targetUtilization 0.7) = 504 per invocation per minute');
    // Without a default maximum formula, the default is named as one.
    expect(deriveLimits(profile(), {}).formulas['scaling.maxInstances']).toBe('default (2); the cost ceiling under attack');
  });

  test('tiers under the per-key ceiling are not scaled; a tier\'s own duty cycle sets its quota', () => {
    // Minimum fleet of 4: ceiling 4 x 180 x 0.8 x 0.5 / 2.28 = 126.32 req/s; one tier at 0.1 of 576 = 57.6 req/s is under it.
    // Quota ceil(57.6 x 86,400 x 0.25) = 1,244,160.
    const l = deriveLimits(profile(), { backend: SM, minInstances: 4, maxInstances: 4, usagePlanTiers: [{ name: 'only', shareOfStageRate: 0.1, dailyDutyCycle: 0.25 }] });
    expect(l.usagePlanTiers).toEqual([{ name: 'only', rateLimit: 57.6, burstLimit: 7, quotaPerDay: 1_244_160 }]);
    expect(l.formulas['usagePlanTiers.only']).toBe('rate = stage 576 x 0.1 (under the per-key ceiling = max(1, minInstances) 4 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 126.32 req/s) = 57.6 req/s; burst = ceil(stage 64 x 0.1) = 7; quota/day = ceil(rate x 86400 x duty 0.25) = 1244160');
  });

  test('the GPU memory alarm: 1.2 x the profile\'s share of the GPU, within 50..95 %; 90 % off the GPU table', () => {
    // 14,000 / 24,576 = 56.97 % x 1.2 = 68.36 -> 69 %.
    const l = deriveLimits(profile({ peakGpuMemoryMiB: 14_000 }), { backend: SM });
    expect(l.alarms.gpuMemoryUtilizationPercent).toBe(69);
    // 22,000 / 24,576 = 89.5 % x 1.2 = 107.4 -> 95 %.
    expect(deriveLimits(profile({ peakGpuMemoryMiB: 22_000 }), { backend: SM }).alarms.gpuMemoryUtilizationPercent).toBe(95);
    const cpu = deriveLimits(profile({ hardware: 'ml.c5.xlarge' }), { backend: SM });
    expect(cpu.alarms.gpuMemoryUtilizationPercent).toBe(90);
    expect(cpu.formulas['alarms.gpuMemoryUtilizationPercent']).toBe('90 % (hardware ml.c5.xlarge not in the GPU table)');
  });
});

describe('deriveLimits at each bound: the bound itself allowed, one past it refused', () => {
  test('the error names its code, the profile and every problem', () => {
    const e = errorOf(() => deriveLimits(profile(), { backend: SM, headroom: 2, wafWindowSeconds: 30 }));
    expect([e.code, e.path]).toEqual(['LIMITS_INVALID', 'limits for mnist-cnn on ml.g5.xlarge']);
    expect(e.message.split('\n')[0]).toBe('[LIMITS_INVALID] the limits derived from the profile break an invariant:');
  });

  test('the stage rate: the account limit, a fleet of one', () => {
    // 100 instances serve 18,000 req/s: 10,000 is allowed, 10,001 passes the account limit.
    expect(deriveLimits(profile(), { backend: SM, maxInstances: 100, overrides: { stageRateLimit: 10_000 } }).throttle.rateLimit).toBe(10_000);
    expect(problems({ maxInstances: 100, overrides: { stageRateLimit: 10_001 } })).toEqual([range('overrides.stageRateLimit', '10001', '0 < rate <= 10000 (the account limit)', 'lower the stage rate')]);
    // One instance serves 180 req/s: 181 is more than the fleet.
    expect(problems({ maxInstances: 1, overrides: { stageRateLimit: 181 } })).toEqual([
      range('overrides.stageRateLimit', '181', '<= measured fleet capacity (1 x 180 = 180 req/s)', 'admitting more than the fleet can serve turns an attack into a backlog: lower the rate or raise maxInstances'),
    ]);
    expect(problems({ overrides: { stageBurstLimit: 0 } })).toEqual([range('overrides.stageBurstLimit', '0', 'an integer from 1 to 5000', 'lower the burst')]);
  });

  test('the WAF limit, the scaling target, the payload cap, the GPU memory', () => {
    expect(deriveLimits(profile(), { backend: SM, overrides: { wafRateLimitPerIp: 2_000_000_000 } }).waf.rateLimitPerIp).toBe(2_000_000_000);
    expect(problems({ overrides: { wafRateLimitPerIp: 2_000_000_001 } })).toEqual([
      range('overrides.wafRateLimitPerIp', '2000000001', 'an integer from 10 to 2000000000 (the WAF rate-based rule range)', 'set the WAF limit between 10 and 2000000000 requests per window'),
    ]);
    expect(deriveLimits(profile(), { backend: SM, overrides: { targetInvocationsPerInstancePerMinute: 10_800 } }).scaling.targetInvocationsPerInstancePerMinute).toBe(10_800);
    expect(problems({ overrides: { targetInvocationsPerInstancePerMinute: 0 } })).toEqual([
      range('overrides.targetInvocationsPerInstancePerMinute', '0', '1..10800 (the measured capacity of one instance per minute)', 'a target above capacity means instances saturate before scaling starts'),
    ]);
    expect(deriveLimits(profile(), { backend: SM, overrides: { maxPayloadBytes: 120_000 } }).payload.maxBodyBytes).toBe(120_000);
    // A request exactly at the backend's limit fits it: a cap below the request is a choice to raise, not a hard limit.
    expect(problems({ overrides: { maxPayloadBytes: 6_000_000 } }, profile({ maxRequestBytes: 6_291_456 }))).toEqual([
      range('payload.maxBodyBytes', '6000000', '>= the profile\'s largest request (6291456 bytes)', 'raise the cap, or re-profile with the requests you actually serve'),
    ]);
    expect(deriveLimits(profile({ peakGpuMemoryMiB: 24_576 }), { backend: SM }).alarms.gpuMemoryUtilizationPercent).toBe(95);
    // Four GPUs of 24,576 MiB: 98,304 MiB in all. 60,000 / 98,304 = 61.04 % x 1.2 = 73.24 -> 74 %; 98,305 is refused.
    expect(deriveLimits(profile({ hardware: 'ml.g5.12xlarge', peakGpuMemoryMiB: 60_000 }), { backend: SM }).alarms.gpuMemoryUtilizationPercent).toBe(74);
    expect(deriveLimits(profile({ hardware: 'ml.g5.12xlarge', peakGpuMemoryMiB: 98_304 }), { backend: SM }).alarms.gpuMemoryUtilizationPercent).toBe(95);
    expect(problems({}, profile({ hardware: 'ml.g5.12xlarge', peakGpuMemoryMiB: 98_305 }))).toEqual([
      range('profile.peakGpuMemoryMiB', '98305', '<= the GPU memory of g5.12xlarge (4 x 24576 MiB)', 'check the profile: it was measured on other hardware'),
    ]);
  });

  test('the timeout ceiling: a deadline that fits exactly is not capped, an override never is; a p99 equal to the timeout is allowed', () => {
    // p99 9.2 s x 3 = 27.6 -> 28 s; 28,000 + 1,000 = 29,000 ms is the ceiling itself.
    expect(deriveLimits(profile({ latencyMs: { p50: 5_000, p90: 8_000, p99: 9_200 } }), { backend: SM }).formulas['timeouts.modelServerTimeoutSeconds'])
      .toBe('ceil(max(5000 ms floor, p99 9200 ms x timeoutFactor 3) / 1000) = 28 s');
    // An override of 29 s (+ 1 s = 30 s, above the ceiling) is kept; the integration timeout stays at 29 s.
    expect(deriveLimits(profile({ latencyMs: { p50: 5_000, p90: 8_000, p99: 9_500 } }), { backend: SM, overrides: { modelServerTimeoutSeconds: 29 } }).timeouts)
      .toEqual({ modelServerTimeoutSeconds: 29, integrationTimeoutMs: 29_000, nginxReadTimeoutSeconds: 29 });
    // p99 28 s with timeoutFactor 1: a 28 s model-server timeout, which the p99 just fits.
    expect(deriveLimits(profile({ latencyMs: { p50: 20_000, p90: 25_000, p99: 28_000 } }), { backend: SM, timeoutFactor: 1 }).timeouts.modelServerTimeoutSeconds).toBe(28);
  });

  test('without a backend: a generic backend of instances, with no payload limit', () => {
    const f = deriveLimits(profile(), {}).formulas;
    expect(f['throttle.rateLimit']).toBe('min(account 10000, maxInstances 2 x throughput 180 req/s per instance x headroom 0.8) = 288 req/s');
    expect(f['payload.maxBodyBytes']).toBe('min(backend limit none, maxRequestBytes 120000 x 1.25) = 150000 bytes');
    expect(problems({ backend: undefined, minInstances: 0 })).toEqual([range('minInstances', '0', 'an integer from 1 to 10000', 'the backend keeps at least one instance (it cannot scale to zero)')]);
  });
});
