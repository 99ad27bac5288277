/**
 * A model server for tests, run as its own process so the load generator and the server do not
 * share an event loop. It speaks:
 *   POST /v1/models/<name>:predict        TF Serving REST predict ({"instances": [...]} -> {"predictions": [...]})
 *   POST /invocations                     SageMaker container contract (same JSON)
 *   POST /endpoints/<name>/invocations    SageMaker runtime InvokeEndpoint (restJson)
 *   GET  /ping, GET /v1/models/<name>     health
 * Concurrency is limited by a semaphore of --concurrency slots; extra requests queue.
 *
 * Modes:
 *   --model-dir DIR   serve the TensorFlow.js layers model saved in DIR, one worker thread per slot
 *   --service-ms S    synthetic: each request holds a slot for S ms (known service time)
 *   --service-jitter-ms J  with --service-ms: each request holds its slot for S - J to S + J ms
 *                     (uniform), so departures do not lock onto the clients' sending period
 *   --model-dir DIR --service-ms S: the slot is held for S ms of stand-in accelerator time plus
 *                     the real inference, so the server's parallelism (not the share of a busy
 *                     shared CPU it gets) sets the knee
 * Faults: --fail-status CODE (every answer), --fail-above N (503 when more than N requests are in
 * the server), --startup-delay-ms MS (listen only after MS).
 * --record: the server notes every predict request (the `x-client` header's value, the status,
 * the time from the whole request received to the answer written, and when it arrived) and
 * answers GET /records with them, as the server sees them: no client-side delay in the figures.
 * Prints "LISTENING <port>" when ready.
 */
import * as http from 'http';
import * as path from 'path';
import { parseArgs } from 'util';
import { Worker } from 'worker_threads';

const { values } = parseArgs({
  options: {
    'port': { type: 'string', default: '0' },
    'concurrency': { type: 'string', default: '1' },
    'service-ms': { type: 'string' },
    'model-dir': { type: 'string' },
    'model-name': { type: 'string', default: 'model' },
    'fail-status': { type: 'string' },
    'fail-above': { type: 'string' },
    'startup-delay-ms': { type: 'string', default: '0' },
    'service-jitter-ms': { type: 'string', default: '0' },
    'record': { type: 'boolean', default: false },
  },
});
const slots = Number(values.concurrency);
const serviceMs = values['service-ms'] !== undefined ? Number(values['service-ms']) : undefined;
const jitterMs = Number(values['service-jitter-ms']);
/** One request's hold of its slot (ms). */
const holdMs = () => serviceMs! + (jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0);

/** What --record keeps of one predict request. */
interface RequestRecord { client: string; status: number; ms: number; at: number }
const records: RequestRecord[] = [];

