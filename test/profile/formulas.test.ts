import { aws_apigateway as apigw } from 'aws-cdk-lib';
import { Limits, checkTimeoutChain, deriveLimits, deriveQueueLimits } from '../../lib/profile';
import { profile } from '../support/profiles';

// The formulas `kig limits` prints beside each number, in full: each states its inputs and its
// result, so a wrong constant, operator or label shows here. The base profile: p50 18 ms, p99 41 ms,
// 180 req/s and concurrency 8 per ml.g5.xlarge (1 x 24,576 MiB GPU), 120,000-byte requests,
// 2,150 MiB of GPU memory. Checked by hand:
//   timeouts: max(5,000, ceil(41 x 3 = 123)) = 5,000 ms -> 5 s; integration min(29,000, 5,000 + 1,000) = 6,000 ms
//   stage: 4 x 180 x 0.8 = 576 req/s; burst 2 x 4 x 8 = 64
//   per-key ceiling: 1 x 180 x 0.8 x 0.5 / round2(41 / 18 = 2.2778) = 72 / 2.28 = 31.58 req/s, so the
//   tiers scale by 31.58 / (576 x 0.5) = 0.1096528 -> 0.109653: basic 576 x 0.1 x 0.109653 = 6.316 -> 6.32,
//   standard 15.79, premium 31.58; bursts ceil(6.4) = 7, 16, 32; quotas x 86,400 x 0.5: 273,024, 682,128, 1,364,256
//   WAF ceil(1.2 x 31.58 x 300 = 11,368.8) = 11,369; blocked/min ceil(11,369 / 300 x 60 = 2,273.8) = 2,274
//   scaling floor(180 x 60 x 0.7) = 7,560; payload 120,000 x 1.25 = 150,000; batches floor(5,000 / 41 = 121.95) = 121
//   GPU memory 2,150 / 24,576 = 8.75 % x 1.2 = 10.5 -> 11, clamped up to 50
const SM = { backend: { name: 'SageMaker', maxPayloadBytes: 6_291_456, invocationTimeoutMs: 60_000, synchronous: true, scalesToZero: false, scalingUnit: 'instance' } };

test('Limits.derive and Limits.deriveForQueue, the public entry points, give these numbers', () => {
  // 4 x 180 x 0.8 = 576 req/s, burst 2 x 4 x 8 = 64; the queue: 3 x 180 = 540 jobs/s x 300 s = 162,000.
  expect(Limits.derive(profile(), { ...SM, maxInstances: 4 }).throttle).toEqual({ rateLimit: 576, burstLimit: 64 });
  expect(Limits.deriveForQueue(profile(), { maxInstances: 3 }).depthBudget).toBe(162_000);
});

