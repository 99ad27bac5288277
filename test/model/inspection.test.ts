/**
 * `kig inspect`'s figures for a tiny model Keras wrote (fixtures/two-inputs, see generate.py there),
 * each checked against a value worked out by hand.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceGuardError, ModelSignature, TensorDType } from '../../lib';
import { inspectModel, largestRequestBody, readDraftProfile, serviceSignature, signatureJson } from '../../lib/model/inspection';

const DIR = path.join(__dirname, 'fixtures', 'two-inputs');
const SAVED = path.join(DIR, 'saved_model');
const KERAS = path.join(DIR, 'model.keras');

// One instance: "counts" int32 [2, 3] = 6 x 4 B = 24 B; "features" float32 [5] = 5 x 4 B = 20 B -> 44 B.
// One output: float32 [4] = 16 B. Weights: 52 float32 parameters = 208 B (the SavedModel lists each
// variable twice: 416 B).
// The largest request at max batch 3, each element at its widest text:
//   counts row  [-2147483648, -2147483648, -2147483648]     = 3 x 11 + 2 x 2 + 2 = 39 chars; 2 rows: 2 x 39 + 2 + 2 = 82
//   features    [-1.1754942106924411e-38, ... 5 times]      = 5 x 23 + 4 x 2 + 2 = 125
//   instance    {"counts": 82, "features": 125}              = 11 + 82 + 2 + 12 + 125 + 1 = 233
//   body        {"instances": [233, 233, 233]}               = 15 + 3 x 233 + 2 x 2 + 2 = 720
const COUNTS_ROW = '[-2147483648, -2147483648, -2147483648]';
const FEATURES = `[${new Array(5).fill('-1.1754942106924411e-38').join(', ')}]`;
const INSTANCE = `{"counts": [${COUNTS_ROW}, ${COUNTS_ROW}], "features": ${FEATURES}}`;

describe('inspectModel on a SavedModel', () => {
  const r = inspectModel(SAVED, { maxBatchSize: 3 });

  test('memory floors: weights + request + max batch x (inputs, outputs)', () => {
    expect(r.weightBytes).toBe(416);
    expect(r.params).toBe(52);
    expect(r.largestRequest.bytes).toBe(720);
    expect(r.largestRequest.body).toBe(`{"instances": [${INSTANCE}, ${INSTANCE}, ${INSTANCE}]}`);
    expect(r.hostMemoryFloor.terms.map((t) => [t.name, t.bytes])).toEqual([
      ['weights', 416], ['request JSON', 720], ['input tensors (3 x 44 bytes)', 132], ['output tensors (3 x 16 bytes)', 48],
    ]);
    expect(r.hostMemoryFloor.bytes).toBe(1316); // 416 + 720 + 132 + 48
    expect(r.gpuMemoryFloor.bytes).toBe(596); // 416 + 132 + 48
    expect(r.hostMemoryFloor.formula).toBe('weights + request JSON + input tensors (3 x 44 bytes) + output tensors (3 x 16 bytes) = 416 + 720 + 132 + 48 = 1316 bytes');
    expect(r.hostMemoryFloor.mib).toBe(0.01); // 1316 / 1,048,576 = 0.00126 MiB, rounded up to the hundredth
    expect(r.hostMemoryFloor.terms[2].formula).toBe('max batch 3 x (elements x dtype size of every input, variable dimensions at 1)');
    expect(r.hostMemoryFloor.terms[3].formula).toBe('max batch 3 x (elements x dtype size of every output)');
    expect(r.weightSource).toBe("8 variables in saved_model.pb's object graph (4 of them further copies the server also restores), element count x dtype size");
  });

  test('a larger batch scales the tensor terms and the request, not the weights', () => {
    const big = inspectModel(SAVED, { maxBatchSize: 7 });
    // inputs 7 x 44 = 308; outputs 7 x 16 = 112; request 15 + 7 x 233 + 6 x 2 + 2 = 1,660
    expect(big.hostMemoryFloor.terms.map((t) => t.bytes)).toEqual([416, 1_660, 308, 112]);
    expect(big.hostMemoryFloor.bytes).toBe(2_496);
    expect(big.gpuMemoryFloor.bytes).toBe(836);
  });

  test('the draft profile: the request size and the floors, everything else unmeasured; the model named after its folder', () => {
    expect(r.draftProfile).toMatchObject({
      schemaVersion: 1, draft: true, model: 'two-inputs', maxRequestBytes: 720,
      peakHostMemoryMiB: { unmeasured: true, floorMiB: 0.01 }, peakGpuMemoryMiB: { unmeasured: true, floorMiB: 0.01 },
      signature: { signatureName: 'serving_default', maxBatchSize: 3, inputs: [{ name: 'counts', dtype: 'int32', shape: [2, 3] }, { name: 'features', dtype: 'float32', shape: [5] }] },
    });
    for (const k of ['hardware', 'latencyMs', 'sustainableConcurrency', 'throughputPerInstanceRps', 'coldStartSeconds']) expect([k, (r.draftProfile[k] as { unmeasured: boolean }).unmeasured]).toEqual([k, true]);
    expect(inspectModel(path.join(SAVED, 'saved_model.pb'), { maxBatchSize: 3 }).hostMemoryFloor.bytes).toBe(1316);
  });
});

describe('inspectModel on the .keras archive', () => {
  const r = inspectModel(KERAS, { maxBatchSize: 3 });

  test('the weights once each; no outputs in config.json, so no output term', () => {
    expect(r.weightBytes).toBe(208); // 52 x 4 B
    expect(r.hostMemoryFloor.terms.map((t) => t.bytes)).toEqual([208, 720, 132, 0]);
    expect(r.hostMemoryFloor.bytes).toBe(1060); // 208 + 720 + 132
    expect(r.gpuMemoryFloor.bytes).toBe(340); // 208 + 132
    expect(r.hostMemoryFloor.terms[3].formula).toBe('not in config.json (read the SavedModel for outputs)');
    expect(r.weightSource).toBe("4 datasets in model.weights.h5, element count x dtype size (TF Serving restores the SavedModel's variables: inspect it for what the server holds)");
    expect(r.draftProfile.model).toBe('model');
  });
});

describe('largestRequestBody', () => {
  test('one input: instances are the bare tensor; variable dimensions at their bound', () => {
    const s = ModelSignature.of({ maxBatchSize: 2, inputs: [{ name: 'tokens', dtype: TensorDType.INT8, shape: [-1], maxVariableDim: 3 }] });
    expect(largestRequestBody(s)).toBe('{"instances": [[-128, -128, -128], [-128, -128, -128]]}');
    const b = ModelSignature.of({ maxBatchSize: 1, inputs: [{ name: 'ok', dtype: TensorDType.BOOL, shape: [2] }] });
    expect(largestRequestBody(b)).toBe('{"instances": [[false, false]]}');
  });
});

describe('signatureJson and serviceSignature', () => {
  const given = ModelSignature.of({ maxBatchSize: 3, inputs: [{ name: 'counts', dtype: TensorDType.INT32, shape: [2, 3] }, { name: 'features', dtype: TensorDType.FLOAT32, shape: [5] }] });

  test('the model\'s own signature when none is given; the given one when it agrees', () => {
    expect(signatureJson(serviceSignature('Svc', SAVED, undefined, 4))).toEqual({
      signatureName: 'serving_default', maxBatchSize: 4,
      inputs: [{ name: 'counts', dtype: 'int32', shape: [2, 3] }, { name: 'features', dtype: 'float32', shape: [5] }],
    });
    expect(serviceSignature('Svc', SAVED, given, 8)).toBe(given);
    expect(serviceSignature('Svc', undefined, given, 8)).toBe(given);
  });

  test('a given signature that disagrees names both; a missing one says what to pass', () => {
    const wrong = ModelSignature.of({ maxBatchSize: 3, inputs: [{ name: 'counts', dtype: TensorDType.FLOAT32, shape: [2, 3] }, { name: 'features', dtype: TensorDType.FLOAT32, shape: [5] }] });
    expect(() => serviceSignature('Svc', SAVED, wrong, 8)).toThrow(/input "counts": dtype float32, the model's is int32/);
    let error: unknown;
    try {
      serviceSignature('Svc', undefined, undefined, 8);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InferenceGuardError);
    expect((error as InferenceGuardError).problems.map((p) => p.prop)).toEqual(['signature']);
  });
});

describe('readDraftProfile', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-draft-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, doc: unknown) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  };

  test('reads what inspectModel wrote', () => {
    const file = write('draft.json', inspectModel(SAVED, { maxBatchSize: 3 }).draftProfile);
    expect(readDraftProfile(file)).toEqual({
      file, model: 'two-inputs', maxRequestBytes: 720, hostFloorMiB: 0.01, gpuFloorMiB: 0.01,
      signature: { signatureName: 'serving_default', maxBatchSize: 3, inputs: [{ name: 'counts', dtype: 'int32', shape: [2, 3] }, { name: 'features', dtype: 'float32', shape: [5] }] },
    });
    expect(readDraftProfile(write('bare.json', { draft: true, model: 'm', maxRequestBytes: 10, peakHostMemoryMiB: { floorMiB: 'x' }, signature: null })))
      .toEqual({ file: path.join(tmp, 'bare.json'), model: 'm', maxRequestBytes: 10, hostFloorMiB: undefined, gpuFloorMiB: undefined, signature: undefined });
  });

  test.each([
    ['not JSON', '{', ['--draft']],
    ['not a draft, no model, no size', { draft: false, model: '', maxRequestBytes: 0 }, ['draft', 'model', 'maxRequestBytes']],
    ['a fractional size', { draft: true, model: 'm', maxRequestBytes: 1.5 }, ['maxRequestBytes']],
    ['a size as text', { draft: true, model: 'm', maxRequestBytes: '10' }, ['maxRequestBytes']],
  ])('%s: every problem named', (_what, doc, props) => {
    let error: unknown;
    try {
      readDraftProfile(write('bad.json', doc));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InferenceGuardError);
    expect((error as InferenceGuardError).problems.map((p) => p.prop)).toEqual(props);
  });
});
