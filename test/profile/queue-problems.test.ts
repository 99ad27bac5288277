import { ModelSignature, TensorDType } from '../../lib/model';
import { InferenceProfile, QueueLimitOptions } from '../../lib/profile';
import { deriveQueueLimits } from '../../lib/profile/queue-limits';
import { errorOf } from '../support/errors';

// Every problem deriveQueueLimits reports, in full (prop, value, what is allowed, the fix), for one
// broken option at a time. The profile: p99 200 ms, 20 req/s and 4 concurrent per instance,
// 600,000-byte requests. With the defaults (worked by hand):
//   deadline max(1,000, 200 x 3 = 600) = 1,000 ms; batch floor(1,000 / 200) = 5; worker ceil(5 x 1 s + 5 s) = 10 s;
//   visibility 6 x 10 = 60 s; workers 2 x 4 = 8; drain min(8 x 20 / 4, 2 x 20) = 40 jobs/s; budget 40 x 300 = 12,000;
//   max job cost floor3(1 x 1,000 / 200) = 5 units; cost budget max(5, 40 x 300) = 12,000 units; key 0.25 x 12,000 = 3,000;
//   integration min(29,000, max(5,000, 600) + 1,000) = 6,000 ms; sync threshold floor3(1 x 6,000 / 200) = 30 units.
const profile = InferenceProfile.of({
  model: 'resnet', hardware: 'ml.g5.xlarge',
  latencyMs: { p50: 80, p90: 120, p99: 200 },
  sustainableConcurrency: 4, throughputPerInstanceRps: 20,
  peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
});
const problems = (options: QueueLimitOptions, p: InferenceProfile = profile) => errorOf(() => deriveQueueLimits(p, options)).problems;
const range = (prop: string, value: string, allowed: string, fix = `set ${prop} between ${allowed.replace(/^an? \w+ from /, '').replace(' to ', ' and ')}`) => ({ prop, value, allowed, fix });
/** The default tier's key holds 0.25 of the cost budget: below one 5-unit job when the budget is small. */
const keyTooSmall = (units: number, value = '0.25') => ({
  prop: 'tiers[0].keyShare', value, allowed: `a share whose units (${units}) hold at least one job of maxJobCost 5`,
  fix: 'raise the key share or the acceptable wait: otherwise the dearest job can never be admitted',
});