describe('the formulas of Limits.derive', () => {
  test('derived from the profile: 4 instances', () => {
    expect(deriveLimits(profile(), { ...SM, maxInstances: 4 }).formulas).toEqual({
    "scaling.maxInstances": "given (4 instances); the cost ceiling under attack",
    "timeouts.modelServerTimeoutSeconds": "ceil(max(5000 ms floor, p99 41 ms x timeoutFactor 3) / 1000) = 5 s",
    "timeouts.integrationTimeoutMs": "min(29000 ms ceiling, modelServerTimeout 5000 ms + 1000 ms margin) = 6000 ms",
    "timeouts.nginxReadTimeoutSeconds": "= modelServerTimeout (5 s): SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS, how long the container's nginx waits for TF Serving",
    "throttle.rateLimit": "min(account 10000, maxInstances 4 x throughput 180 req/s per instance x headroom 0.8) = 576 req/s",
    "throttle.burstLimit": "min(account 5000, 2 waves x maxInstances 4 x concurrency 8 per instance) = 64",
    "usagePlanTiers.basic": "rate = stage 576 x 0.1 x 0.109653 (top tier capped at the per-key ceiling = max(1, minInstances) 1 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 31.58 req/s) = 6.32 req/s; burst = ceil(stage 64 x 0.1) = 7; quota/day = ceil(rate x 86400 x duty 0.5) = 273024",
    "usagePlanTiers.standard": "rate = stage 576 x 0.25 x 0.109653 (top tier capped at the per-key ceiling = max(1, minInstances) 1 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 31.58 req/s) = 15.79 req/s; burst = ceil(stage 64 x 0.25) = 16; quota/day = ceil(rate x 86400 x duty 0.5) = 682128",
    "usagePlanTiers.premium": "rate = stage 576 x 0.5 x 0.109653 (top tier capped at the per-key ceiling = max(1, minInstances) 1 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 31.58 req/s) = 31.58 req/s; burst = ceil(stage 64 x 0.5) = 32; quota/day = ceil(rate x 86400 x duty 0.5) = 1364256",
    "waf.rateLimitPerIp": "max(10, ceil(1.2 x top tier 31.58 req/s x window 300 s)) = 11369 per IP per window",
    "scaling.targetInvocationsPerInstancePerMinute": "floor(throughput 180 req/s x 60 s x targetUtilization 0.7) = 7560 per instance per minute",
    "payload.maxBodyBytes": "min(SageMaker limit 6291456, maxRequestBytes 120000 x 1.25) = 150000 bytes",
    "modelServer.maxEnqueuedBatches": "max(1, floor(modelServerTimeout 5000 ms / p99 41 ms)) = 121: a queued batch is served before its request times out",
    "alarms.apiLatencyP99Ms": "0.8 x integrationTimeout 6000 ms = 4800 ms",
    "alarms.integrationLatencyP99Ms": "0.9 x integrationTimeout 6000 ms = 5400 ms",
    "alarms.throttledPerMinute": "max(10, 5 % of stage capacity per minute 576 x 60) = 1728",
    "alarms.wafBlockedPerMinute": "max(10, one IP's WAF allowance per minute) = 2274",
    "alarms.modelLatencyP99Micros": "1.5 x profile p99 41 ms = 61500 us",
    "alarms.gpuMemoryUtilizationPercent": "clamp(50..95, 1.2 x peak GPU memory 2150 MiB / 1 x 24576 MiB) = 50 %"
  });
  });

  test('every override named as one, with its unit; what depends on it derived from it', () => {
    // Stage 333.3 req/s: the tiers scale by 31.58 / 166.65 = 0.189499; bursts ceil(77 x 0.1 = 7.7) = 8,
    // ceil(19.25) = 20, ceil(38.5) = 39. Alarms: 0.8 x 8,500 = 6,800; 0.9 x 8,500 = 7,650;
    // ceil(333.3 x 60 x 0.05 = 999.9) = 1,000; 5,555 / 300 x 60 = 1,111.
    const o = deriveLimits(profile(), {
      ...SM, maxInstances: 4,
      overrides: { modelServerTimeoutSeconds: 7, integrationTimeoutMs: 8_500, stageRateLimit: 333.3, stageBurstLimit: 77, wafRateLimitPerIp: 5_555, targetInvocationsPerInstancePerMinute: 6_000, maxPayloadBytes: 140_001, maxEnqueuedBatches: 33 },
    });
    expect(o.formulas).toEqual({
    "scaling.maxInstances": "given (4 instances); the cost ceiling under attack",
    "timeouts.modelServerTimeoutSeconds": "override (7 s)",
    "timeouts.integrationTimeoutMs": "override (8500 ms)",
    "timeouts.nginxReadTimeoutSeconds": "= modelServerTimeout (7 s): SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS, how long the container's nginx waits for TF Serving",
    "throttle.rateLimit": "override (333.3 req/s)",
    "throttle.burstLimit": "override (77)",
    "usagePlanTiers.basic": "rate = stage 333.3 x 0.1 x 0.189499 (top tier capped at the per-key ceiling = max(1, minInstances) 1 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 31.58 req/s) = 6.32 req/s; burst = ceil(stage 77 x 0.1) = 8; quota/day = ceil(rate x 86400 x duty 0.5) = 273024",
    "usagePlanTiers.standard": "rate = stage 333.3 x 0.25 x 0.189499 (top tier capped at the per-key ceiling = max(1, minInstances) 1 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 31.58 req/s) = 15.79 req/s; burst = ceil(stage 77 x 0.25) = 20; quota/day = ceil(rate x 86400 x duty 0.5) = 682128",
    "usagePlanTiers.premium": "rate = stage 333.3 x 0.5 x 0.189499 (top tier capped at the per-key ceiling = max(1, minInstances) 1 x 180 req/s x headroom 0.8 x 0.5 / heavy request cost 2.28 (p99/p50) = 31.58 req/s) = 31.58 req/s; burst = ceil(stage 77 x 0.5) = 39; quota/day = ceil(rate x 86400 x duty 0.5) = 1364256",
    "waf.rateLimitPerIp": "override (5555 per 300 s)",
    "scaling.targetInvocationsPerInstancePerMinute": "override (6000 per minute)",
    "payload.maxBodyBytes": "override (140001 bytes)",
    "modelServer.maxEnqueuedBatches": "override (33)",
    "alarms.apiLatencyP99Ms": "0.8 x integrationTimeout 8500 ms = 6800 ms",
    "alarms.integrationLatencyP99Ms": "0.9 x integrationTimeout 8500 ms = 7650 ms",
    "alarms.throttledPerMinute": "max(10, 5 % of stage capacity per minute 333.3 x 60) = 1000",
    "alarms.wafBlockedPerMinute": "max(10, one IP's WAF allowance per minute) = 1111",
    "alarms.modelLatencyP99Micros": "1.5 x profile p99 41 ms = 61500 us",
    "alarms.gpuMemoryUtilizationPercent": "clamp(50..95, 1.2 x peak GPU memory 2150 MiB / 1 x 24576 MiB) = 50 %"
  });
  });
});