/** A counting semaphore: acquire() resolves when a slot is free, in arrival order. */
class Semaphore {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) { this.free = n; }
  acquire(): Promise<void> {
    if (this.free > 0) { this.free -= 1; return Promise.resolve(); }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next(); else this.free += 1;
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const tf = require(workerData.tfjsCore);
require(workerData.tfjsBackendCpu);
const { loadLayersModel } = require(workerData.tfjsLayers);
(async () => {
  await tf.setBackend('cpu');
  const fs = require('fs');
  const json = JSON.parse(fs.readFileSync(workerData.modelJson, 'utf8'));
  const data = fs.readFileSync(workerData.weights);
  const model = await loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  }));
  // The worker parses the request and writes the answer too, as TF Serving's request threads
  // do: the slot is held for the whole request, and the main thread only moves bytes.
  parentPort.on('message', ({ id, body }) => {
    try {
      const { instances } = JSON.parse(body);
      const out = tf.tidy(() => model.predict(tf.tensor(instances)));
      const text = JSON.stringify({ predictions: out.arraySync() });
      out.dispose();
      parentPort.postMessage({ id, text });
    } catch (e) {
      parentPort.postMessage({ id, error: String(e && e.message || e) });
    }
  });
  parentPort.postMessage({ ready: true });
})();
`;

interface ModelWorker { worker: Worker; busy: boolean; pending: Map<number, (r: { text?: string; error?: string }) => void> }

async function startWorkers(dir: string, n: number): Promise<ModelWorker[]> {
  const workerData = {
    tfjsCore: require.resolve('@tensorflow/tfjs-core'), tfjsBackendCpu: require.resolve('@tensorflow/tfjs-backend-cpu'), tfjsLayers: require.resolve('@tensorflow/tfjs-layers'),
    modelJson: path.join(dir, 'model.json'), weights: path.join(dir, 'weights.bin') };
  return Promise.all(Array.from({ length: n }, () => new Promise<ModelWorker>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    const w: ModelWorker = { worker, busy: false, pending: new Map() };
    worker.on('message', (m) => {
      if (m.ready) return resolve(w);
      const cb = w.pending.get(m.id);
      w.pending.delete(m.id);
      cb?.(m);
    });
    worker.on('error', reject);
  })));
}

async function main() {
  if (Number(values['startup-delay-ms']) > 0) await new Promise((r) => setTimeout(r, Number(values['startup-delay-ms'])));
  const sem = new Semaphore(slots);
  const workers = values['model-dir'] ? await startWorkers(values['model-dir'], slots) : [];
  let inServer = 0;
  let nextId = 0;
  const failAbove = values['fail-above'] !== undefined ? Number(values['fail-above']) : undefined;
  const predictRoute = new RegExp(`^/v1/models/${values['model-name']}:predict$`);

  async function infer(body: string): Promise<{ status: number; text: string }> {
    await sem.acquire();
    try {
      if (serviceMs !== undefined && workers.length === 0) {
        let parsed: { instances?: unknown[] };
        try {
          parsed = JSON.parse(body);
        } catch {
          return { status: 400, text: JSON.stringify({ error: 'body is not JSON' }) };
        }
        if (!Array.isArray(parsed.instances)) return { status: 400, text: JSON.stringify({ error: 'missing "instances"' }) };
        await new Promise((r) => setTimeout(r, holdMs()));
        return { status: 200, text: JSON.stringify({ predictions: parsed.instances.map(() => [1]) }) };
      }
      if (serviceMs !== undefined) await new Promise((r) => setTimeout(r, holdMs()));
      const w = workers.find((x) => !x.busy)!;
      w.busy = true;
      const id = nextId++;
      const r = await new Promise<{ text?: string; error?: string }>((resolve) => {
        w.pending.set(id, resolve);
        w.worker.postMessage({ id, body });
      });
      w.busy = false;
      return r.error ? { status: 400, text: JSON.stringify({ error: r.error }) } : { status: 200, text: r.text! };
    } finally {
      sem.release();
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = req.url ?? '/';
      const received = performance.now();
      const arrivedAt = Date.now();
      const client = String(req.headers['x-client'] ?? '');
      let isPredict = false;
      const send = (status: number, json: unknown) => sendText(status, JSON.stringify(json));
      const sendText = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        if (values.record && isPredict) records.push({ client, status, ms: performance.now() - received, at: arrivedAt });
      };
      if (req.method === 'GET' && values.record && url === '/records') return send(200, records);
      if (req.method === 'GET') return send(200, { status: 'ok' });
      isPredict = predictRoute.test(url) || url === '/invocations' || /^\/endpoints\/[^/]+\/invocations$/.test(url);
      if (req.method !== 'POST' || !isPredict) return send(404, { error: `no route ${req.method} ${url}` });
      inServer += 1;
      try {
        if (values['fail-status']) return send(Number(values['fail-status']), { error: 'configured to fail' });
        if (failAbove !== undefined && inServer > failAbove) return send(503, { error: 'overloaded' });
        const r = await infer(Buffer.concat(chunks).toString('utf8'));
        sendText(r.status, r.text);
      } finally {
        inServer -= 1;
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(values.port), '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.stdout.write(`LISTENING ${addr.port}\n`);
  });
  // Exits for sure within 200 ms: idle keep-alive sockets must not keep a test server alive.
  const shutdown = () => { server.close(); server.closeAllConnections(); for (const w of workers) void w.worker.terminate(); setTimeout(() => process.exit(0), 200); };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

void main();
