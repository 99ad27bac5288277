/** Signatures read from files Keras itself wrote (scripts/keras-fixtures.py), against what Keras reported. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceGuardError, ModelSignature, TensorDType } from '../../lib';
import { signatureJson } from '../../lib/model/inspection';
import { kerasFixtures } from './support';

const fixtures = kerasFixtures();

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  const options = { maxBatchSize: f.record.maxBatch, maxVariableDim: f.variable };
  const fromSavedModel = ModelSignature.fromSavedModel(f.savedModel, options);
  const fromKeras = ModelSignature.fromKerasFile(f.kerasFile, options);

  test('fromSavedModel and fromKerasFile give the same signature', () => {
    expect(signatureJson(fromKeras)).toEqual(signatureJson(fromSavedModel));
    expect(fromKeras.toJsonSchema()).toEqual(fromSavedModel.toJsonSchema());
    expect(fromSavedModel.differencesFrom(fromKeras)).toEqual([]);
  });

  test('it is what Keras reports: input names, dtypes and shapes without the batch dimension', () => {
    const expected = [...f.record.inputs].sort((a, b) => a.name.localeCompare(b.name)).map((i) => ({
      name: i.name, dtype: i.dtype, shape: i.shape.slice(1).map((d) => (d === null ? -1 : d)),
    }));
    expect(fromSavedModel.inputs.map((i) => ({ name: i.name, dtype: i.dtype.name, shape: i.shape }))).toEqual(expected);
    expect(fromSavedModel.signatureName).toBe('serving_default');
    expect(fromSavedModel.maxBatchSize).toBe(f.record.maxBatch);
    for (const i of fromSavedModel.inputs) expect(i.maxVariableDim).toBe(i.shape.includes(-1) ? f.variable : undefined);
  });
});

test('the four kinds of model are there: image CNN, image + tabular, variable-length int tokens, a non-float32 input', () => {
  const sig = (name: string) => ModelSignature.fromSavedModel(fixtures.find((f) => f.name === name)!.savedModel, { maxVariableDim: 64 });
  expect(sig('cnn_image').inputs.map((i) => i.shape)).toEqual([[28, 28, 1]]);
  expect(sig('multi_input').inputs.map((i) => i.name)).toEqual(['features', 'photo']);
  expect(sig('text_tokens').inputs[0]).toMatchObject({ shape: [-1], maxVariableDim: 64 });
  expect(sig('text_tokens').inputs[0].dtype.name).toBe('int32');
  expect(sig('uint8_pixels').inputs[0].dtype.name).toBe('uint8');
  // the batch limit defaults to 8 when the model leaves the batch dimension open
  expect(sig('cnn_image').maxBatchSize).toBe(8);
});

describe('errors name the file', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-model-'));
  const cnn = fixtures.find((f) => f.name === 'cnn_image')!;
  const text = fixtures.find((f) => f.name === 'text_tokens')!;
  const thrown = (fn: () => unknown): InferenceGuardError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof InferenceGuardError) return e;
      throw e;
    }
    throw new Error('no error');
  };

  test('a missing directory', () => {
    const e = thrown(() => ModelSignature.fromSavedModel(path.join(tmp, 'absent')));
    expect(e.path).toBe(path.join(tmp, 'absent'));
    expect(e.message).toContain('an existing SavedModel directory');
  });

  test('a truncated saved_model.pb', () => {
    const dir = path.join(tmp, 'truncated');
    fs.mkdirSync(dir);
    const pb = fs.readFileSync(path.join(cnn.savedModel, 'saved_model.pb'));
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), pb.subarray(0, Math.floor(pb.length / 2)));
    const e = thrown(() => ModelSignature.fromSavedModel(dir));
    expect(e.path).toBe(path.join(dir, 'saved_model.pb'));
    expect(e.message).toContain('truncated or not a SavedModel');
  });

  test('a .keras file that is not a zip', () => {
    const file = path.join(tmp, 'broken.keras');
    fs.writeFileSync(file, 'not a zip archive at all');
    const e = thrown(() => ModelSignature.fromKerasFile(file));
    expect(e.path).toBe(file);
    expect(e.message).toContain('a Keras 3 .keras archive (a zip file)');
  });

  test('a signature name the model does not have lists those it has', () => {
    const e = thrown(() => ModelSignature.fromSavedModel(cnn.savedModel, { signatureName: 'predict_v2' }));
    expect(e.path).toBe(path.join(cnn.savedModel, 'saved_model.pb'));
    expect(e.message).toContain('signatureName = "predict_v2"');
    expect(e.message).toContain('"serve", "serving_default"');
  });

  test('a variable dimension without a bound', () => {
    const e = thrown(() => ModelSignature.fromSavedModel(text.savedModel));
    expect(e.message).toContain('maxVariableDim');
    expect(e.message).toContain('input "tokens"');
  });

  test('the model\'s versioned layout (TF Serving\'s base path) reads the highest version', () => {
    const base = path.join(tmp, 'versions');
    fs.mkdirSync(path.join(base, '3'), { recursive: true });
    fs.mkdirSync(path.join(base, '12'), { recursive: true });
    fs.cpSync(cnn.savedModel, path.join(base, '12'), { recursive: true });
    fs.writeFileSync(path.join(base, '3', 'saved_model.pb'), 'stale');
    expect(ModelSignature.fromSavedModel(base).inputs[0].name).toBe('image');
  });
});

test('differencesFrom names each disagreement with the model', () => {
  const model = ModelSignature.fromSavedModel(fixtures.find((f) => f.name === 'multi_input')!.savedModel);
  const hand = ModelSignature.of({
    maxBatchSize: 8,
    inputs: [
      { name: 'features', dtype: TensorDType.INT32, shape: [12] },
      { name: 'photo', dtype: TensorDType.FLOAT32, shape: [28, 28, 3] },
      { name: 'extra', dtype: TensorDType.FLOAT32, shape: [1] },
    ],
  });
  expect(hand.differencesFrom(model)).toEqual([
    'input "features": dtype int32, the model\'s is float32',
    'input "photo": shape [28,28,3], the model\'s is [32,32,3]',
    'input "extra" is not an input of the model',
  ]);
});
