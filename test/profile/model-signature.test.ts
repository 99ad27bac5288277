import Ajv from 'ajv-draft-04';
import { InferenceGuardError, ModelSignature, TensorDType } from '../../lib';

function validator(sig: ModelSignature) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(sig.toJsonSchema());
}

const image = (v = 0.5) => Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => [v]));

describe('ModelSignature request schema (draft-04)', () => {
  const sig = ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.FLOAT32, shape: [2, 3, 1], maxBatchSize: 4 });
  const validate = validator(sig);

  test('is a draft-04 schema', () => {
    expect(sig.toJsonSchema().$schema).toBe('http://json-schema.org/draft-04/schema#');
  });

  test('accepts valid tensors', () => {
    expect(validate({ instances: [image()] })).toBe(true);
    expect(validate({ instances: [image(), image(1), image(-2), image(3e-5)], signature_name: 'serving_default' })).toBe(true);
  });

  test('rejects a wrong shape', () => {
    expect(validate({ instances: [[[0.1], [0.2]]] })).toBe(false);
    expect(validate({ instances: [image().map((row) => row.map(() => [0.1, 0.2]))] })).toBe(false);
  });

  test('rejects a wrong dtype', () => {
    expect(validate({ instances: [image().map((row) => row.map(() => ['x']))] })).toBe(false);
  });

  test('rejects too large a batch and an empty one', () => {
    expect(validate({ instances: [image(), image(), image(), image(), image()] })).toBe(false);
    expect(validate({ instances: [] })).toBe(false);
  });

  test('rejects unknown fields and a missing instances field', () => {
    expect(validate({ instances: [image()], extra: 1 })).toBe(false);
    expect(validate({ inputs: [image()] })).toBe(false);
    expect(validate({ instances: [image()], signature_name: 'other' })).toBe(false);
  });

  test('integer dtypes are bounded', () => {
    const v = validator(ModelSignature.singleTensor({ dtype: TensorDType.UINT8, shape: [2], maxBatchSize: 1 }));
    expect(v({ instances: [[0, 255]] })).toBe(true);
    expect(v({ instances: [[0, 256]] })).toBe(false);
    expect(v({ instances: [[0, 1.5]] })).toBe(false);
  });

  test('several named inputs make object instances', () => {
    const v = validator(ModelSignature.of({
      inputs: [{ name: 'ids', dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 3 }, { name: 'mask', dtype: TensorDType.BOOL, shape: [-1], maxVariableDim: 3 }],
      maxBatchSize: 2,
    }));
    expect(v({ instances: [{ ids: [1, 2], mask: [true, false] }] })).toBe(true);
    expect(v({ instances: [{ ids: [1, 2, 3, 4], mask: [true] }] })).toBe(false);
    expect(v({ instances: [{ ids: [1] }] })).toBe(false);
  });

  test('estimates the largest body the schema admits', () => {
    const big = JSON.stringify({ instances: Array.from({ length: 4 }, () => image(-1.2345678e-10)) });
    expect(sig.estimatedMaxBodyBytes()).toBeGreaterThanOrEqual(Buffer.byteLength(big));
  });

  test('invalid signatures list every problem', () => {
    expect.assertions(3);
    try {
      ModelSignature.of({ inputs: [{ name: 'a b', dtype: TensorDType.FLOAT32, shape: [0, -1] }], maxBatchSize: 0 });
    } catch (e) {
      expect(e).toBeInstanceOf(InferenceGuardError);
      const props = (e as InferenceGuardError).problems.map((p) => p.prop);
      expect(props).toEqual(expect.arrayContaining(['signature.maxBatchSize', 'signature.inputs[0].name', 'signature.inputs[0].shape', 'signature.inputs[0].maxVariableDim']));
      expect(props).toHaveLength(4);
    }
  });

  test('dtype lookup by TensorFlow name', () => {
    expect(TensorDType.of('DT_FLOAT')).toBe(TensorDType.FLOAT32);
    expect(() => TensorDType.of('complex64')).toThrow(/allowed float16/);
  });
});

describe('narrowed: what POST /predict admits under a cost cap', () => {
  const text = ModelSignature.of({
    inputs: [{ name: 'tokens', dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 128 }, { name: 'mask', dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 32 }],
    maxBatchSize: 8, signatureName: 'serving_default',
  });

  test('a smaller batch, and every variable bound at most the one given (a smaller own bound kept)', () => {
    const n = text.narrowed(2, 64);
    expect(n.maxBatchSize).toBe(2);
    expect(n.inputs.map((i) => i.maxVariableDim)).toEqual([64, 32]);
    expect(text.narrowed(3).inputs.map((i) => i.maxVariableDim)).toEqual([128, 32]);
    // The original is unchanged.
    expect(text.maxBatchSize).toBe(8);
  });

  test('widening is refused, naming the prop', () => {
    expect(() => text.narrowed(9)).toThrow(InferenceGuardError);
    expect(() => text.narrowed(9)).toThrow(/maxBatchSize/);
    expect(() => text.narrowed(2, -1)).toThrow(/maxVariableDim/);
  });
});