describe('the formulas of Limits.deriveForQueue', () => {
  test('derived from the profile: 3 instances', () => {
    // Deadline max(1,000, ceil(123)) = 1,000 ms; batch floor(1,000 / 41 = 24.4) clamped to 10; worker
    // ceil(10 x 1 s + 5 s) = 15 s; visibility 6 x 15 = 90 s; workers 3 x 8 = 24; drain min(24 x 180 / 8,
    // 3 x 180) = 540/s; budget 540 x 300 = 162,000; Retry-After at the budget ceil(81,000 / 540) = 150 s;
    // max job cost floor3(1,000 / 41 = 24.3902) = 24.39; sync threshold floor3(6,000 / 41 = 146.3414) = 146.341.
    expect(deriveQueueLimits(profile(), { maxInstances: 3 }).formulas).toEqual({
    perCallDeadlineMs: "max(1000 ms, ceil(p99 41 ms x timeoutFactor 3)) = 1000 ms",
    batchSize: "clamp(1..10, floor(1000 ms of work per invocation / p99 41 ms)) = 10",
    workerTimeoutSeconds: "ceil(batchSize 10 x perCallDeadline 1000 ms / 1000 + margin 5 s) = 15 s",
    visibilityTimeoutSeconds: "6 x workerTimeout 15 s = 90 s (AWS: >= 6 x the function timeout)",
    maxReceiveCount: "default 5: AWS recommends >= 5 with Lambda; a poison message costs at most 5 x 1000 ms = 5000 ms of model time, and model 4xx answers are not retried at all",
    maxWorkers: "clamp(2..1000, maxInstances 3 x sustainableConcurrency 8) = 24",
    drainRatePerSecond: "min(maxWorkers 24 x throughput 180 / sustainableConcurrency 8, maxInstances 3 x throughput 180) = 540 jobs/s",
    depthBudget: "max(1, floor(drainRate 540 jobs/s x acceptableWait 300 s)) = 162000 messages (visible + in flight)",
    ageOfOldestMessageBudgetSeconds: "acceptableWait 300 s + workerTimeout 15 s (a message is counted until it is deleted after processing) = 315 s",
    retryAfterSeconds: "clamp(1..acceptableWait 300, ceil((depth - resumeFraction 0.5 x budget 162000) / drainRate 540)); at the budget: 150 s",
    admissionSlackMessages: "admissionReservedConcurrency 10: each environment admits at most max(1, floor(remaining / 10)) per depth reading (cache 5 s), so together at most the remaining budget + 1 each",
    "costModel.fixedShare": "default 0.1: the profile has no input-size sensitivity (run kig profile with several --payload sizes to measure it)",
    "costModel.referenceElements": "no signature: every job costs one unit",
    maxRequestCostUnits: "fixedShare 0.1 + (1 - 0.1) x maxBatch 1 = 1 units",
    profiledRequestCostUnits: "maxRequestCost 1: kig profile runs its load steps with its largest payload",
    maxJobCostUnits: "profiledRequestCost 1 x perCallDeadline 1000 ms / p99 41 ms = 24.39 units (dearer jobs: 413)",
    drainUnitsPerSecond: "drainRate 540 jobs/s x profiledRequestCost 1 = 540 units/s",
    costBudgetUnits: "max(maxJobCost 24.39, drainUnits 540 units/s x acceptableWait 300 s) = 162000 units (admitted, not yet final)",
    "tiers.default": "budget 1 x 162000 = 162000 units; one key min(0.25, 1) x 162000 = 40500 units",
    syncCostThresholdUnits: "profiledRequestCost 1 x integrationTimeout 6000 ms (min(29000, max(5 s, p99 x timeoutFactor) + 1000 ms)) / p99 41 ms = 146.341 units: a heavier request's p99 passes the integration timeout at the knee; it belongs on POST /jobs",
    // No signature: one instance of one element, 1 unit <= 146.341, so the cap keeps the batch of 1.
    syncMaxBatchSize: "the signature's maxBatch 1: its dearest request (1 units) is within the threshold 146.341",
    syncMaxVariableDim: "no variable dimension: 0",
    syncMaxRequestCostUnits: "cost(1 x 1 elements) = 1 units <= threshold 146.341",
    messageRetentionSeconds: "default 345600 s, checked >= ageBudget 315 s + maxReceiveCount 5 x visibility 90 s = 765 s",
    deadLetterRetentionSeconds: "1209600 s (14 days, the SQS maximum; standard-queue expiry counts from the original enqueue time, so it must exceed the main queue's 345600 s)",
    maxInlineMessageBytes: "min(262144, SQS 1048576, (Lambda payload 6291456 - envelope 65536) / batchSize 10) = 262144 bytes; larger payloads go to S3",
    maxRequestBytes: "min(Lambda payload 6291456 - envelope 65536, profile.maxRequestBytes 120000 x 1.25) = 150000 bytes",
    retryBackoffSeconds: "min(visibility 90 s, base 1 s (one per-call deadline) x 2^(receiveCount - 1)) x (0.5 + 0.5 x random)"
  });
  });

  test('given options named as given, and what depends on them', () => {
    // Batch 3: worker ceil(3 x 1 s + 5 s) = 8 s, visibility at least 6 x 8 = 48 s (120 given); drain
    // min(10 x 22.5 = 225, 540) = 225/s; budget 225 x 250 = 56,250; one key 0.25 x 56,250 = 14,062.5;
    // retention at least 250 + 8 + 4 x 120 = 738 s.
    const q = deriveQueueLimits(profile(), { maxInstances: 3, maxWorkers: 10, visibilityTimeoutSeconds: 120, maxReceiveCount: 4, batchSize: 3, acceptableWaitSeconds: 250, messageRetentionSeconds: 86_400 });
    expect(q.formulas).toEqual({
    perCallDeadlineMs: "max(1000 ms, ceil(p99 41 ms x timeoutFactor 3)) = 1000 ms",
    batchSize: "override (3)",
    workerTimeoutSeconds: "ceil(batchSize 3 x perCallDeadline 1000 ms / 1000 + margin 5 s) = 8 s",
    visibilityTimeoutSeconds: "override (120 s), checked >= 6 x worker timeout = 48 s",
    maxReceiveCount: "given 4: AWS recommends >= 5 with Lambda; a poison message costs at most 4 x 1000 ms = 4000 ms of model time, and model 4xx answers are not retried at all",
    maxWorkers: "override (10)",
    drainRatePerSecond: "min(maxWorkers 10 x throughput 180 / sustainableConcurrency 8, maxInstances 3 x throughput 180) = 225 jobs/s",
    depthBudget: "max(1, floor(drainRate 225 jobs/s x acceptableWait 250 s)) = 56250 messages (visible + in flight)",
    ageOfOldestMessageBudgetSeconds: "acceptableWait 250 s + workerTimeout 8 s (a message is counted until it is deleted after processing) = 258 s",
    retryAfterSeconds: "clamp(1..acceptableWait 250, ceil((depth - resumeFraction 0.5 x budget 56250) / drainRate 225)); at the budget: 125 s",
    admissionSlackMessages: "admissionReservedConcurrency 10: each environment admits at most max(1, floor(remaining / 10)) per depth reading (cache 5 s), so together at most the remaining budget + 1 each",
    "costModel.fixedShare": "default 0.1: the profile has no input-size sensitivity (run kig profile with several --payload sizes to measure it)",
    "costModel.referenceElements": "no signature: every job costs one unit",
    maxRequestCostUnits: "fixedShare 0.1 + (1 - 0.1) x maxBatch 1 = 1 units",
    profiledRequestCostUnits: "maxRequestCost 1: kig profile runs its load steps with its largest payload",
    maxJobCostUnits: "profiledRequestCost 1 x perCallDeadline 1000 ms / p99 41 ms = 24.39 units (dearer jobs: 413)",
    drainUnitsPerSecond: "drainRate 225 jobs/s x profiledRequestCost 1 = 225 units/s",
    costBudgetUnits: "max(maxJobCost 24.39, drainUnits 225 units/s x acceptableWait 250 s) = 56250 units (admitted, not yet final)",
    "tiers.default": "budget 1 x 56250 = 56250 units; one key min(0.25, 1) x 56250 = 14062.5 units",
    syncCostThresholdUnits: "profiledRequestCost 1 x integrationTimeout 6000 ms (min(29000, max(5 s, p99 x timeoutFactor) + 1000 ms)) / p99 41 ms = 146.341 units: a heavier request's p99 passes the integration timeout at the knee; it belongs on POST /jobs",
    // No signature: one instance of one element, 1 unit <= 146.341, so the cap keeps the batch of 1.
    syncMaxBatchSize: "the signature's maxBatch 1: its dearest request (1 units) is within the threshold 146.341",
    syncMaxVariableDim: "no variable dimension: 0",
    syncMaxRequestCostUnits: "cost(1 x 1 elements) = 1 units <= threshold 146.341",
    messageRetentionSeconds: "given 86400 s, checked >= ageBudget 258 s + maxReceiveCount 4 x visibility 120 s = 738 s",
    deadLetterRetentionSeconds: "1209600 s (14 days, the SQS maximum; standard-queue expiry counts from the original enqueue time, so it must exceed the main queue's 86400 s)",
    maxInlineMessageBytes: "min(262144, SQS 1048576, (Lambda payload 6291456 - envelope 65536) / batchSize 3) = 262144 bytes; larger payloads go to S3",
    maxRequestBytes: "min(Lambda payload 6291456 - envelope 65536, profile.maxRequestBytes 120000 x 1.25) = 150000 bytes",
    retryBackoffSeconds: "min(visibility 120 s, base 1 s (one per-call deadline) x 2^(receiveCount - 1)) x (0.5 + 0.5 x random)"
  });
    expect([q.drainRatePerSecond, q.depthBudget, q.retryAfterAtBudgetSeconds, q.ageOfOldestMessageBudgetSeconds, q.poisonMessageCostMs]).toEqual([225, 56_250, 125, 258, 4_000]);
  });
});

