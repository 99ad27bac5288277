/**
 * Queue handler benchmark: bundle sizes, cold-start init time of each bundle, and admission
 * throughput against a local queue (moto_server on loopback, real AWS SDK).
 *
 * Run: `npm run build && node dist/bench/queue-handlers.js` (also run by `npm run bench`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { admit, DepthGauge } from '../handlers/admission/core';
import { compileRequestSchema } from '../handlers/shared/schema';
import { stageAdmission } from '../lib/queue/private/admission-code';
import { ModelSignature, TensorDType } from '../lib/model';
import { localClients, startMoto } from '../test/support/moto';
import { admissionConfig, counts, createFixture } from '../test/support/queue-fixture';
import { postJobs } from '../test/support/requests';
import { constructedHandlerEnvironments } from './handler-environment';

const HANDLERS = ['admission', 'worker', 'status', 'reconciler'] as const;
const COLD_STARTS = 15;

function root(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const signature = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [224, 224, 3], maxBatchSize: 4 });
  const small = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [3], maxBatchSize: 4 });
  const dir = path.join(root(), 'assets', 'handlers');
  // The admission function's code as the construct stages it: the bundle and its generated validator.
  const admissionDir = stageAdmission(signature.toJsonSchema());

  // Wall time is what a cold start costs; on a busy machine it mostly measures waiting for a core,
  // so the CPU time of the same initialization is printed beside it.
  const envs = constructedHandlerEnvironments();
  process.stdout.write(`cold init: require + module-scope setup, median of ${COLD_STARTS} fresh processes per handler, the handlers in turn (load average ${os.loadavg()[0].toFixed(1)})\n`);
  process.stdout.write('handler            bundle KB   cold init ms   CPU ms\n');
  const files = HANDLERS.map((name) => path.join(name === 'admission' ? admissionDir : path.join(dir, name), 'index.js'));
  for (const file of files) if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  // One start of each handler in turn, COLD_STARTS times: a burst of other work on the machine
  // then slows every handler alike instead of the one measured at that moment.
  const times: number[][] = HANDLERS.map(() => []);
  const cpu: number[][] = HANDLERS.map(() => []);
  for (let i = 0; i < COLD_STARTS; i++) {
    HANDLERS.forEach((name, h) => {
      const out = execFileSync(process.execPath, ['-e',
        `const c=process.cpuUsage();const t=process.hrtime.bigint();require(${JSON.stringify(files[h])});const u=process.cpuUsage(c);`
        + 'process.stdout.write(`${Number(process.hrtime.bigint()-t)/1e6} ${(u.user+u.system)/1000}`)'],
      { env: { ...process.env, ...envs[name], AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
      const [wall, used] = out.toString().split(' ').map(Number);
      times[h].push(wall);
      cpu[h].push(used);
    });
  }
  HANDLERS.forEach((name, h) => {
    const kb = fs.statSync(files[h]).size / 1024;
    process.stdout.write(`${name.padEnd(18)} ${kb.toFixed(1).padStart(9)}   ${median(times[h]).toFixed(1).padStart(12)}   ${median(cpu[h]).toFixed(1).padStart(6)}\n`);
  });
  const validatorKb = fs.statSync(path.join(admissionDir, 'request-validator.js')).size / 1024;
  process.stdout.write(`(admission also loads its request validator, generated at synth from a [224, 224, 3] float32 signature: ${validatorKb.toFixed(1)} KB)\n`);

  let moto;
  try {
    moto = await startMoto();
  } catch (e) {
    process.stdout.write(`\nadmission throughput: skipped (moto_server not available: ${(e as Error).message.split('\n')[0]})\n`);
    return;
  }
  try {
    const clients = localClients(moto.endpoint);
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
    const environments = 8;
    const perEnvironment = 100;
    const config = admissionConfig(f, { depthBudget: 1_000_000, environments });
    const deps = { ...clients, validate: compileRequestSchema(small.toJsonSchema()), now: Date.now, log: () => undefined };
    const started = Date.now();
    let accepted = 0;
    await Promise.all(Array.from({ length: environments }, async () => {
      const gauge = new DepthGauge(config, clients.sqs, Date.now);
      for (let i = 0; i < perEnvironment; i++) {
        const res = await admit(postJobs({ instances: [[i, 0, 0]] }), config, deps, gauge);
        if (res.statusCode === 202) accepted++;
      }
    }));
    const seconds = (Date.now() - started) / 1000;
    const depth = (await counts(clients.sqs, f.queueUrl)).total;
    process.stdout.write(`\nadmission throughput against a local queue (moto_server, ${environments} concurrent environments): `
      + `${accepted} jobs in ${seconds.toFixed(2)} s = ${(accepted / seconds).toFixed(0)} jobs/s (queue depth ${depth}). `
      + 'Each job is a DynamoDB put, an SQS send and a DynamoDB update; the number measures the handler plus the local peer, not AWS.\n');
  } finally {
    await moto.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
