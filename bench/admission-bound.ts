/**
 * The admission bound under adversarial arrival patterns: for each pattern, several runs on a
 * local queue (moto_server on loopback, real AWS SDK), printing admitted and rejected jobs, the
 * largest depth sampled after an admission, the bound (budget + environments - 1), how many jobs
 * each environment admitted, and 429s whose Retry-After was below the drain time.
 *
 * Run: `npm run build && node dist/bench/admission-bound.js [runs]` (default 3).
 */
import { ADMISSION_PATTERNS, runPattern } from './admission-patterns';
import { localClients, startMoto } from '../test/support/moto';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const moto = await startMoto();
  try {
    const clients = localClients(moto.endpoint);
    for (const p of ADMISSION_PATTERNS) {
      process.stdout.write(`${p.name}: ${p.environments} environments, budget ${p.depthBudget}, bound ${p.depthBudget + p.environments - 1}\n`);
      for (let i = 0; i < runs; i++) {
        const started = Date.now();
        const r = await runPattern(clients, p);
        process.stdout.write(`  run ${i + 1}: admitted ${r.admitted}, rejected ${r.rejected}, max depth ${r.maxDepth} (bound ${r.bound}, SDK-retried sends ${r.retriedSends}, overshoot ${Math.max(0, r.maxDepth - p.depthBudget)}), `
          + `per environment [${r.perEnvironment.join(' ')}], Retry-After below drain ${r.retryAfterBelowDrain}, other answers ${r.unexpected.length}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
    }
  } finally {
    await moto.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
