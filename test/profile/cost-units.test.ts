import { ModelSignature, TensorDType } from '../../lib/model';
import { InferenceProfile } from '../../lib/profile';
import { deriveQueueLimits } from '../../lib/profile/queue-limits';
import { referenceElements, requestCostUnits, requestElements } from '../../lib/core/queue-formulas';
import { errorOf } from '../support/errors';

const profile = InferenceProfile.of({
  model: 'resnet', hardware: 'ml.g5.xlarge',
  latencyMs: { p50: 80, p90: 120, p99: 200 },
  sustainableConcurrency: 4, throughputPerInstanceRps: 20,
  peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
});
const text = ModelSignature.singleTensor({ dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 128, maxBatchSize: 8 });
const twoInputs = ModelSignature.of({
  inputs: [{ name: 'features', dtype: TensorDType.FLOAT32, shape: [12] }, { name: 'photo', dtype: TensorDType.FLOAT32, shape: [4, 4, 3] }],
  maxBatchSize: 4,
});

describe('request cost', () => {
  test('elements are counted at the lengths sent, over every input of every instance', () => {
    expect(requestElements({ instances: [[1, 2, 3], [4]] })).toBe(4);
    expect(requestElements({ instances: [{ features: new Array(12).fill(0), photo: [[[1, 2, 3]]] }] })).toBe(15);
    expect(requestElements({ signature_name: 'serving_default', instances: [[[true, false]]] })).toBe(2);
    expect(requestElements({})).toBe(0);
    // Not an object, or a null inside: counted as nothing and as one element, never a TypeError.
    expect([requestElements(null), requestElements({ instances: [[1, null]] })]).toEqual([0, 2]);
  });

  test('one unit is one instance at its largest shape; the fixed share is paid once per call', () => {
    expect(referenceElements(text.inputs)).toBe(128);
    expect(referenceElements(twoInputs.inputs)).toBe(12 + 48);
    const model = { referenceElements: 128, fixedShare: 0.1 };
    expect(requestCostUnits(128, model)).toBe(1);
    expect(requestCostUnits(8 * 128, model)).toBe(7.3);
    // A short sequence costs its length's share plus the fixed part, rounded up to a thousandth.
    expect(requestCostUnits(16, model)).toBe(0.213);
    expect(requestCostUnits(3, { referenceElements: 3, fixedShare: 0 })).toBe(1);
  });
});

