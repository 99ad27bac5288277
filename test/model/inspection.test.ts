/**
 * `kig inspect`'s figures for a tiny model Keras wrote (fixtures/two-inputs, see generate.py there),
 * each checked against a value worked out by hand.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unzipSync, zipSync } from 'fflate';
import { InferenceGuardError, ModelSignature, TensorDType } from '../../lib';
import { inspectModel, largestRequestBody, readDraftProfile, serviceSignature, signatureJson } from '../../lib/model/inspection';
import { decodeSavedModel, savedModelMessageType } from '../../lib/model/tensorflow-protos';
import { errorOf } from '../support/errors';

const DIR = path.join(__dirname, 'fixtures', 'two-inputs');
const SAVED = path.join(DIR, 'saved_model');
const KERAS = path.join(DIR, 'model.keras');
const VARIABLE = path.join(__dirname, 'fixtures', 'variable-length');

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

  test('the texts a user reads: how to measure each unmeasured field, the provenance, the terms\' formulas, the cost units', () => {
    const how = (text: string) => ({ unmeasured: true, how: text });
    expect(r.draftProfile).toEqual({
      schemaVersion: 1, draft: true, model: 'two-inputs',
      hardware: how('the instance type you run kig profile on (--hardware)'),
      latencyMs: how('kig profile: percentiles at the knee'),
      sustainableConcurrency: how('kig profile: the knee'),
      throughputPerInstanceRps: how('kig profile: throughput at the knee'),
      peakHostMemoryMiB: { ...how('kig profile --start-cmd or --pid: peak RSS'), floorMiB: 0.01 },
      peakGpuMemoryMiB: { ...how('kig profile on a GPU host (nvidia-smi)'), floorMiB: 0.01 },
      coldStartSeconds: how('kig profile --start-cmd'),
      maxRequestBytes: 720,
      provenance: { tool: 'kig inspect', notes: `read from ${SAVED}; maxRequestBytes is the largest request the signature admits` },
      signature: { signatureName: 'serving_default', maxBatchSize: 3, inputs: [{ name: 'counts', dtype: 'int32', shape: [2, 3] }, { name: 'features', dtype: 'float32', shape: [5] }] },
    });
    expect(r.hostMemoryFloor.terms.map((t) => t.formula).slice(0, 2)).toEqual(['the weight bytes above', 'the largest request body, held while it is parsed']);
    expect(r.gpuMemoryFloor.terms.map((t) => t.name)).toEqual(['weights', 'input tensors (3 x 44 bytes)', 'output tensors (3 x 16 bytes)']);
    // 6 + 5 = 11 elements an instance; a batch of 3 = 33 elements: 0.1 + 0.9 x 33 / 11 = 2.8 units.
    expect(r.cost).toEqual({ referenceElements: 11, fixedShare: 0.1, maxRequestCostUnits: 2.8, formula: 'cost = fixedShare 0.1 + (1 - 0.1) x elements / 11; max batch 3: 2.8 units' });
  });
});

describe('inspectModel: sizes in MiB, variable dimensions, outputs of unknown size', () => {
  test('floors above 1 MiB, rounded up to the hundredth', () => {
    const big = inspectModel(SAVED, { maxBatchSize: 5000 });
    // request 15 + 5,000 x 233 + 4,999 x 2 + 2 = 1,175,015; inputs 5,000 x 44 = 220,000; outputs 5,000 x 16 = 80,000
    expect(big.hostMemoryFloor.bytes).toBe(1_475_431); // + 416 weights
    expect(big.hostMemoryFloor.mib).toBe(1.41); // 1,475,431 / 1,048,576 = 1.4071 -> 1.41
    expect(big.gpuMemoryFloor.bytes).toBe(300_416);
    expect(big.gpuMemoryFloor.mib).toBe(0.29); // 300,416 / 1,048,576 = 0.2865 -> 0.29
  });

  test('a variable dimension at its bound; an output whose size depends on the request is named, not counted', () => {
    // "frames" float32 [-1, 2] at 4 frames: 4 x 2 x 4 B = 32 B per instance, x batch 2 = 64 B.
    // Request: a frame [x, x] = 2 x 23 + 2 + 2 = 50 chars; an instance of 4 frames = 4 x 50 + 3 x 2 + 2 = 208;
    // body 15 + 2 x 208 + 2 + 2 = 435. Weights 9 float32 (2 x 3 + 3) = 36 B, listed twice in the SavedModel: 72 B.
    const r = inspectModel(path.join(VARIABLE, 'saved_model'), { maxBatchSize: 2, maxVariableDim: 4 });
    expect(r.hostMemoryFloor.terms.map((t) => [t.name, t.bytes])).toEqual([
      ['weights', 72], ['request JSON', 435], ['input tensors (2 x 32 bytes)', 64], ['output tensors (2 x 0 bytes)', 0],
    ]);
    expect(r.hostMemoryFloor.bytes).toBe(571);
    expect(r.hostMemoryFloor.terms[2].formula).toBe('max batch 2 x (elements x dtype size of every input, variable dimensions at 4)');
    expect(r.hostMemoryFloor.terms[3].formula).toBe('max batch 2 x (elements x dtype size of every output); output_0 of unknown size not counted');
    expect(r.draftProfile.signature).toEqual({ signatureName: 'serving_default', maxBatchSize: 2, inputs: [{ name: 'frames', dtype: 'float32', shape: [-1, 2], maxVariableDim: 4 }] });
    expect(r.draftProfile.model).toBe('variable-length');
    const k = inspectModel(path.join(VARIABLE, 'model.keras'), { maxBatchSize: 2, maxVariableDim: 4 });
    expect(k.hostMemoryFloor.terms.map((t) => t.bytes)).toEqual([36, 435, 64, 0]);
  });

  test('two outputs of unknown size: both named', () => {
    // The variable-length SavedModel with a second output like its first ([-1, -1] float32), written
    // again with the schema the reader decodes (the fields it does not declare are left out).
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-outputs-'));
    try {
      const dir = path.join(tmp, 'saved_model');
      fs.cpSync(path.join(VARIABLE, 'saved_model'), dir, { recursive: true });
      const file = path.join(dir, 'saved_model.pb');
      const sm = decodeSavedModel(fs.readFileSync(file)) as { meta_graphs: Array<{ signature_def: Record<string, { outputs: Record<string, object> }> }> };
      const outputs = sm.meta_graphs[0].signature_def.serving_default.outputs;
      expect(Object.keys(outputs)).toEqual(['output_0']);
      outputs.scores = { ...outputs.output_0, name: 'StatefulPartitionedCall:1' };
      const type = savedModelMessageType();
      fs.writeFileSync(file, type.encode(type.fromObject(sm)).finish());
      const r = inspectModel(dir, { maxBatchSize: 2, maxVariableDim: 4 });
      expect(r.hostMemoryFloor.terms[3]).toEqual({
        name: 'output tensors (2 x 0 bytes)', bytes: 0,
        formula: 'max batch 2 x (elements x dtype size of every output); output_0, scores of unknown size not counted',
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the model\'s name: the folder above a generic one (a version number, saved_model, export), made safe', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-names-'));
    try {
      const copy = (rel: string) => {
        fs.cpSync(SAVED, path.join(tmp, rel), { recursive: true });
        return inspectModel(path.join(tmp, rel), { maxBatchSize: 3 }).draftProfile.model;
      };
      expect(copy('resnet/12')).toBe('resnet');
      expect(copy('vision/export')).toBe('vision');
      expect(copy('speech/SavedModel')).toBe('speech');
      expect(copy('tabular/saved-model')).toBe('saved-model'); // not one of the generic names
      expect(copy('my model (v2)')).toBe('my_model__v2_');
      expect(copy('v1x')).toBe('v1x');
      expect(copy('models/v2')).toBe('v2'); // ends in digits, but is not a version number
      expect(copy('models/2024-model')).toBe('2024-model'); // starts with digits, the same
      // A directory named like a .keras file is still a SavedModel directory.
      expect(copy('odd.keras')).toBe('odd.keras');
      expect(inspectModel(path.join(tmp, 'odd.keras'), { maxBatchSize: 3 }).model.kind).toBe('saved-model');
      expect(copy('plain.keras.d')).toBe('plain.keras.d');
      expect(inspectModel(`${path.join(tmp, 'resnet', '12')}${path.sep}`, { maxBatchSize: 3 }).draftProfile.model).toBe('resnet');
      // Only a name that ends in .keras is an archive, and only that ending is cut from the name.
      fs.copyFileSync(KERAS, path.join(tmp, 'a.keras-b.keras'));
      expect(inspectModel(path.join(tmp, 'a.keras-b.keras'), { maxBatchSize: 3 }).draftProfile.model).toBe('a.keras-b');
      fs.copyFileSync(KERAS, path.join(tmp, 'backup.keras.bak'));
      expect(() => inspectModel(path.join(tmp, 'backup.keras.bak'), { maxBatchSize: 3 })).toThrow(InferenceGuardError);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
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

describe('inspectModel on an archive whose weights are not in model.weights.h5', () => {
  // The archive's config.json and metadata.json with other entries in place of model.weights.h5:
  // the weights cannot be listed, so the weight bytes are the .h5 entries' uncompressed sizes.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-weights-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const original = unzipSync(fs.readFileSync(KERAS));
  const archive = (name: string, extra: Record<string, Uint8Array>) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, zipSync({ 'config.json': original['config.json'], 'metadata.json': original['metadata.json'], ...extra }));
    return inspectModel(file, { maxBatchSize: 3 });
  };

  test('two .h5 files: their sizes added (1,000 + 234 bytes), named in the source; no parameter count', () => {
    const r = archive('split.keras', { 'weights/part_a.h5': new Uint8Array(1000), 'part_b.h5': new Uint8Array(234), 'notes.txt': new Uint8Array(50) });
    expect(r.weightBytes).toBe(1234);
    expect(r.weightSource).toBe('size of weights/part_a.h5, part_b.h5 in the archive (HDF5: the weights plus the file\'s own index)');
    expect(r.params).toBeUndefined();
    expect(r.model.weightFiles.map((f) => [path.basename(f.path.split('!')[0]), f.path.split('!')[1], f.bytes])).toEqual([['split.keras', 'weights/part_a.h5', 1000], ['split.keras', 'part_b.h5', 234]]);
    // The request and the input tensors as for the archive with its weights (720 and 3 x 44 bytes).
    expect(r.hostMemoryFloor.terms.map((t) => t.bytes)).toEqual([1234, 720, 132, 0]);
    expect(r.gpuMemoryFloor.bytes).toBe(1366); // 1,234 + 132
  });

  test('model.weights.npz (Keras\'s weights_format="npz"): its size, said so', () => {
    const r = archive('npz.keras', { 'model.weights.npz': new Uint8Array(640) });
    expect([r.weightBytes, r.params]).toEqual([640, undefined]);
    expect(r.weightSource).toBe('size of model.weights.npz in the archive (NumPy .npz: the weights plus each layer\'s pickled array header)');
    expect(r.hostMemoryFloor.terms.map((t) => t.bytes)).toEqual([640, 720, 132, 0]);
  });

  test('no weights file at all: an error that names what Keras writes, not a floor of 0 weight bytes', () => {
    const e = errorOf(() => archive('none.keras', { 'notes.txt': new Uint8Array(50) }));
    expect(e).toBeInstanceOf(InferenceGuardError);
    expect((e as Error).message).toContain('model.weights.h5 or model.weights.npz = missing');
    expect((e as Error).message).toContain('save the model again with model.save("model.keras") in Keras 3');
  });
});

describe('largestRequestBody', () => {
  test('one input: instances are the bare tensor; variable dimensions at their bound', () => {
    const s = ModelSignature.of({ maxBatchSize: 2, inputs: [{ name: 'tokens', dtype: TensorDType.INT8, shape: [-1], maxVariableDim: 3 }] });
    expect(largestRequestBody(s)).toBe('{"instances": [[-128, -128, -128], [-128, -128, -128]]}');
    const b = ModelSignature.of({ maxBatchSize: 1, inputs: [{ name: 'ok', dtype: TensorDType.BOOL, shape: [2] }] });
    expect(largestRequestBody(b)).toBe('{"instances": [[false, false]]}');
  });

  test.each([
    // The widest JSON text of one element of each dtype (Python's json.dumps of numpy values the schema admits).
    [TensorDType.FLOAT16, '-1.1920928955078125e-07'],
    [TensorDType.FLOAT32, '-1.1754942106924411e-38'],
    [TensorDType.FLOAT64, '-2.2250738585072014e-308'],
    [TensorDType.INT8, '-128'],
    [TensorDType.UINT8, '255'],
    [TensorDType.INT32, '-2147483648'],
    [TensorDType.INT64, '-9007199254740991'],
    [TensorDType.BOOL, 'false'],
  ])('%s: the widest element text', (dtype, text) => {
    expect(largestRequestBody(ModelSignature.of({ maxBatchSize: 1, inputs: [{ name: 'x', dtype, shape: [1] }] }))).toBe(`{"instances": [[${text}]]}`);
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
    expect(() => serviceSignature('Svc', SAVED, wrong, 8)).toThrow(`[SIGNATURE_MISMATCH] the signature disagrees with the model:
  - signature = ${JSON.stringify(wrong.describe())}: allowed the model's serving signature in ${SAVED}: ${serviceSignature('Svc', SAVED, undefined, 3).describe()} (input "counts": dtype float32, the model's is int32). Fix: drop the signature prop to use the model's own, or export the model you mean to serve`);
    // Every difference, one after another.
    const both = ModelSignature.of({ maxBatchSize: 3, inputs: [{ name: 'counts', dtype: TensorDType.FLOAT32, shape: [2, 3] }, { name: 'features', dtype: TensorDType.INT32, shape: [5] }] });
    expect(() => serviceSignature('Svc', SAVED, both, 8)).toThrow('(input "counts": dtype float32, the model\'s is int32; input "features": dtype int32, the model\'s is float32)');
    const error = errorOf(() => serviceSignature('Svc', undefined, undefined, 8));
    expect(error.problems.map((p) => p.prop)).toEqual(['signature']);
    expect(error.message).toContain('[SIGNATURE_MISMATCH] the request signature is missing:');
    expect(error.message).toContain('signature = undefined: allowed a ModelSignature when the model is not a local SavedModel directory. Fix: pass signature: ModelSignature.of(...), or model: ModelArtifact.fromSavedModelDirectory(dir) to read it from the model');
  });

  test('an error reading the model with a given signature, or without one, is passed on as it is', () => {
    const other = ModelSignature.of({ signatureName: 'predict_v2', maxBatchSize: 3, inputs: [{ name: 'counts', dtype: TensorDType.INT32, shape: [2, 3] }, { name: 'features', dtype: TensorDType.FLOAT32, shape: [5] }] });
    expect(() => serviceSignature('Svc', SAVED, other, 8)).toThrow(/signatureName = "predict_v2"/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-empty-'));
    try {
      expect(() => serviceSignature('Svc', empty, undefined, 8)).toThrow(`[MODEL_UNREADABLE] cannot read the model in ${empty}`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a variable dimension: the bound comes from the given signature; without one, where to put it', () => {
    const dir = path.join(VARIABLE, 'saved_model');
    const bounded = ModelSignature.of({ maxBatchSize: 2, inputs: [{ name: 'frames', dtype: TensorDType.FLOAT32, shape: [-1, 2], maxVariableDim: 7 }] });
    expect(serviceSignature('Svc', dir, bounded, 8)).toBe(bounded);
    const error = errorOf(() => serviceSignature('Svc', dir, undefined, 8));
    expect(error.message).toContain(`[SIGNATURE_MISMATCH] the model has a variable dimension without a bound:\n  - signature = undefined: allowed a signature with a bound for the variable dimension of the model in ${dir}. Fix: pass signature: ModelSignature.fromSavedModel(dir, { maxVariableDim: N })`);
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
    expect(readDraftProfile(write('text-signature.json', { draft: true, model: 'm', maxRequestBytes: 10, signature: 'x' })).signature).toBeUndefined();
  });

  test('the messages say what is wrong and how to fix it', () => {
    const bad = write('bad-draft.json', { draft: false, model: '', maxRequestBytes: 0 });
    expect(() => readDraftProfile(bad)).toThrow([
      `[DRAFT_INVALID] invalid draft profile:`,
      '  - draft = false: allowed true (a draft written by kig inspect --draft-out). Fix: write the draft with kig inspect MODEL --draft-out FILE',
      '  - model = "": allowed a model name. Fix: write the draft with kig inspect',
      '  - maxRequestBytes = 0: allowed a positive integer (bytes). Fix: write the draft with kig inspect',
    ].join('\n'));
    const broken = write('broken-draft.json', '{');
    expect(() => readDraftProfile(broken)).toThrow(`[DRAFT_INVALID] cannot read the draft profile:\n  - --draft = ${JSON.stringify(broken)}: allowed a readable JSON file written by kig inspect --draft-out. Fix: check the path or write it again (`);
  });

  test.each([
    ['not JSON', '{', ['--draft']],
    ['not a draft, no model, no size', { draft: false, model: '', maxRequestBytes: 0 }, ['draft', 'model', 'maxRequestBytes']],
    ['a fractional size', { draft: true, model: 'm', maxRequestBytes: 1.5 }, ['maxRequestBytes']],
    ['a size as text', { draft: true, model: 'm', maxRequestBytes: '10' }, ['maxRequestBytes']],
    ['a model name in a list', { draft: true, model: ['m'], maxRequestBytes: 10 }, ['model']],
  ])('%s: every problem named', (_what, doc, props) => {
    const error = errorOf(() => readDraftProfile(write('bad.json', doc)));
    expect(error.problems.map((p) => p.prop)).toEqual(props);
  });
});