describe('deriveQueueLimits problems, in full', () => {
  test('each option outside its range', () => {
    expect(problems({ maxInstances: 1.5 })).toEqual([range('maxInstances', '1.5', 'an integer from 1 to 10000')]);
    expect(problems({ timeoutFactor: 0.5 })).toEqual([range('timeoutFactor', '0.5', 'a number from 1 to 100')]);
    const margin = 'set workerMarginSeconds between 2 and 300: the worker keeps 2 s of every invocation for writing results, so a smaller margin leaves the batch\'s last message no time';
    expect(problems({ workerMarginSeconds: 301 })).toEqual([range('workerMarginSeconds', '301', 'an integer from 2 to 300', margin)]);
    // Below the worker's own safety margin (WORKER_SAFETY_MARGIN_MS), every batch's last message would be handed back unprocessed.
    expect(problems({ workerMarginSeconds: 1 })).toEqual([range('workerMarginSeconds', '1', 'an integer from 2 to 300', margin)]);
    expect(deriveQueueLimits(profile, { workerMarginSeconds: 2 }).workerTimeoutSeconds).toBeGreaterThan(2);
    expect(problems({ maxReceiveCount: 11 })).toEqual([range('maxReceiveCount', '11', 'an integer from 1 to 10',
      'set maxReceiveCount between 1 and 10, the bound the InferenceGuard-SQSDeadLetterQueue rule checks')]);
    expect(problems({ admissionReservedConcurrency: 0 })).toEqual([range('admissionReservedConcurrency', '0', 'an integer from 1 to 1000')]);
    expect(problems({ depthCacheTtlSeconds: 61 })).toEqual([range('depthCacheTtlSeconds', '61', 'a number from 0 to 60',
      'a stale depth admits more than the budget; keep it short')]);
    expect(problems({ resumeFraction: 1.5 })).toEqual([range('resumeFraction', '1.5', 'a number from 0 to 1')]);
    expect(problems({ batchSize: 11 })).toEqual([range('batchSize', '11', 'an integer from 1 to 10',
      'larger batches need a batching window, which delays jobs; keep 1..10')]);
    expect(problems({ fixedCostShare: 0.95 })).toEqual([range('fixedCostShare', '0.95', 'a number from 0 to 0.9',
      'the share of one reference inference\'s time that does not grow with its size')]);
    expect(problems({ visibilityTimeoutSeconds: 43_201 })).toEqual([range('visibilityTimeoutSeconds', '43201', 'an integer from 0 to 43200')]);
  });

  test('a wait of 0 s: out of range, and the key budget (floor3(0.25 x max(5, 0)) = 1.25 units) holds no job', () => {
    expect(problems({ acceptableWaitSeconds: 0 })).toEqual([
      range('acceptableWaitSeconds', '0', 'an integer from 1 to 1209600', 'set the longest a job may wait before a worker picks it up'),
      keyTooSmall(1.25),
    ]);
  });

  test('a retention of 59 s: below the SQS minimum, and below the 300 + 10 + 5 x 60 = 610 s a failing message lives', () => {
    expect(problems({ messageRetentionSeconds: 59 })).toEqual([
      range('messageRetentionSeconds', '59', 'an integer from 60 to 1209599', 'keep it below 1209600 s so the 14-day dead-letter queue outlives it'),
      {
        prop: 'messageRetentionSeconds', value: '59', allowed: '>= 610 s (age budget + maxReceiveCount x visibility timeout)',
        fix: 'raise the retention, or lower maxReceiveCount or the visibility timeout: otherwise a failing message expires before it reaches the dead-letter queue',
      },
    ]);
  });

  test('a visibility below 6 x the 10 s worker timeout', () => {
    expect(problems({ visibilityTimeoutSeconds: 59 })).toEqual([{
      prop: 'visibilityTimeoutSeconds', value: '59', allowed: '>= 6 x the worker timeout (10 s) = 60 s',
      fix: 'raise the visibility timeout or lower the worker timeout, or a message still being processed is delivered to a second worker',
    }]);
    // At exactly 60 s it is accepted, and the formula says it was given and checked.
    expect(deriveQueueLimits(profile, { visibilityTimeoutSeconds: 60 }).formulas.visibilityTimeoutSeconds)
      .toBe('override (60 s), checked >= 6 x worker timeout = 60 s');
  });

  test('workers: below the event source minimum, and above the fleet\'s 2 x 4 = 8 concurrent calls', () => {
    expect(problems({ maxWorkers: 1 })).toEqual([range('maxWorkers', '1', 'an integer from 2 to 1000')]);
    expect(problems({ maxWorkers: 9 })).toEqual([{
      prop: 'maxWorkers', value: '9', allowed: '<= maxInstances x sustainableConcurrency (8)',
      fix: 'more workers than the fleet serves at its knee only queue calls inside the model server and raise latency; lower maxWorkers or raise maxInstances',
    }]);
    // 8 itself is allowed.
    expect(deriveQueueLimits(profile, { maxWorkers: 8 }).maxWorkers).toBe(8);
  });

  test('a 400 s p99: the worker timeout passes the Lambda maximum, and /predict can serve nothing', () => {
    // Deadline 400,000 x 3 = 1,200,000 ms; batch max(1, floor(1,000 / 400,000)) = 1; worker ceil(1 x 1,200 s + 5 s) = 1,205 s.
    // Sync threshold floor3(1 x min(29,000, 1,201,000) / 400,000 = 0.0725) = 0.072 units, below the 1 unit of any request.
    const slow = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 100_000, p90: 200_000, p99: 400_000 } } as never);
    expect(problems({}, slow)).toEqual([
      {
        prop: 'workerTimeoutSeconds', value: '1205', allowed: 'at most 900 s (the Lambda maximum)',
        fix: 'lower batchSize or timeoutFactor, or serve this model through a SageMaker async endpoint (up to 1 h per call)',
      },
      {
        prop: 'syncCostThresholdUnits', value: '0.072', allowed: 'at least the cost of the smallest request the signature admits (1 units)',
        fix: 'raise the threshold or the integration timeout: below it POST /predict could serve no request at all',
      },
    ]);
  });

  test('cost options: the profiled cost, the key share, the integration timeout, the threshold', () => {
    // Profiled cost 2,000,000: threshold floor3(2,000,000 x 6,000 / 200) = 60,000,000 units, above 1,000,000.
    expect(problems({ profiledRequestCostUnits: 2_000_000 })).toEqual([
      range('profiledRequestCostUnits', '2000000', 'a number from 0.001 to 1000000', 'the cost of the payload the profile measured'),
      range('syncCostThresholdUnits', '60000000', 'a number from 0.001 to 1000000'),
    ]);
    // Key share 0, which the default tier takes as its key share: floor3(0 x 12,000) = 0 units.
    expect(problems({ keyShare: 0 })).toEqual([
      range('keyShare', '0', 'a number from 0.001 to 1'), range('tiers[0].keyShare', '0', 'a number from 0.001 to 1'), keyTooSmall(0, '0'),
    ]);
    // 40 ms: threshold floor3(40 / 200) = 0.2 units.
    expect(problems({ integrationTimeoutMs: 40 })).toEqual([
      range('integrationTimeoutMs', '40', 'an integer from 50 to 29000'),
      expect.objectContaining({ prop: 'syncCostThresholdUnits', value: '0.2' }),
    ]);
    expect(problems({ syncCostThresholdUnits: 0.5 })).toEqual([expect.objectContaining({ prop: 'syncCostThresholdUnits', value: '0.5' })]);
  });

  test('tiers: none, a bad name, a duplicate, a share out of range', () => {
    expect(problems({ tiers: [] })).toEqual([{ prop: 'tiers', value: '[]', allowed: 'at least one tier', fix: 'list the usage-plan tiers, lowest first' }]);
    const name = (i: number, value: string) => ({ prop: `tiers[${i}].name`, value, allowed: 'a unique name of letters, digits, _ or -', fix: 'rename the tier' });
    const long = 'x'.repeat(65);
    expect(problems({ tiers: [{ name: 'a b' }, { name: 'ok_1-A' }, { name: 'ok_1-A' }, { name: long }, { name: '' }] }))
      .toEqual([name(0, '"a b"'), name(2, '"ok_1-A"'), name(3, JSON.stringify(long)), name(4, '""')]);
    expect(deriveQueueLimits(profile, { tiers: [{ name: 'x'.repeat(64) }] }).tiers[0].name).toHaveLength(64);
    expect(problems({ tiers: [{ name: 'a', budgetShare: 0 }, { name: 'b', keyShare: 2 }] })).toEqual([
      range('tiers[0].budgetShare', '0', 'a number from 0.001 to 1'),
      // The key share defaults to the tier's budget share, 0: out of range, and 0 units hold no 5-unit job.
      range('tiers[0].keyShare', '0', 'a number from 0.001 to 1'),
      keyTooSmall(0, '0'),
      range('tiers[1].keyShare', '2', 'a number from 0.001 to 1'),
    ]);
  });

  test('every number it computes with must be a finite number known at synth time', () => {
    const keys = ['maxInstances', 'timeoutFactor', 'acceptableWaitSeconds', 'workerMarginSeconds', 'maxReceiveCount', 'messageRetentionSeconds',
      'admissionReservedConcurrency', 'depthCacheTtlSeconds', 'resumeFraction', 'batchSize', 'visibilityTimeoutSeconds', 'maxWorkers',
      'profiledRequestCostUnits', 'keyShare', 'integrationTimeoutMs', 'syncCostThresholdUnits', 'fixedCostShare'];
    for (const k of keys) {
      expect(problems({ [k]: Infinity })).toContainEqual({
        prop: k, value: 'Infinity', allowed: 'a finite number known at synth time', fix: `give ${k} a plain number: limits are derived from it at synth time`,
      });
    }
  });
});

