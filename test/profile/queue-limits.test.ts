import { InferenceProfile } from '../../lib/profile';
import { deriveQueueLimits } from '../../lib/profile/queue-limits';
import { admissionCap, rejectionDepthBound, retryAfterSeconds, retryBackoffSeconds } from '../../lib/core/queue-formulas';
import { problemsOf } from '../support/errors';

const profile = InferenceProfile.of({
  model: 'resnet', hardware: 'ml.g5.xlarge',
  latencyMs: { p50: 80, p90: 120, p99: 200 },
  sustainableConcurrency: 4, throughputPerInstanceRps: 20,
  peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
});


describe('deriveQueueLimits', () => {
  // Derived in each test rather than when the file loads (see test/profile/limits.test.ts).
  let l: ReturnType<typeof deriveQueueLimits>;
  beforeEach(() => { l = deriveQueueLimits(profile); });

  test('per-call deadline = max(1 s, p99 x timeoutFactor)', () => {
    expect(l.perCallDeadlineMs).toBe(1000); // 200 x 3 = 600 -> floor of 1 s
    expect(deriveQueueLimits(profile, { timeoutFactor: 10 }).perCallDeadlineMs).toBe(2000);
  });

  test('batch size = floor(1000 ms / p99), within 1..10', () => {
    expect(l.batchSize).toBe(5);
    const slow = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 900, p90: 1500, p99: 2500 } } as never);
    expect(deriveQueueLimits(slow).batchSize).toBe(1);
    const fast = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 5, p90: 8, p99: 10 } } as never);
    expect(deriveQueueLimits(fast).batchSize).toBe(10);
  });

  test('worker timeout = ceil(batch x deadline + margin); visibility = 6 x worker timeout', () => {
    expect(l.workerTimeoutSeconds).toBe(10); // 5 x 1 s + 5 s margin
    expect(l.visibilityTimeoutSeconds).toBe(60); // 6 x 10 s
    // p99 230 ms x 4.5 = 1,035 ms per call; batch floor(1000 / 230) = 4; 4 x 1.035 + 5 = 9.14 -> 10 s
    const odd = deriveQueueLimits(InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 100, p90: 150, p99: 230 } } as never), { timeoutFactor: 4.5 });
    expect([odd.perCallDeadlineMs, odd.batchSize, odd.workerTimeoutSeconds, odd.visibilityTimeoutSeconds]).toEqual([1_035, 4, 10, 60]);
  });

  test('workers = maxInstances x sustainableConcurrency; drain rate = fleet throughput', () => {
    expect(l.maxWorkers).toBe(8);
    expect(l.drainRatePerSecond).toBe(40);
    // Fewer workers drain proportionally slower.
    expect(deriveQueueLimits(profile, { maxWorkers: 4 }).drainRatePerSecond).toBe(20);
  });

  test('depth budget = drain rate x acceptable wait; age budget = wait + worker timeout', () => {
    expect(l.depthBudget).toBe(40 * 300);
    expect(l.ageOfOldestMessageBudgetSeconds).toBe(310); // 300 s wait + 10 s worker timeout
    expect(deriveQueueLimits(profile, { acceptableWaitSeconds: 10 }).depthBudget).toBe(400);
  });

  test('Retry-After at the budget is the time to drain to half the budget', () => {
    expect(l.retryAfterAtBudgetSeconds).toBe(150); // (12,000 - 6,000) / 40 per s
    // budget 40 x 7 s = 280: (280 - 140) / 40 = 3.5 s -> 4 s
    expect(deriveQueueLimits(profile, { acceptableWaitSeconds: 7 }).retryAfterAtBudgetSeconds).toBe(4);
    expect(retryAfterSeconds(0, 100, 10, 0.5, 60)).toBe(1);
    expect(retryAfterSeconds(100, 100, 10, 0.5, 60)).toBe(5);
    expect(retryAfterSeconds(10_000, 100, 10, 0.5, 60)).toBe(60);
    expect(retryAfterSeconds(100, 100, 0, 0.5, 60)).toBe(60);
  });

  test('defaults: maxReceiveCount 5, DLQ retention 14 d > main retention', () => {
    expect(l.maxReceiveCount).toBe(5);
    expect(l.deadLetterRetentionSeconds).toBe(1_209_600);
    expect(l.messageRetentionSeconds).toBeLessThan(l.deadLetterRetentionSeconds);
    expect(l.poisonMessageCostMs).toBe(5_000); // 5 receives x 1,000 ms
  });

  test('inline message cap keeps a whole batch under the 6 MB invocation payload', () => {
    expect(l.maxInlineMessageBytes * l.batchSize).toBeLessThanOrEqual(6_291_456);
    expect(l.maxRequestBytes).toBe(750_000);
  });

  test('every formula is recorded', () => {
    for (const k of ['perCallDeadlineMs', 'batchSize', 'workerTimeoutSeconds', 'visibilityTimeoutSeconds', 'maxReceiveCount', 'maxWorkers',
      'drainRatePerSecond', 'depthBudget', 'ageOfOldestMessageBudgetSeconds', 'retryAfterSeconds', 'admissionSlackMessages',
      'messageRetentionSeconds', 'deadLetterRetentionSeconds', 'maxInlineMessageBytes', 'maxRequestBytes', 'retryBackoffSeconds']) {
      expect(l.formulas[k]).toEqual(expect.any(String));
    }
  });

  test('invariant: visibility >= 6 x worker timeout', () => {
    expect(problemsOf(() => deriveQueueLimits(profile, { visibilityTimeoutSeconds: 30 }))).toEqual(['visibilityTimeoutSeconds']);
  });

  test('invariant: worker timeout <= 900 s', () => {
    const slow = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 100_000, p90: 200_000, p99: 400_000 } } as never);
    expect(problemsOf(() => deriveQueueLimits(slow))).toContain('workerTimeoutSeconds');
  });

  test('invariant: retention long enough for maxReceiveCount deliveries, and below the DLQ retention', () => {
    expect(problemsOf(() => deriveQueueLimits(profile, { messageRetentionSeconds: 600 }))).toEqual(['messageRetentionSeconds']);
    expect(problemsOf(() => deriveQueueLimits(profile, { messageRetentionSeconds: 1_209_600 }))).toEqual(['messageRetentionSeconds']);
  });

  test('invariant: workers within 2..1000 and not above the fleet concurrency', () => {
    expect(problemsOf(() => deriveQueueLimits(profile, { maxWorkers: 1 }))).toEqual(['maxWorkers']);
    expect(problemsOf(() => deriveQueueLimits(profile, { maxWorkers: 9 }))).toEqual(['maxWorkers']);
  });

  test('invariant: ranges of batch size, receive count, cache TTL; all problems reported at once', () => {
    const props = problemsOf(() => deriveQueueLimits(profile, { batchSize: 11, maxReceiveCount: 0, depthCacheTtlSeconds: 120, resumeFraction: 2 }));
    expect(props).toEqual(expect.arrayContaining(['batchSize', 'maxReceiveCount', 'depthCacheTtlSeconds', 'resumeFraction']));
  });
});

describe('handler formulas', () => {
  test('backoff grows exponentially, is capped and jittered', () => {
    expect(retryBackoffSeconds(1, 2, 100, () => 1)).toBe(2);
    expect(retryBackoffSeconds(3, 2, 100, () => 1)).toBe(8);
    expect(retryBackoffSeconds(20, 2, 100, () => 1)).toBe(100);
    expect(retryBackoffSeconds(3, 2, 100, () => 0)).toBe(4);
  });

  test('admission cap: the ledger value a reading allows; rejection depth bound: budget or reading, plus the other environments', () => {
    expect(admissionCap(0, 0, 100)).toBe(100);
    expect(admissionCap(500, 95, 100)).toBe(505);
    expect(admissionCap(500, 120, 100)).toBe(480);
    expect(rejectionDepthBound(40, 100, 8)).toBe(107);
    expect(rejectionDepthBound(150, 100, 8)).toBe(157);
    expect(rejectionDepthBound(150, 100, 1)).toBe(150);
  });
});
