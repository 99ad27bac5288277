/**
 * How close `kig profile` comes to the truth, against servers whose answer is known: P slots,
 * each request holding one for S ms, so the knee is P and the saturation throughput P / S.
 * The tests check what holds on any machine (test/support/known-server.ts); this prints the
 * accuracy, which only a quiet machine can show: run it with nothing else busy.
 *
 * Cases: the HTTP load generator against /invocations, and the SageMaker runtime client (AWS SDK
 * v3) against a local InvokeEndpoint peer. Printed per case and round: the knee (ideal P), the
 * estimated parallelism, the saturation throughput (ideal P / S) and their relative errors.
 *
 * Run: npm run build && node dist/bench/profile-accuracy.js [--rounds 3]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import type { KneeResult, StepResult } from '../lib/profiler';
import { runKig } from '../test/support/cli';
import { accuracy, physicalViolations } from '../test/support/known-server';
import { startModelServer } from '../test/support/servers';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);

interface Case { name: string; P: number; S: number; grid: string; stepSeconds: number; sagemaker: boolean }
const CASES: Case[] = [
  { name: 'HTTP', P: 4, S: 40, grid: '1,2,4,8,16', stepSeconds: 1, sagemaker: false },
  { name: 'HTTP', P: 6, S: 30, grid: '2,3,6,12', stepSeconds: 1, sagemaker: false },
  { name: 'SageMaker SDK', P: 3, S: 100, grid: '1,3,6', stepSeconds: 1.5, sagemaker: true },
];

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-accuracy-'));
  fs.writeFileSync(path.join(dir, 'one.json'), JSON.stringify({ instances: [[1, 2, 3]] }));
  // The SageMaker client signs requests: any credentials do for the local peer.
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'secret';
  console.log(`profile accuracy: ${CASES.length} servers of known P and S, ${ROUNDS} rounds each; ideal knee = P, saturation = P / S`);
  console.log('client          P    S ms  round  knee  parallelism  saturation req/s (ideal)   knee err   saturation err');
  const summary: string[] = [];
  for (const c of CASES) {
    const server = await startModelServer(['--concurrency', String(c.P), '--service-ms', String(c.S)]);
    const errs: Array<ReturnType<typeof accuracy>> = [];
    let exact = 0;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const out = path.join(dir, `${c.P}-${c.S}-${round}.json`);
        const target = c.sagemaker
          ? ['--sagemaker-endpoint', 'bench', '--region', 'us-east-1', '--endpoint-url', server.base]
          : ['--url', `${server.base}/invocations`];
        const r = await runKig(['profile', ...target, '--payload', 'one.json', '--concurrency', c.grid, '--step-seconds', String(c.stepSeconds),
          '--latency-bound-ms', '3000', '--out', out], { cwd: dir });
        if (r.code !== 0) throw new Error(`kig profile exited ${r.code}: ${r.stderr}`);
        const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { steps: StepResult[]; knee: KneeResult };
        const broken = physicalViolations(doc, c, c.stepSeconds);
        if (broken.length) console.log(`  measurement error: ${broken.join('; ')}`);
        const a = accuracy(doc, c);
        errs.push(a);
        if (doc.knee.concurrency === c.P) exact++;
        console.log(`${c.name.padEnd(14)}${String(c.P).padStart(3)}${String(c.S).padStart(7)}${String(round).padStart(7)}${String(doc.knee.concurrency).padStart(6)}`
          + `${String(doc.knee.estimatedParallelism).padStart(13)}${`${doc.knee.saturationThroughputRps} (${a.expectedRps})`.padStart(27)}${pct(a.kneeError).padStart(11)}${pct(a.saturationError).padStart(17)}`);
      }
    } finally {
      await server.stop();
    }
    const worst = Math.max(...errs.map((e) => Math.abs(e.saturationError)));
    summary.push(`${c.name} P=${c.P} S=${c.S} ms: knee = P in ${exact} of ${ROUNDS} rounds; saturation within ${(worst * 100).toFixed(1)} % of P/S`);
  }
  for (const line of summary) console.log(line);
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
