/**
 * Adversarial arrival patterns against the admission bound, on a local queue (moto_server on
 * loopback, real AWS SDK). Each simulated execution environment serves one request at a time, as
 * Lambda does, with its own `DepthGauge`; an attacker picks when each environment's requests
 * arrive. Used by the admission bound test (which asserts the bound) and by `admission-bound.ts`
 * (which prints the figures).
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { admit, AdmissionConfig, DepthGauge } from '../handlers/admission/core';
import { compileRequestSchema } from '../handlers/shared/schema';
import { retryAfterSeconds } from '../lib/core/queue-formulas';
import { localClients } from '../test/support/moto';
import { admissionConfig, counts, createFixture } from '../test/support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../test/support/requests';

type Clients = ReturnType<typeof localClients>;

/** One arrival pattern. */
export interface AdmissionPattern {
  readonly name: string;
  readonly environments: number;
  readonly depthBudget: number;
  readonly depthCacheTtlMs: number;
  /** Messages a background consumer deletes per second (0: nothing drains). */
  readonly drainPerSecond: number;
  /** Drives environment `e` (0-based); `send` makes one request and waits for its answer. */
  drive(e: number, send: () => Promise<number>, until: () => boolean): Promise<void>;
}

/** What one run of a pattern measured. */
export interface PatternRun {
  readonly admitted: number;
  readonly rejected: number;
  /** Answers other than 202 and 429 (should be none). */
  readonly unexpected: number[];
  readonly perEnvironment: number[];
  /** Largest queue depth sampled right after an admission (moto's counts are exact). */
  readonly maxDepth: number;
  /** 429s whose Retry-After was below the drain time of the depth sampled right after them. */
  readonly retryAfterBelowDrain: number;
  /**
   * SendMessage calls the SDK retried (attempts beyond the first). A retried send whose first
   * attempt had reached the queue leaves a second copy of the job (SQS is at-least-once, and the
   * worker's claim makes the copy harmless), so each retry may add one message beyond the bound.
   */
  readonly retriedSends: number;
  /** The documented bound: budget + environments - 1, plus one per retried send. */
  readonly bound: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long a flooding environment waits after a refusal before it sends again: 50 attempts a
 * second, ten times the patterns' drain rate, so a slot or unit freed by the drain is taken again
 * within this time. Sending again at once only spends the test machine's CPU on answers that
 * change nothing: a refused environment re-reads the depth once per cache TTL whatever its rate
 * (`DepthGauge.reserve`), and a refused write changes no counter.
 */
export const REFUSED_PAUSE_MS = 20;

/**
 * Environment 0 sends without pause while it is admitted, and `REFUSED_PAUSE_MS` after each
 * refusal, until the others are done; the others run `slow`.
 */
function oneFast(slow: (send: () => Promise<number>) => Promise<void>): AdmissionPattern['drive'] {
  return async (e, send, until) => {
    if (e !== 0) return slow(send);
    while (!until()) {
      if ((await send()) === 429) await sleep(REFUSED_PAUSE_MS);
    }
  };
}

/** The patterns the test and the bench try. */
export const ADMISSION_PATTERNS: readonly AdmissionPattern[] = [
  {
    // One environment without pauses, seven that pause 250 ms between requests: the fast one spends
    // and re-reads while the slow ones hold old readings.
    name: 'one fast + seven slow (250 ms pauses), 5 s cache',
    environments: 8, depthBudget: 100, depthCacheTtlMs: 5_000, drainPerSecond: 0,
    drive: oneFast(async (send) => {
      for (let i = 0; i < 12; i++) {
        await send();
        await sleep(250);
      }
    }),
  },
  {
    // The slow environments read the depth while the queue is empty, wait while the fast one fills
    // it, then spend what their old reading allowed: the pattern a per-reading share cannot bound.
    name: 'seven read early, spend after one fast environment filled the queue, 5 s cache',
    environments: 8, depthBudget: 100, depthCacheTtlMs: 5_000, drainPerSecond: 0,
    drive: oneFast(async (send) => {
      await send();
      await sleep(2_000);
      for (let i = 0; i < 14; i++) await send();
    }),
  },
  {
    // Every environment waits for its cache to expire, then fires a burst; a consumer drains meanwhile.
    name: 'bursts of 3 as every cache expires (300 ms), draining 10/s',
    environments: 8, depthBudget: 30, depthCacheTtlMs: 300, drainPerSecond: 10,
    async drive(_e, send) {
      const start = Date.now();
      for (let cycle = 0; cycle < 4; cycle++) {
        const wait = start + cycle * 300 + 5 - Date.now();
        if (wait > 0) await sleep(wait);
        for (let i = 0; i < 3; i++) await send();
      }
    },
  },
  {
    name: 'sixteen environments at equal load, 1 s cache',
    environments: 16, depthBudget: 30, depthCacheTtlMs: 1_000, drainPerSecond: 0,
    async drive(_e, send) {
      for (let i = 0; i < 4; i++) await send();
    },
  },
];

/**
 * Counts the SDK's retries of SendMessage until `stop()` (on a loaded machine a slow answer can be
 * retried after the first attempt was applied, leaving a second copy of the message).
 */
export function countRetriedSends(clients: Clients): { stop(): number } {
  let retried = 0;
  const name = `count-retried-sends-${++counters}`;
  clients.sqs.middlewareStack.add((next, context) => async (args) => {
    const out = await next(args);
    const attempts = (out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    if (context.commandName === 'SendMessageCommand') retried += attempts - 1;
    return out;
  }, { step: 'initialize', name });
  return {
    stop: () => {
      clients.sqs.middlewareStack.remove(name);
      return retried;
    },
  };
}
let counters = 0;

/** Runs one pattern on a fresh queue and table. */
export async function runPattern(clients: Clients, p: AdmissionPattern): Promise<PatternRun> {
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  const config: AdmissionConfig = admissionConfig(f, {
    depthBudget: p.depthBudget, environments: p.environments, depthCacheTtlMs: p.depthCacheTtlMs, drainRatePerSecond: 5,
  });
  const deps = { ...clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
  const perEnvironment = new Array<number>(p.environments).fill(0);
  const unexpected: number[] = [];
  let admitted = 0;
  let rejected = 0;
  let maxDepth = 0;
  let retryAfterBelowDrain = 0;
  let slowDone = 0;
  let draining = p.drainPerSecond > 0;

  const retries = countRetriedSends(clients);

  const drainer = (async () => {
    while (draining) {
      const got = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 10 }));
      for (const m of got.Messages ?? []) await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: m.ReceiptHandle }));
      await sleep(((got.Messages?.length ?? 0) || 1) * (1000 / p.drainPerSecond));
    }
  })();

  await Promise.all(Array.from({ length: p.environments }, async (_x, e) => {
    const gauge = new DepthGauge(config, clients.sqs, Date.now);
    const send = async () => {
      const res = await admit(postJobs({ instances: [[e, admitted, rejected]] }), config, deps, gauge);
      const depth = (await counts(clients.sqs, f.queueUrl)).total;
      if (res.statusCode === 202) {
        admitted++;
        perEnvironment[e]++;
        maxDepth = Math.max(maxDepth, depth);
      } else if (res.statusCode === 429) {
        rejected++;
        const drain = retryAfterSeconds(depth, config.depthBudget, config.drainRatePerSecond, config.resumeFraction, config.maxRetryAfterSeconds);
        if (Number(res.headers['Retry-After']) < drain) retryAfterBelowDrain++;
      } else {
        unexpected.push(res.statusCode);
      }
      return res.statusCode;
    };
    await p.drive(e, send, () => slowDone >= p.environments - 1);
    if (e !== 0) slowDone++;
  }));
  draining = false;
  await drainer;
  const retriedSends = retries.stop();
  return { admitted, rejected, unexpected, perEnvironment, maxDepth, retryAfterBelowDrain, retriedSends, bound: p.depthBudget + p.environments - 1 + retriedSends };
}
