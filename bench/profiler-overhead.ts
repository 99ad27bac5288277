/**
 * The profiler's own cost, compared with running autocannon directly against the same server.
 *
 * Both drive the same stepped load (same concurrency steps, same seconds per step) against a
 * local server in its own process (P slots of S ms, so the server is never the bottleneck of
 * the load generator). Printed per mode: throughput per step, and the CPU time (user + system)
 * this process spent, in total and per request. The difference is what the profiler adds:
 * per-answer latency recording, per-step percentiles, resource sampling, progress callbacks.
 *
 * Run: npm run build && node dist/bench/profiler-overhead.js [--seconds 3] [--concurrency 1,8,32]
 */
import { ChildProcess, spawn } from 'child_process';
import { parseArgs } from 'util';
import { HttpTarget, runProfile } from '../lib/profiler';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '1,8,32' }, slots: { type: 'string', default: '64' }, 'service-ms': { type: 'string', default: '2' } } });
const SECONDS = Number(values.seconds);
const GRID = values.concurrency!.split(',').map(Number);
const SLOTS = Number(values.slots);
const SERVICE_MS = Number(values['service-ms']);

// The server: a semaphore of SLOTS slots, each request held SERVICE_MS ms. Inline so the bench
// needs nothing but the built library.
const SERVER = `
const http = require('http');
let free = ${SLOTS}; const q = [];
const acquire = () => free > 0 ? (free--, Promise.resolve()) : new Promise((r) => q.push(r));
const release = () => { const n = q.shift(); if (n) n(); else free++; };
http.createServer((req, res) => { req.resume(); req.on('end', async () => {
  await acquire(); setTimeout(() => { release(); res.writeHead(200, {'content-type': 'application/json'}); res.end('{"predictions":[[1]]}'); }, ${SERVICE_MS});
}); }).listen(0, '127.0.0.1', function () { console.log('LISTENING ' + this.address().port); });
`;

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (d: Buffer) => {
      const m = /LISTENING (\d+)/.exec(d.toString());
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/invocations` });
    });
    child.on('error', reject);
  });
}

interface ModeResult { name: string; rps: number[]; requests: number; cpuMs: number; wallS: number }

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

async function direct(url: string, body: Buffer): Promise<ModeResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as typeof import('autocannon');
  const rps: number[] = [];
  let requests = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const c of GRID) {
    const r = await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: c, duration: SECONDS });
    requests += r['2xx'] + r.non2xx + r.errors;
    rps.push(Math.round(r['2xx'] / r.duration));
  }
  return { name: 'autocannon directly', rps, requests, cpuMs: cpuMs(process.cpuUsage(cpu0)), wallS: (performance.now() - t0) / 1000 };
}

async function profiler(url: string, body: Buffer): Promise<ModeResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Same measured seconds per step: the profiler's warm-up comes on top, as in a real run.
  const run = await runProfile({
    target: new HttpTarget({ url }), payloads: [{ file: 'bench.json', body }], concurrency: GRID, stepSeconds: SECONDS,
    model: 'bench', hardware: 'local', format: 'sagemaker', cwd: process.cwd(), pid: undefined, onProgress: () => undefined,
  });
  // Every answer costs CPU, including the warm-up's: count them all, as autocannon's total does.
  const requests = run.steps.reduce((n, s) => n + s.ok + s.non2xx + s.errors + (s.warmupRequests ?? 0), 0);
  return { name: 'kig profile (runProfile)', rps: run.steps.map((s) => Math.round(s.throughputRps)), requests, cpuMs: cpuMs(process.cpuUsage(cpu0)), wallS: (performance.now() - t0) / 1000 };
}

async function main() {
  const server = await startServer();
  const body = Buffer.from(JSON.stringify({ instances: [[1, 2, 3, 4]] }));
  try {
    // Warm both code paths once (JIT, sockets) before measuring.
    await direct(server.url, body);
    const results: ModeResult[] = [];
    for (let round = 0; round < 2; round++) {
      results.push(await direct(server.url, body));
      results.push(await profiler(server.url, body));
    }
    console.log(`profiler overhead: ${GRID.length} steps (concurrency ${GRID.join(',')}) x ${SECONDS} s against a local server of ${SLOTS} slots x ${SERVICE_MS} ms, 2 rounds`);
    console.log('mode                        round  req/s per step            requests   CPU ms   CPU us/request  wall s');
    results.forEach((r, i) => {
      console.log(`${r.name.padEnd(28)}${String(Math.floor(i / 2) + 1).padStart(5)}  ${r.rps.join(' / ').padEnd(24)}${String(r.requests).padStart(10)}${r.cpuMs.toFixed(0).padStart(9)}${(r.cpuMs * 1000 / Math.max(1, r.requests)).toFixed(1).padStart(17)}${r.wallS.toFixed(1).padStart(8)}`);
    });
    const per = (name: string) => {
      const rs = results.filter((r) => r.name === name);
      return rs.reduce((s, r) => s + r.cpuMs * 1000, 0) / rs.reduce((s, r) => s + r.requests, 0);
    };
    const a = per('autocannon directly');
    const b = per('kig profile (runProfile)');
    const thr = (name: string) => results.filter((r) => r.name === name).map((r) => r.rps[r.rps.length - 1]);
    console.log(`CPU per request: autocannon ${a.toFixed(1)} us, profiler ${b.toFixed(1)} us: the profiler adds ${(b - a).toFixed(1)} us (${((b / a - 1) * 100).toFixed(0)} %) per request`);
    console.log(`throughput at concurrency ${GRID[GRID.length - 1]}: autocannon ${thr('autocannon directly').join(', ')} req/s; profiler ${thr('kig profile (runProfile)').join(', ')} req/s`);
  } finally {
    server.child.kill('SIGTERM');
  }
}

void main();
