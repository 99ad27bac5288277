/**
 * The request schema built from a model's own signature, against the real model: TensorFlow loads
 * each SavedModel Keras exported and answers TF Serving's REST predict API on loopback.
 */
import Ajv from 'ajv-draft-04';
import * as fs from 'fs';
import { ModelSignature, TensorSpecProps } from '../../lib';
import { KerasFixture, kerasFixtures, startTfServers, TfServer } from './support';

const fixtures = kerasFixtures();
let servers = new Map<string, TfServer>();

beforeAll(async () => {
  // One process serves every fixture model (TensorFlow loaded once), each at its own path.
  servers = await startTfServers(fixtures.map((f) => ({ name: f.name, savedModel: f.savedModel })));
}, 600_000);
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

/** A valid instance value: token ids stay small (the text model's vocabulary is 5000). */
function value(spec: TensorSpecProps, k = 0): unknown {
  if (k === spec.shape.length) {
    if (spec.dtype.name === 'uint8') return Math.floor(Math.random() * 256);
    if (spec.dtype.jsonType === 'integer') return Math.floor(Math.random() * 100);
    return Math.round(Math.random() * 1e6) / 1e6;
  }
  const d = spec.shape[k] === -1 ? spec.maxVariableDim! : spec.shape[k];
  return Array.from({ length: d }, () => value(spec, k + 1));
}

function request(sig: ModelSignature, batch = sig.maxBatchSize): { instances: unknown[] } {
  const instance = () => (sig.inputs.length === 1 ? value(sig.inputs[0]) : Object.fromEntries(sig.inputs.map((i) => [i.name, value(i)])));
  return { instances: Array.from({ length: batch }, instance) };
}

/** Replaces every innermost element of the first input with `f(element)` (or drops the last element of the innermost arrays). */
function mutate(body: { instances: unknown[] }, sig: ModelSignature, f: (row: unknown[]) => unknown[]): { instances: unknown[] } {
  const walk = (v: unknown): unknown => (Array.isArray(v) ? (Array.isArray(v[0]) ? v.map(walk) : f(v)) : v);
  const first = sig.inputs[0].name;
  return {
    instances: body.instances.map((inst) => (sig.inputs.length === 1 ? walk(inst) : { ...(inst as object), [first]: walk((inst as Record<string, unknown>)[first]) })),
  };
}

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f: KerasFixture) => {
  const sig = ModelSignature.fromSavedModel(f.savedModel, { maxBatchSize: f.record.maxBatch, maxVariableDim: f.variable });
  const validate = new Ajv({ allErrors: true, strict: false }).compile(sig.toJsonSchema());

  test('a request built from the signature at the max batch passes the schema and the real model answers it', async () => {
    const body = request(sig);
    expect(validate(body)).toBe(true);
    const r = await servers.get(f.name)!.predict(body);
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(sig.maxBatchSize);
    // the request Keras's side wrote (random values at the same limit) passes too
    const written = JSON.parse(fs.readFileSync(f.requestFile, 'utf8'));
    expect(validate(written)).toBe(true);
  });

  test('a broken shape, dtype or batch is rejected by the schema (and the shape by the model too)', async () => {
    const body = request(sig);
    // a fixed dimension one short; a variable one past its bound
    const variable = sig.inputs[0].shape.includes(-1);
    const shorter = mutate(body, sig, (row) => (variable ? [...row, row[0]] : row.slice(0, Math.max(0, row.length - 1))));
    const wrongType = mutate(body, sig, (row) => row.map(() => (sig.inputs[0].dtype.jsonType === 'integer' ? 0.5 : 'x')));
    const tooMany = request(sig, sig.maxBatchSize + 1);
    const overRange = mutate(body, sig, (row) => row.map(() => (sig.inputs[0].dtype.name === 'uint8' ? 256 : 1e40)));
    for (const bad of [shorter, wrongType, tooMany]) expect(validate(bad)).toBe(false);
    if (sig.inputs[0].dtype.maximum !== undefined) expect(validate(overRange)).toBe(false);
    if (!variable) {
      const r = await servers.get(f.name)!.predict(shorter);
      expect(r.status).toBe(400);
      expect(String(r.json.error)).toContain('shape');
    }
  });
});
