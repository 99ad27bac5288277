import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
/** Where scripts/test-env.sh has scripts/keras-fixtures.py write the models. */
export const FIXTURES = path.join(ROOT, '.fixtures', 'keras');
export const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
export const TF_SERVER = path.join(__dirname, 'tf-serving-rest.py');

/** What the fixture script recorded from Keras itself. */
export interface KerasRecord {
  readonly name: string;
  readonly inputs: Array<{ name: string; dtype: string; shape: Array<number | null> }>;
  readonly outputs: Array<{ name: string; dtype: string; shape: Array<number | null> }>;
  readonly params: number;
  readonly weights: Record<string, { count: number; bytes: number }>;
  readonly maxBatch: number;
  readonly maxVariableDim: number;
}

/** One model written by Keras: its SavedModel, its .keras archive and what Keras reported. */
export interface KerasFixture {
  readonly name: string;
  readonly savedModel: string;
  readonly kerasFile: string;
  readonly record: KerasRecord;
  /** A request at the batch limit with random values, written by the fixture script. */
  readonly requestFile: string;
  /** The largest request a Python client writes at the batch limit. */
  readonly largestFile: string;
  /** maxVariableDim when the model has a variable dimension. */
  readonly variable?: number;
}

/** The fixture models, built by scripts/test-env.sh first when they are missing (cached by a stamp). */
export function kerasFixtures(): KerasFixture[] {
  const manifest = path.join(FIXTURES, 'manifest.json');
  if (!fs.existsSync(manifest) || !fs.existsSync(PYTHON)) execFileSync('bash', [path.join(ROOT, 'scripts', 'test-env.sh')], { stdio: 'inherit' });
  const { models } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { models: string[] };
  return models.map((name) => {
    const dir = path.join(FIXTURES, name);
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'keras.json'), 'utf8')) as KerasRecord;
    const variable = record.inputs.some((i) => i.shape.slice(1).includes(null)) ? record.maxVariableDim : undefined;
    return {
      name, record, variable,
      savedModel: path.join(dir, 'saved_model'),
      kerasFile: path.join(dir, 'model.keras'),
      requestFile: path.join(dir, 'request.json'),
      largestFile: path.join(dir, 'largest.json'),
    };
  });
}

/** The shell command that starts the TF Serving REST peer (for kig profile --start-cmd). */
export function tfServerCommand(args: string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return [PYTHON, TF_SERVER, ...args].map(q).join(' ');
}

/** A TF Serving REST peer serving a SavedModel on loopback (its process may serve others too: startTfServers). */
export interface TfServer {
  readonly base: string;
  readonly pid: number;
  readonly child: ChildProcess;
  predict(body: string | object): Promise<{ status: number; json: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * Starts one test/model/tf-serving-rest.py on a free port that serves every model given, as TF
 * Serving does with a model config file: TensorFlow is loaded once (several seconds of CPU per
 * process). Each model's TfServer predicts at its own path; stopping any stops the process.
 */
export function startTfServers(models: ReadonlyArray<{ readonly name: string; readonly savedModel: string }>): Promise<Map<string, TfServer>> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [TF_SERVER, ...models.flatMap((m) => ['--model', `${m.name}=${m.savedModel}`]), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`TF server did not start: ${err.slice(-2000)}`)); }, 240_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const stop = () => new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const base = `http://127.0.0.1:${m[1]}`;
      resolve(new Map(models.map(({ name }) => [name, {
        base, pid: child.pid!, child, stop,
        predict: async (body: string | object) => {
          const res = await fetch(`${base}/v1/models/${name}:predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
          return { status: res.status, json: await res.json() as Record<string, unknown> };
        },
      }])));
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`TF server exited with ${code}: ${err.slice(-2000)}`)); });
  });
}