describe('deriveQueueLimits cost formulas, in full', () => {
  // One int32 sequence of up to 128 tokens, 8 to a request: one unit is 128 elements; the largest
  // request costs 0.1 + 0.9 x 8 = 7.3 units. Drain 40 jobs/s x 7.3 = 292 units/s; budget 292 x 300 = 87,600.
  const text = ModelSignature.singleTensor({ dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 128, maxBatchSize: 8 });
  const pick = (f: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, f[k]]));
  const COST = ['costModel.fixedShare', 'costModel.referenceElements', 'maxRequestCostUnits', 'profiledRequestCostUnits', 'maxJobCostUnits', 'drainUnitsPerSecond',
    'costBudgetUnits', 'tiers.default', 'syncCostThresholdUnits', 'syncMaxBatchSize', 'syncMaxVariableDim', 'syncMaxRequestCostUnits'];

  test('a signature, the profile at its largest request: nothing narrowed', () => {
    // Max job cost 7.3 x 1,000 / 200 = 36.5 units; threshold floor3(7.3 x 6,000 / 200) = 219 units.
    expect(pick(deriveQueueLimits(profile, { signature: text }).formulas, COST)).toEqual({
      'costModel.fixedShare': 'default 0.1: the profile has no input-size sensitivity (run kig profile with several --payload sizes to measure it)',
      'costModel.referenceElements': 'one instance with every variable dimension at its largest: input [128] = 128 elements',
      maxRequestCostUnits: 'fixedShare 0.1 + (1 - 0.1) x maxBatch 8 = 7.3 units',
      profiledRequestCostUnits: 'maxRequestCost 7.3: kig profile runs its load steps with its largest payload',
      maxJobCostUnits: 'profiledRequestCost 7.3 x perCallDeadline 1000 ms / p99 200 ms = 36.5 units (dearer jobs: 413)',
      drainUnitsPerSecond: 'drainRate 40 jobs/s x profiledRequestCost 7.3 = 292 units/s',
      costBudgetUnits: 'max(maxJobCost 36.5, drainUnits 292 units/s x acceptableWait 300 s) = 87600 units (admitted, not yet final)',
      'tiers.default': 'budget 1 x 87600 = 87600 units; one key min(0.25, 1) x 87600 = 21900 units',
      syncCostThresholdUnits: 'profiledRequestCost 7.3 x integrationTimeout 6000 ms (min(29000, max(5 s, p99 x timeoutFactor) + 1000 ms)) / p99 200 ms = 219 units: a heavier request\'s p99 passes the integration timeout at the knee; it belongs on POST /jobs',
      syncMaxBatchSize: 'the signature\'s maxBatch 8: its dearest request (7.3 units) is within the threshold 219',
      syncMaxVariableDim: 'the signature\'s 128: one instance at it is within the threshold',
      syncMaxRequestCostUnits: 'cost(8 x 128 elements) = 7.3 units <= threshold 219',
    });
  });

  test('a threshold of 2 units narrows the batch; of 0.5 units, the variable dimension', () => {
    // Profiled cost 1, integration 400 ms: threshold 1 x 400 / 200 = 2; 0.1 + 0.9 x 2 = 1.9 fits, 0.1 + 0.9 x 3 = 2.8 does not.
    const b = deriveQueueLimits(profile, { signature: text, integrationTimeoutMs: 400, profiledRequestCostUnits: 1 }).formulas;
    expect(pick(b, ['profiledRequestCostUnits', 'maxJobCostUnits', 'syncCostThresholdUnits', 'syncMaxBatchSize', 'syncMaxVariableDim', 'syncMaxRequestCostUnits'])).toEqual({
      profiledRequestCostUnits: 'given 1',
      maxJobCostUnits: 'profiledRequestCost 1 x perCallDeadline 1000 ms / p99 200 ms = 5 units (dearer jobs: 413)',
      syncCostThresholdUnits: 'profiledRequestCost 1 x integrationTimeout 400 ms / p99 200 ms = 2 units: a heavier request\'s p99 passes the integration timeout at the knee; it belongs on POST /jobs',
      syncMaxBatchSize: 'largest b with cost(b instances at their largest) = 0.1 + (1 - 0.1) x b x 128 / 128 <= threshold 2: 2',
      syncMaxVariableDim: 'the signature\'s 128: one instance at it is within the threshold',
      syncMaxRequestCostUnits: 'cost(2 x 128 elements) = 1.9 units <= threshold 2',
    });
    // 0.5 units: one sequence of 128 costs 1; L = 56 costs 0.1 + 0.9 x 56 / 128 = 0.49375 -> 0.494, L = 57 costs 0.501.
    const l = deriveQueueLimits(profile, { signature: text, syncCostThresholdUnits: 0.5 }).formulas;
    expect(pick(l, ['syncMaxBatchSize', 'syncMaxVariableDim', 'syncMaxRequestCostUnits'])).toEqual({
      syncMaxBatchSize: '1: one instance at the signature\'s variable bound already costs more than the threshold 0.5 (see syncMaxVariableDim)',
      syncMaxVariableDim: 'one instance at the signature\'s bound costs more than 0.5 units, so the largest L with cost(1 instance, variable dimensions at L) <= threshold: 56',
      syncMaxRequestCostUnits: 'cost(1 x 56 elements) = 0.494 units <= threshold 0.5',
    });
  });

  test('the fixed share fitted to the profile\'s payload sizes, or given; two inputs', () => {
    // p50 = 15 ms + 0.0005 ms/byte x bytes through (10,000, 20), (60,000, 45), (110,000, 70); one unit is
    // 600,000 / 8 = 75,000 bytes: 15 / (15 + 0.0005 x 75,000 = 52.5) = 0.2857 -> 0.286.
    const measured = InferenceProfile.of({ ...profile.toJson(), payloadSizes: [{ bytes: 10_000, p50Ms: 20 }, { bytes: 110_000, p50Ms: 70 }, { bytes: 60_000, p50Ms: 45 }] } as never);
    expect(deriveQueueLimits(measured, { signature: text }).formulas['costModel.fixedShare'])
      .toBe('p50 = 15 ms + 0.000500 ms/byte x bytes fitted to 3 payload sizes; one unit is maxRequestBytes 600000 / maxBatch 8 = 75000 bytes, so fixedShare = a / (a + b x 75000) = 0.286');
    // Sizes that do not grow the time (slope 0, intercept 0 clamped): no fit to divide by, the default share.
    const flat = InferenceProfile.of({ ...profile.toJson(), payloadSizes: [{ bytes: 10_000, p50Ms: 30 }, { bytes: 20_000, p50Ms: 10 }] } as never);
    // Slope (10 - 30) / 10,000 < 0 -> 0; intercept 50 ms: a / (a + 0) = 1, capped at 0.9.
    expect(deriveQueueLimits(flat, { signature: text }).costModel.fixedShare).toBe(0.9);
    expect(deriveQueueLimits(profile, { signature: text, fixedCostShare: 0.2 }).formulas['costModel.fixedShare']).toBe('given 0.2');
    const two = ModelSignature.of({ inputs: [{ name: 'features', dtype: TensorDType.FLOAT32, shape: [12] }, { name: 'tokens', dtype: TensorDType.INT32, shape: [-1, 2], maxVariableDim: 5 }], maxBatchSize: 4 });
    // 12 + 5 x 2 = 22 elements.
    expect(deriveQueueLimits(profile, { signature: two }).formulas['costModel.referenceElements'])
      .toBe('one instance with every variable dimension at its largest: features [12] + tokens [5,2] = 22 elements');
  });
});

