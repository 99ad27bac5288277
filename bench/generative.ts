/**
 * The generative tests' longer run: many more generated inputs than `npm test` tries, printing how
 * many cases each property tried and how they ended (clear errors, accepted, crashes, hangs).
 *
 *   npm run build && node dist/bench/generative.js [scale]     (scale 1 = about 12,000 cases)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import { parseRequest } from '../handlers/admission/core';
import { ClientError } from '../handlers/shared/errors';
import { compileRequestSchema } from '../handlers/shared/schema';
import { InferenceGuardError } from '../lib';
import { deriveLimits, deriveQueueLimits } from '../lib/profile';
import { runKig } from '../test/support/cli';
import { profile } from '../test/support/profiles';
import { postJobs, TEST_SIGNATURE } from '../test/support/requests';
import { hostileNumber, randomDocument, requestBody, templateCase } from '../test/generative/arbitraries';

/** Longest a single review may take before it counts as a hang (ms). */
const HANG_MS = 10_000;

interface Tally { tried: number; outcomes: Record<string, number>; failures: string[] }
const tally = (): Tally => ({ tried: 0, outcomes: {}, failures: [] });
const count = (t: Tally, outcome: string) => { t.tried++; t.outcomes[outcome] = (t.outcomes[outcome] ?? 0) + 1; };

function print(name: string, t: Tally, ms: number): void {
  const outcomes = Object.entries(t.outcomes).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  process.stdout.write(`${name}: ${t.tried} cases in ${(ms / 1000).toFixed(1)} s: ${outcomes}; failures ${t.failures.length}\n`);
  for (const f of t.failures.slice(0, 5)) process.stdout.write(`  failure: ${f}\n`);
}

