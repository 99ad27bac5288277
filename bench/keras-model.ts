/**
 * Reading the model: times ModelSignature.fromSavedModel, fromKerasFile and kig inspect's figures
 * on the models Keras wrote (.fixtures/keras, built by scripts/test-env.sh), and the fixture build
 * itself (the pinned Keras + TensorFlow writing four models). Prints medians; asserts nothing.
 *
 *   npm run build && node dist/bench/keras-model.js [--runs N] [--no-build]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { inspectModel } from '../lib/model/inspection';
import { ModelSignature } from '../lib/model';

const ROOT = [path.join(__dirname, '..'), path.join(__dirname, '..', '..')].find((d) => fs.existsSync(path.join(d, 'scripts', 'keras-fixtures.py')))!;
const FIXTURES = path.join(ROOT, '.fixtures', 'keras');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn: () => unknown): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return Math.round(median(t) * 100) / 100;
}

if (!fs.existsSync(path.join(FIXTURES, 'manifest.json'))) execFileSync('bash', [path.join(ROOT, 'scripts', 'test-env.sh')], { stdio: 'inherit' });
const { models, keras, tensorflow } = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as { models: string[]; keras: string; tensorflow: string };
console.log(`models written by Keras ${keras} on TensorFlow ${tensorflow}; median of ${runs} runs`);
console.log('model          params   saved_model.pb  fromSavedModel  fromKerasFile  inspect (SavedModel)  largest request');
for (const m of models) {
  const dir = path.join(FIXTURES, m);
  const record = JSON.parse(fs.readFileSync(path.join(dir, 'keras.json'), 'utf8')) as { maxBatch: number; maxVariableDim: number; inputs: Array<{ shape: Array<number | null> }> };
  const variable = record.inputs.some((i) => i.shape.slice(1).includes(null)) ? record.maxVariableDim : undefined;
  const o = { maxBatchSize: record.maxBatch, maxVariableDim: variable };
  const sm = path.join(dir, 'saved_model');
  const r = inspectModel(sm, o);
  console.log([
    m.padEnd(13), String(r.params).padStart(7), `${fs.statSync(path.join(sm, 'saved_model.pb')).size} B`.padStart(15),
    `${time(() => ModelSignature.fromSavedModel(sm, o))} ms`.padStart(15), `${time(() => ModelSignature.fromKerasFile(path.join(dir, 'model.keras'), o))} ms`.padStart(14),
    `${time(() => inspectModel(sm, o))} ms`.padStart(21), `${r.largestRequest.bytes} B`.padStart(16),
  ].join('  '));
}

if (!args.includes('--no-build') && fs.existsSync(PYTHON)) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-fixtures-'));
  const s = performance.now();
  execFileSync(PYTHON, [path.join(ROOT, 'scripts', 'keras-fixtures.py'), out], { stdio: 'ignore', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  console.log(`fixture build (scripts/keras-fixtures.py, 4 models, SavedModel + .keras): ${Math.round((performance.now() - s) / 100) / 10} s`);
  fs.rmSync(out, { recursive: true, force: true });
}