describe('deriveQueueLimits at each bound: the bound itself allowed, one past it refused', () => {
  const fixed = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [4], maxBatchSize: 16 });
  const text = ModelSignature.singleTensor({ dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 128, maxBatchSize: 8 });

  test('the error names its code, the profile and every problem', () => {
    const e = errorOf(() => deriveQueueLimits(profile, { batchSize: 11 }));
    expect([e.code, e.path]).toEqual(['QUEUE_LIMITS_INVALID', 'queue limits for resnet on ml.g5.xlarge']);
    expect(e.message.split('\n')[0]).toBe('[QUEUE_LIMITS_INVALID] the queue limits derived from the profile break an invariant:');
    // Tiers that are not a list: one problem, and no tier.
    expect(problems({ tiers: 'x' as never })).toEqual([{ prop: 'tiers', value: '"x"', allowed: 'at least one tier', fix: 'list the usage-plan tiers, lowest first' }]);
  });

  test('a worker timeout of exactly 900 s; a retention exactly as long as a failing message lives; a key that holds exactly one job', () => {
    // p99 895 s x 1: batch 1, worker ceil(895 + 5) = 900 s. A threshold of 1 unit lets /predict serve one-unit requests.
    const slow = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 100_000, p90: 200_000, p99: 895_000 } } as never);
    expect(deriveQueueLimits(slow, { timeoutFactor: 1, syncCostThresholdUnits: 1 }).workerTimeoutSeconds).toBe(900);
    // 300 + 10 + 5 x 60 = 610 s.
    expect(deriveQueueLimits(profile, { messageRetentionSeconds: 610 }).messageRetentionSeconds).toBe(610);
    // Wait 1 s: budget max(5, 40 x 1) = 40 units; 0.125 x 40 = 5 units, one 5-unit job.
    expect(deriveQueueLimits(profile, { acceptableWaitSeconds: 1, keyShare: 0.125 }).tiers).toEqual([{ name: 'default', budgetUnits: 40, keyBudgetUnits: 5 }]);
  });

  test('workers: the event source minimum named when the fleet is smaller', () => {
    const one = InferenceProfile.of({ ...profile.toJson(), sustainableConcurrency: 1 } as never);
    expect(deriveQueueLimits(one, { maxInstances: 1 }).formulas.maxWorkers)
      .toBe('clamp(2..1000, maxInstances 1 x sustainableConcurrency 1) = 2 (the event source cannot go below 2; the model sees at most 2 concurrent calls)');
    expect(deriveQueueLimits(one, { maxInstances: 2 }).formulas.maxWorkers).toBe('clamp(2..1000, maxInstances 2 x sustainableConcurrency 1) = 2');
  });

  test('payload sizes above the Lambda payload; the retry backoff base of a 2 s deadline; a slow model\'s integration timeout', () => {
    // 5,000,000 x 1.25 = 6,250,000 bytes, above 6,291,456 - 65,536 = 6,225,920.
    const big = InferenceProfile.of({ ...profile.toJson(), maxRequestBytes: 5_000_000 } as never);
    expect(deriveQueueLimits(big).maxRequestBytes).toBe(6_225_920);
    // 200 ms x 10 = 2,000 ms: base ceil(2 s) = 2 s.
    expect(deriveQueueLimits(profile, { timeoutFactor: 10 }).retryBackoffBaseSeconds).toBe(2);
    // p99 2 s x 3 = 6 s (above the 5 s floor) + 1 s = 7 s: threshold 1 x 7,000 / 2,000 = 3.5 units.
    const slow = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 1_000, p90: 1_500, p99: 2_000 } } as never);
    expect(deriveQueueLimits(slow).syncCostThresholdUnits).toBe(3.5);
  });

  test('the /predict bounds at their edges', () => {
    // No signature: a threshold of exactly 1 unit serves one-unit requests.
    expect(deriveQueueLimits(profile, { syncCostThresholdUnits: 1 }).syncMaxBatchSize).toBe(1);
    // Fixed shape, cost(b) = 0.1 + 0.9 x b: 1.9 is exactly two instances; 1.5 only one.
    const two = deriveQueueLimits(profile, { signature: fixed, syncCostThresholdUnits: 1.9 });
    expect([two.syncMaxBatchSize, two.syncMaxRequestCostUnits, two.syncMaxVariableDim]).toEqual([2, 1.9, 0]);
    expect(two.formulas.syncMaxVariableDim).toBe('no variable dimension: 0');
    const one = deriveQueueLimits(profile, { signature: fixed, syncCostThresholdUnits: 1.5 });
    expect([one.syncMaxBatchSize, one.syncMaxRequestCostUnits]).toEqual([1, 1]);
    // A sequence of L tokens costs 0.1 + 0.9 x L / 128 rounded up to a thousandth: L = 56 is exactly 0.494; L = 1 exactly 0.108.
    const l56 = deriveQueueLimits(profile, { signature: text, syncCostThresholdUnits: 0.494 });
    expect([l56.syncMaxBatchSize, l56.syncMaxVariableDim, l56.syncMaxRequestCostUnits]).toEqual([1, 56, 0.494]);
    const l1 = deriveQueueLimits(profile, { signature: text, syncCostThresholdUnits: 0.108 });
    expect([l1.syncMaxBatchSize, l1.syncMaxVariableDim, l1.syncMaxRequestCostUnits]).toEqual([1, 1, 0.108]);
    // One fixed input and one variable: the variable one bounds the schema (its own 5).
    const mixed = ModelSignature.of({ inputs: [{ name: 'features', dtype: TensorDType.FLOAT32, shape: [12] }, { name: 'tokens', dtype: TensorDType.INT32, shape: [-1, 2], maxVariableDim: 5 }], maxBatchSize: 4 });
    expect(deriveQueueLimits(profile, { signature: mixed }).formulas.syncMaxVariableDim).toBe('the signature\'s 5: one instance at it is within the threshold');
  });
});
