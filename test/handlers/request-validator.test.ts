import Ajv from 'ajv-draft-04';
import * as fs from 'fs';
import * as path from 'path';
import { compileRequestSchema, requestValidatorSource } from '../../handlers/shared/schema';
import { stageAdmission } from '../../lib/queue/private/admission-code';
import { ModelSignature, TensorDType } from '../../lib/model';

const multi = ModelSignature.of({
  inputs: [
    { name: 'tokens', dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 8 },
    { name: 'mask', dtype: TensorDType.BOOL, shape: [4] },
  ],
  maxBatchSize: 2,
});
const single = ModelSignature.singleTensor({ dtype: TensorDType.UINT8, shape: [2, 3], maxBatchSize: 3 });

const BODIES: unknown[] = [
  { instances: [[[1, 2, 3], [4, 5, 6]]] },
  { instances: [[[1, 2, 3], [4, 5, 256]]], signature_name: 'serving_default' },
  { instances: [[[1.5, -1, 'x'], [4, 5]]], extra: true },
  { instances: [] }, {}, [], null, 'text', { signature_name: 'other', instances: [{ a: 1 }] },
  { instances: [{ tokens: [1, 2, 3], mask: [true, false, true, true] }] },
  { instances: [{ tokens: [], mask: [1, 0, 1, 1], other: 1 }, { tokens: Array(9).fill(1) }, {}] },
];

test('the standalone validator lists the same problems as the schema compiled in process', () => {
  for (const signature of [single, multi]) {
    const schema = signature.toJsonSchema();
    const compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const standalone = compileRequestSchema(schema);
    for (const body of BODIES) {
      const expected = compiled(body) ? [] : (compiled.errors ?? []).slice(0, 20).map((e) => ({ path: e.instancePath === '' ? '/' : e.instancePath, message: e.message ?? e.keyword }));
      expect(standalone(body)).toEqual(expected);
    }
  }
});

test('the admission code folder: the bundle and the validator, one folder per content', () => {
  const a = stageAdmission(single.toJsonSchema());
  expect(stageAdmission(single.toJsonSchema())).toBe(a);
  const b = stageAdmission(multi.toJsonSchema());
  expect(b).not.toBe(a);
  expect(fs.readdirSync(b).sort()).toEqual(['index.js', 'request-validator.js']);
  expect(fs.readFileSync(path.join(b, 'request-validator.js'), 'utf8')).toBe(requestValidatorSource(multi.toJsonSchema()));
});

test('a schema whose code needs an ajv runtime helper is refused at synth, with the helper named', () => {
  expect(() => requestValidatorSource({ type: 'string', minLength: 2 })).toThrow(/runtime helper "ajv\/dist\/runtime\/ucs2length"/);
});