async function main(): Promise<void> {
  const scale = Number(process.argv[2] ?? 1);
  const seed = Date.now() % 1_000_000;
  process.stdout.write(`seed ${seed}, scale ${scale}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-generative-bench-'));
  try {
    // ---- kig review ---------------------------------------------------------------------------
    const review = tally();
    let t0 = performance.now();
    let n = 0;
    const runReview = async (text: string, ext: string, mustRefuse: boolean, what: string) => {
      const file = `t${++n}.${ext}`;
      fs.writeFileSync(path.join(dir, file), text);
      const started = performance.now();
      const r = await runKig(['review', file, '--format', 'json'], { cwd: dir });
      const ms = performance.now() - started;
      const crashed = ![0, 1, 2].includes(r.code) || /\n\s+at |RangeError|TypeError|Maximum call stack/.test(r.stderr);
      if (crashed) review.failures.push(`${what}: exit ${r.code} ${r.stderr.slice(0, 200)}`);
      else if (ms > HANG_MS) review.failures.push(`${what}: ${ms.toFixed(0)} ms`);
      else if (mustRefuse && r.code !== 2) review.failures.push(`${what}: exit ${r.code}, expected 2`);
      count(review, crashed ? 'crash' : r.code === 2 ? 'clear error (exit 2)' : `reviewed (exit ${r.code})`);
      fs.rmSync(path.join(dir, file));
    };
    await fc.assert(fc.asyncProperty(templateCase, async (c) => runReview(c.text, c.ext, c.mustRefuse, `${c.base} ${c.ext} ${c.mutation}`)), { seed, numRuns: 3_000 * scale, endOnFailure: false });
    await fc.assert(fc.asyncProperty(randomDocument, fc.constantFrom('json', 'yaml'), async (text, ext) => runReview(text, ext, false, `random ${ext} ${text.slice(0, 60)}`)), { seed, numRuns: 3_000 * scale });
    print('kig review, mutated fixtures and random documents', review, performance.now() - t0);

    // ---- numeric props ------------------------------------------------------------------------
    const props = tally();
    t0 = performance.now();
    const maybe = fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: hostileNumber, weight: 1 });
    const SM = { backend: { name: 'SageMaker', maxPayloadBytes: 6_291_456, invocationTimeoutMs: 60_000, synchronous: true, scalesToZero: false, scalingUnit: 'instance' } };
    const limitKeys = ['minInstances', 'maxInstances', 'headroom', 'timeoutFactor', 'targetUtilization', 'maxBatchSize', 'wafWindowSeconds'];
    const overrideKeys = ['integrationTimeoutMs', 'modelServerTimeoutSeconds', 'stageRateLimit', 'stageBurstLimit', 'targetInvocationsPerInstancePerMinute', 'maxPayloadBytes', 'maxEnqueuedBatches', 'wafRateLimitPerIp'];
    const queueKeys = ['maxInstances', 'timeoutFactor', 'acceptableWaitSeconds', 'workerMarginSeconds', 'maxReceiveCount', 'messageRetentionSeconds', 'admissionReservedConcurrency', 'depthCacheTtlSeconds', 'resumeFraction', 'batchSize', 'visibilityTimeoutSeconds'];
    const record = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, maybe])), { requiredKeys: [] });
    const allFinite = (v: unknown): boolean => typeof v === 'number' ? Number.isFinite(v) && v > -1e200
      : typeof v === 'object' && v !== null ? Object.entries(v).every(([k, x]) => k === 'formulas' || allFinite(x)) : true;
    const judge = (what: string, fn: () => unknown) => {
      try {
        const v = fn();
        if (allFinite(v)) count(props, 'valid limits');
        else {
          count(props, 'non-finite value');
          props.failures.push(what);
        }
      } catch (e) {
        if (e instanceof InferenceGuardError) count(props, 'clear error');
        else {
          count(props, 'crash');
          props.failures.push(`${what}: ${(e as Error).message}`);
        }
      }
    };
    fc.assert(fc.property(record(limitKeys), record(overrideKeys), (o, overrides) => {
      judge(`deriveLimits ${JSON.stringify({ ...o, overrides })}`, () => deriveLimits(profile(), { ...SM, ...o, overrides }));
    }), { seed, numRuns: 5_000 * scale });
    fc.assert(fc.property(record(queueKeys), (o) => {
      judge(`deriveQueueLimits ${JSON.stringify(o)}`, () => deriveQueueLimits(profile(), o));
    }), { seed, numRuns: 5_000 * scale });
    print('numeric props (deriveLimits, deriveQueueLimits)', props, performance.now() - t0);

    // ---- admission ----------------------------------------------------------------------------
    const admission = tally();
    t0 = performance.now();
    const validate = compileRequestSchema(TEST_SIGNATURE.toJsonSchema());
    const config = {
      queueUrl: 'q', queueName: 'q', tableName: 't', bucketName: 'b', depthBudget: 1, drainRatePerSecond: 1, resumeFraction: 0.5, maxRetryAfterSeconds: 1,
      depthCacheTtlMs: 1, environments: 1, maxRequestBytes: 4_096, maxInlineMessageBytes: 1, jobTtlSeconds: 1,
      cost: { referenceElements: 3, fixedShare: 0 }, costBudgetUnits: 1, drainUnitsPerSecond: 1, maxJobCostUnits: 4, tiers: [{ name: 'default', budgetUnits: 1, keyBudgetUnits: 1 }], keyTiers: {},
    };
    fc.assert(fc.property(requestBody, (body) => {
      try {
        parseRequest(postJobs(body), config, validate);
      } catch (e) {
        if (e instanceof ClientError && e.statusCode >= 400 && e.statusCode < 500) count(admission, `${e.statusCode}`);
        else {
          count(admission, 'crash');
          admission.failures.push(`${body.slice(0, 80)}: ${(e as Error).message}`);
        }
        return;
      }
      const instances = (JSON.parse(body) as { instances: number[][] }).instances;
      const t = tf.tensor(instances, [instances.length, 3], 'float32');
      const ok = Array.from(t.dataSync()).every(Number.isFinite);
      t.dispose();
      count(admission, ok ? 'accepted, model server accepts' : 'accepted, model server refuses');
      if (!ok) admission.failures.push(body.slice(0, 120));
    }), { seed, numRuns: 5_000 * scale });
    print('admission request bodies', admission, performance.now() - t0);

    const total = review.tried + props.tried + admission.tried;
    const failures = review.failures.length + props.failures.length + admission.failures.length;
    process.stdout.write(`total: ${total} cases, ${failures} failures (crashes, hangs over ${HANG_MS} ms, wrong answers)\n`);
    if (failures > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
