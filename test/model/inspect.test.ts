/** `kig inspect` on files Keras wrote: figures checked against Keras's own report and the files on disk. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runKig } from '../support/cli';
import { kerasFixtures, PYTHON } from './support';

const fixtures = kerasFixtures();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-inspect-'));
const within = (a: number, b: number, tolerance: number) => Math.abs(a - b) / b <= tolerance;

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  const args = ['--max-batch', String(f.record.maxBatch), ...(f.variable ? ['--max-variable-dim', String(f.variable)] : [])];

  test('SavedModel: parameters, weight bytes by dtype, memory floor, largest request, draft', async () => {
    const draft = path.join(tmp, `${f.name}-draft.json`);
    const request = path.join(tmp, `${f.name}-largest.json`);
    const r = await runKig(['inspect', f.savedModel, ...args, '--json', '--draft-out', draft, '--request-out', request]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // Keras's count_params() and its bytes per dtype
    expect(out.params).toBe(f.record.params);
    for (const [dtype, w] of Object.entries(f.record.weights)) expect(out.model.weights.byDtype[dtype].params).toBe(w.count);
    // The server restores every variable the object graph lists: Keras's export stores each twice.
    const kerasBytes = Object.values(f.record.weights).reduce((s, w) => s + w.bytes, 0);
    expect(out.weightBytes).toBe(kerasBytes * (1 + out.model.weights.duplicateVariables / (out.model.weights.variables - out.model.weights.duplicateVariables)));
    // ... and that is what the checkpoint on disk holds, within 1 %
    const data = fs.readdirSync(path.join(f.savedModel, 'variables')).filter((n) => n.startsWith('variables.data-'))
      .reduce((s, n) => s + fs.statSync(path.join(f.savedModel, 'variables', n)).size, 0);
    expect(within(out.weightBytes, data, 0.01)).toBe(true);
    // the largest request: what a Python client writes at the same limit, within 5 %
    const real = fs.statSync(f.largestFile).size;
    expect(within(out.largestRequest.bytes, real, 0.05)).toBe(true);
    expect(fs.statSync(request).size).toBe(out.largestRequest.bytes);
    // memory floor = its terms, weights first
    expect(out.hostMemoryFloor.bytes).toBe(out.hostMemoryFloor.terms.reduce((s: number, t: { bytes: number }) => s + t.bytes, 0));
    expect(out.hostMemoryFloor.terms[0].bytes).toBe(out.weightBytes);
    expect(out.gpuMemoryFloor.bytes).toBe(out.hostMemoryFloor.bytes - out.largestRequest.bytes);
    // the draft: maxRequestBytes from the model, every other profile field marked unmeasured
    const d = JSON.parse(fs.readFileSync(draft, 'utf8'));
    expect(d).toMatchObject({ draft: true, model: f.name, maxRequestBytes: out.largestRequest.bytes, latencyMs: { unmeasured: true } });
    for (const k of ['hardware', 'sustainableConcurrency', 'throughputPerInstanceRps', 'peakHostMemoryMiB', 'peakGpuMemoryMiB', 'coldStartSeconds']) expect(d[k].unmeasured).toBe(true);
    expect(d.peakHostMemoryMiB.floorMiB).toBe(out.hostMemoryFloor.mib);
  });

  test('text output shows the figures and the formula; .keras gives the same signature and request', async () => {
    const sm = await runKig(['inspect', f.savedModel, ...args]);
    expect(sm.code).toBe(0);
    expect(sm.stdout).toContain(`Parameters: ${f.record.params.toLocaleString('en-US')}`);
    expect(sm.stdout).toMatch(/host: [\d,]+ bytes .*\n {4}= weights \+ request JSON \+ input tensors/);
    expect(sm.stdout).toContain('Serving signature "serving_default"');
    const k = await runKig(['inspect', f.kerasFile, ...args, '--json']);
    expect(k.code).toBe(0);
    const [a, b] = [JSON.parse((await runKig(['inspect', f.savedModel, ...args, '--json'])).stdout), JSON.parse(k.stdout)];
    expect(b.signature).toEqual(a.signature);
    expect(b.largestRequest.bytes).toBe(a.largestRequest.bytes);
    // .keras: the variables in model.weights.h5, once each: exactly Keras's count and bytes ...
    expect(b.params).toBe(f.record.params);
    for (const [dtype, w] of Object.entries(f.record.weights)) expect(b.model.weights.byDtype[dtype]).toEqual({ params: w.count, bytes: w.bytes });
    // ... which the HDF5 file on disk holds, plus its own index (its size as the archive lists it, read by Python's zipfile)
    const h5 = Number(execFileSync(PYTHON, ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).getinfo("model.weights.h5").file_size)', f.kerasFile], { encoding: 'utf8' }).trim());
    expect(b.model.weightFiles[0].bytes).toBe(h5);
    expect(b.weightBytes).toBeLessThanOrEqual(h5);
    expect(within(b.weightBytes, h5, 0.1)).toBe(true);
  });
});

describe('bad input: one line naming the file, exit 2', () => {
  const cnn = fixtures[0];
  const oneLine = (r: { code: number; stderr: string; stdout: string }, file: string) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
  };

  test('a missing directory', async () => {
    const dir = path.join(tmp, 'no-such-model');
    oneLine(await runKig(['inspect', dir]), dir);
  });

  test('a truncated saved_model.pb', async () => {
    const dir = path.join(tmp, 'cut');
    fs.mkdirSync(dir, { recursive: true });
    const pb = fs.readFileSync(path.join(cnn.savedModel, 'saved_model.pb'));
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), pb.subarray(0, pb.length - 1000));
    const r = await runKig(['inspect', dir]);
    oneLine(r, path.join(dir, 'saved_model.pb'));
    expect(r.stderr).toContain('truncated');
  });

  test('a .keras file that is not a zip', async () => {
    const file = path.join(tmp, 'text.keras');
    fs.writeFileSync(file, '{"this": "is json, not a zip"}');
    oneLine(await runKig(['inspect', file]), file);
  });

  test('a signature name that does not exist', async () => {
    const r = await runKig(['inspect', cnn.savedModel, '--signature', 'classify']);
    oneLine(r, path.join(cnn.savedModel, 'saved_model.pb'));
    expect(r.stderr).toContain('"serve", "serving_default"');
  });

  test('saved_model.pb itself names its directory', async () => {
    const r = await runKig(['inspect', path.join(cnn.savedModel, 'saved_model.pb'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).model.source).toBe(cnn.savedModel);
  });

  test('--help documents the formula and exit codes; no model is a usage error', async () => {
    const h = await runKig(['inspect', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('host = weights + largest request JSON + input tensors + output tensors');
    expect(h.stdout).toContain('Exit codes:');
    expect((await runKig(['inspect'])).code).toBe(2);
    expect((await runKig(['inspect', cnn.savedModel, '--max-batch', '0'])).code).toBe(2);
  });
});