describe('deriveQueueLimits in cost units', () => {
  test('without a signature every job costs one unit and the numbers match the job counts', () => {
    const l = deriveQueueLimits(profile);
    expect(l.costModel).toEqual({ referenceElements: 1, fixedShare: 0.1 });
    expect(l.maxRequestCostUnits).toBe(1);
    expect(l.drainUnitsPerSecond).toBe(l.drainRatePerSecond);
    expect(l.costBudgetUnits).toBe(l.depthBudget);
    expect(l.tiers).toEqual([{ name: 'default', budgetUnits: l.costBudgetUnits, keyBudgetUnits: l.costBudgetUnits * 0.25 }]);
  });

  test('with a signature: the profiled request is the largest, so drain and budget scale by its cost', () => {
    const l = deriveQueueLimits(profile, { signature: text });
    expect(l.costModel).toEqual({ referenceElements: 128, fixedShare: 0.1 });
    expect(l.maxRequestCostUnits).toBe(7.3);
    expect(l.profiledRequestCostUnits).toBe(7.3);
    expect(l.drainUnitsPerSecond).toBe(Math.round(l.drainRatePerSecond * 7.3 * 1000) / 1000);
    expect(l.costBudgetUnits).toBe(Math.floor(l.drainUnitsPerSecond * l.acceptableWaitSeconds * 1000) / 1000);
    // The per-call deadline (1 s floor) serves 1000 / 200 = 5 profiled requests' worth.
    expect(l.maxJobCostUnits).toBe(36.5);
    expect(l.formulas.maxJobCostUnits).toContain('perCallDeadline 1000 ms / p99 200 ms');
    expect(l.formulas['costModel.fixedShare']).toMatch(/^default 0\.1: the profile has no input-size sensitivity/);
  });

  test('a profile with payload sizes calibrates the fixed share: p50 = a + b x bytes', () => {
    const measured = InferenceProfile.of({ ...profile.toJson(), payloadSizes: [{ bytes: 10_000, p50Ms: 20 }, { bytes: 110_000, p50Ms: 70 }, { bytes: 60_000, p50Ms: 45 }] } as never);
    const l = deriveQueueLimits(measured, { signature: text });
    // a = 15 ms, b = 0.0005 ms/byte; one unit is 600000 / 8 = 75000 bytes: 15 / (15 + 37.5) = 0.286.
    expect(l.costModel.fixedShare).toBe(0.286);
    expect(l.formulas['costModel.fixedShare']).toContain('fitted to 3 payload sizes');
    // The profiler's own record shape is read too.
    const fromFile = InferenceProfile.fromJson({ schemaVersion: 1, ...profile.toJson(), payloadSizes: [{ file: 'a', bytes: 10_000, requests: 5, latencyMs: { p50: 20, p99: 30 }, errorRate: 0 }, { file: 'b', bytes: 110_000, requests: 5, latencyMs: { p50: 70, p99: 80 }, errorRate: 0 }] });
    expect(deriveQueueLimits(fromFile, { signature: text }).costModel.fixedShare).toBe(0.286);
    expect(fromFile.toJson().payloadSizes).toEqual([{ bytes: 10_000, p50Ms: 20 }, { bytes: 110_000, p50Ms: 70 }]);
  });

  test('tiers: budget shares (rank + 1) / (tiers + 1) by default, a key at most its own share', () => {
    const l = deriveQueueLimits(profile, { signature: twoInputs, tiers: [{ name: 'basic', keyShare: 0.1 }, { name: 'standard', keyShare: 0.25 }, { name: 'premium', keyShare: 0.5 }] });
    const B = l.costBudgetUnits;
    const floor3 = (n: number) => Math.floor(n * 1000 + 1e-9) / 1000;
    expect(l.tiers).toEqual([
      { name: 'basic', budgetUnits: floor3(0.25 * B), keyBudgetUnits: floor3(0.1 * B) },
      { name: 'standard', budgetUnits: floor3(0.5 * B), keyBudgetUnits: floor3(0.25 * B) },
      { name: 'premium', budgetUnits: floor3(0.75 * B), keyBudgetUnits: floor3(0.5 * B) },
    ]);
    expect(l.formulas['tiers.basic']).toContain('one key min(0.1, 0.25)');
  });

  test('the synchronous threshold: what keeps a call\'s p99 within the integration timeout', () => {
    const l = deriveQueueLimits(profile, { signature: text });
    // Integration timeout min(29 s, max(5 s, 200 x 3) + 1 s) = 6 s; 7.3 x 6000 / 200 = 219.
    expect(l.syncCostThresholdUnits).toBe(219);
    expect(deriveQueueLimits(profile, { signature: text, integrationTimeoutMs: 400, profiledRequestCostUnits: 1 }).syncCostThresholdUnits).toBe(2);
  });

  test('the /predict schema bounds: exact for a fixed shape (the largest batch within the threshold)', () => {
    const fixed = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [4], maxBatchSize: 16 });
    // Threshold 1 x 1000 ms / 200 ms = 5 units; cost(b) = 0.1 + 0.9 x b: b = 5 costs 4.6, b = 6 costs 5.5.
    const l = deriveQueueLimits(profile, { signature: fixed, profiledRequestCostUnits: 1, integrationTimeoutMs: 1000 });
    expect(l.syncCostThresholdUnits).toBe(5);
    expect(l.syncMaxBatchSize).toBe(5);
    expect(l.syncMaxVariableDim).toBe(0);
    expect(l.syncMaxRequestCostUnits).toBe(4.6);
    expect(l.formulas.syncMaxBatchSize).toContain('<= threshold 5: 5');
  });

  test('the /predict schema bounds with a variable dimension: its bound kept while one instance fits, the batch narrowed', () => {
    // Threshold 1 x 400 / 200 = 2 units; one sequence of 128 costs 1, so L stays 128;
    // cost(b x 128 elements) = 0.1 + 0.9 x b: b = 2 costs 1.9, b = 3 costs 2.8.
    const l = deriveQueueLimits(profile, { signature: text, integrationTimeoutMs: 400, profiledRequestCostUnits: 1 });
    expect([l.syncMaxBatchSize, l.syncMaxVariableDim, l.syncMaxRequestCostUnits]).toEqual([2, 128, 1.9]);
    // A profile measured with one instance and a signature admitting 512: threshold floor3(6000 / 41) = 146.341;
    // 0.1 + 0.9 x 162 = 145.9 fits, 0.1 + 0.9 x 163 = 146.8 does not.
    const wide = ModelSignature.singleTensor({ dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 128, maxBatchSize: 512 });
    const fast = InferenceProfile.of({ ...profile.toJson(), latencyMs: { p50: 18, p90: 26, p99: 41 } } as never);
    const w = deriveQueueLimits(fast, { signature: wide, profiledRequestCostUnits: 1 });
    expect([w.syncCostThresholdUnits, w.syncMaxBatchSize, w.syncMaxVariableDim, w.syncMaxRequestCostUnits]).toEqual([146.341, 162, 128, 145.9]);
    // With the profile at the largest request (the default), the threshold is integrationTimeout / p99 >= 3 such requests: no narrowing.
    const d = deriveQueueLimits(profile, { signature: text });
    expect([d.syncMaxBatchSize, d.syncMaxVariableDim, d.syncMaxRequestCostUnits]).toEqual([8, 128, 7.3]);
  });

  test('below one instance at its bound, the variable dimension is narrowed with a batch of one', () => {
    // Threshold 0.5 (given): one sequence of 128 costs 1. cost(L) = 0.1 + 0.9 x L / 128:
    // L = 56 costs 0.49375, rounded up 0.494; L = 57 costs 0.50078, rounded up 0.501 > 0.5.
    const l = deriveQueueLimits(profile, { signature: text, syncCostThresholdUnits: 0.5 });
    expect([l.syncCostThresholdUnits, l.syncMaxBatchSize, l.syncMaxVariableDim, l.syncMaxRequestCostUnits]).toEqual([0.5, 1, 56, 0.494]);
    expect(l.formulas.syncCostThresholdUnits).toBe('override (0.5 units)');
    // 0.1 is below one token's cost (0.1 + 0.9 / 128 = 0.10703, rounded up 0.108): nothing could be served.
    const { problems } = errorOf(() => deriveQueueLimits(profile, { signature: text, syncCostThresholdUnits: 0.1 }));
    expect(problems).toEqual([expect.objectContaining({ prop: 'syncCostThresholdUnits', value: '0.1' })]);
    expect(problems[0].allowed).toContain('0.108 units');
  });

  test('bad cost options are collected with the prop, the value and the fix', () => {
    const { problems } = errorOf(() => deriveQueueLimits(profile, {
      signature: text, fixedCostShare: 0.95, keyShare: 0, tiers: [{ name: 'a b' }, { name: 'tiny', keyShare: 0.00001 }],
    }));
    expect(problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['fixedCostShare', 'keyShare', 'tiers[0].name', 'tiers[1].keyShare']));
    const tiny = problems.find((p) => p.prop === 'tiers[1].keyShare' && /hold at least one job/.test(p.allowed));
    expect(tiny?.fix).toMatch(/raise the key share/);
  });
});
