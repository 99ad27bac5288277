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
    expect(problems({ workerMarginSeconds: 301 })).toEqual([range('workerMarginSeconds', '301', 'an integer from 0 to 300')]);
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