describe('checkTimeoutChain: each broken link in full, and each bound itself allowed', () => {
  const regional = { endpointType: apigw.EndpointType.REGIONAL, allowExtendedIntegrationTimeout: false };
  const chain = (integrationTimeoutMs: number, modelServerTimeoutMs: number, more: Partial<Parameters<typeof checkTimeoutChain>[0]> = {}) =>
    checkTimeoutChain({ ...regional, integrationTimeoutMs, modelServerTimeoutMs, ...more });

  test('the integration timeout: 50 ms to 29 s, up to 300 s with the opt-in on a Regional or private API', () => {
    expect([chain(50, 50), chain(29_000, 29_000), chain(300_000, 300_000, { allowExtendedIntegrationTimeout: true })]).toEqual([[], [], []]);
    expect(chain(49, 40)).toEqual([{ prop: 'integrationTimeout', value: '49 ms', allowed: 'at least 50 ms', fix: 'raise the integration timeout' }]);
    expect(chain(29_001, 20_000)).toEqual([{
      prop: 'integrationTimeout', value: '29001 ms', allowed: 'at most 29000 ms unless allowExtendedIntegrationTimeout is true',
      fix: 'lower the timeout, or request the quota increase and set allowExtendedIntegrationTimeout: true',
    }]);
    expect(chain(29_001, 20_000, { endpointType: apigw.EndpointType.EDGE, allowExtendedIntegrationTimeout: true })).toEqual([{
      prop: 'integrationTimeout', value: '29001 ms', allowed: 'at most 29000 ms on an EDGE-optimized API (the 29 s limit cannot be raised there)',
      fix: 'use a REGIONAL or PRIVATE endpoint, lower the timeout, or use the async queue path',
    }]);
    expect(chain(300_001, 20_000, { allowExtendedIntegrationTimeout: true })).toEqual([{
      prop: 'integrationTimeout', value: '300001 ms', allowed: 'at most 300000 ms even with an extended quota', fix: 'use the async queue path for longer requests',
    }]);
  });

  test('the model server gives up first; the load balancer waits longer; the backend can answer in time', () => {
    // Equal ends are allowed where the link says <=, refused where it says <.
    expect(chain(10_000, 10_000, { loadBalancerIdleTimeoutMs: 10_001, backendTimeoutMs: 10_000 })).toEqual([]);
    expect(chain(10_000, 10_001, { loadBalancerIdleTimeoutMs: 10_000, backendTimeoutMs: 9_999 })).toEqual([
      {
        prop: 'modelServerTimeout -> integrationTimeout', value: 'model server 10001 ms > integration 10000 ms', allowed: 'model-server timeout <= integration timeout',
        fix: 'lower the model-server timeout or raise the integration timeout, so the server gives up before API Gateway does',
      },
      {
        prop: 'integrationTimeout -> loadBalancer.idleTimeout', value: 'integration 10000 ms >= load balancer idle 10000 ms', allowed: 'load balancer idle timeout > integration timeout',
        fix: 'raise the load balancer idle timeout above the integration timeout, so API Gateway (not the load balancer) times out first with a clean 504',
      },
      {
        prop: 'integrationTimeout -> backend', value: 'integration 10000 ms > backend 9999 ms', allowed: 'integration timeout <= the backend hard timeout',
        fix: 'lower the integration timeout: waiting longer than the backend can answer only holds connections open',
      },
    ]);
    expect(chain(10_000, 9_000, { backendTimeoutMs: 9_999, backendName: 'SageMaker' })[0]).toMatchObject({
      prop: 'integrationTimeout -> SageMaker', value: 'integration 10000 ms > SageMaker 9999 ms', allowed: 'integration timeout <= the SageMaker hard timeout',
    });
  });
});
