/**
 * Fairness under a flood, on a local queue (moto_server on loopback, real AWS SDK, the real
 * admission and worker handlers). Used by the fairness test (which asserts the bounds) and by
 * `fairness.ts` (which prints the figures).
 *
 * - `runFairPattern`: one API key floods with the dearest jobs the signature admits, without
 *   pause, from environment 0, while the other environments follow one of the admission bound
 *   test's arrival patterns with normal jobs from 20 other keys.
 * - `runPremiumDuringFlood`: basic-tier keys flood while real workers drain against a local model
 *   server whose call time grows with the request's elements; one premium job is submitted in the
 *   middle of the flood and followed to its result.
 */
import * as http from 'http';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { admit, AdmissionConfig, DepthGauge } from '../handlers/admission/core';
import { releaseJob } from '../handlers/shared/ledger';
import { compileRequestSchema } from '../handlers/shared/schema';
import { parseJobMessage } from '../handlers/shared/job';
import { HttpBackend } from '../handlers/worker/backends';
import { processBatch } from '../handlers/worker/core';
import { requestCostUnits, requestElements, retryAfterSeconds } from '../lib/core/queue-formulas';
import { AdmissionPattern, countRetriedSends, REFUSED_PAUSE_MS } from './admission-patterns';
import { localClients } from '../test/support/moto';
import { admissionConfig, counts, createFixture, drainQueue, lambdaContext, workerConfig } from '../test/support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../test/support/requests';

type Clients = ReturnType<typeof localClients>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** TEST_SIGNATURE prices one instance (3 elements) at one unit and its full batch of 4 at four. */
const COST = { referenceElements: 3, fixedShare: 0 };
const NORMAL = (i: number) => ({ instances: [[i % 7, 1, 2]] });
const DEAREST = (i: number) => ({ instances: [[i % 7, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]] });
const unitsOf = (body: unknown) => requestCostUnits(requestElements(body), COST);

/** The cost budget of the fairness runs and one key's share of it. */
export const FAIR_BUDGET_UNITS = 160;
export const FAIR_KEY_SHARE = 0.25;
/** Keys that submit normal jobs beside the flooder. */
export const OTHER_KEYS = 20;

/** What one fairness run measured. */
export interface FairRun {
  readonly othersSubmitted: number;
  readonly othersAdmitted: number;
  readonly flooderSubmitted: number;
  readonly flooderAdmitted: number;
  /** Refusals of the flooder that named its key's share (429 KeyShareFull). */
  readonly flooderKeyShareRefusals: number;
  /** Largest cost the flooder's jobs held in the queue at once (sampled after each admission). */
  readonly flooderMaxUnits: number;
  /** Largest cost the queue held (sampled after each admission; duplicates counted at the dearest cost). */
  readonly maxUnits: number;
  /** 429s whose Retry-After was below the time the workers need to drain the units held then. */
  readonly retryAfterBelowDrain: number;
  /** SendMessage calls the SDK retried: each may leave one duplicate message. */
  readonly retriedSends: number;
  /** Answers other than 202 and 429. */
  readonly unexpected: number[];
  readonly keyBudgetUnits: number;
  /** budget + one dearest job per retried send. */
  readonly unitBound: number;
}

/** Runs one arrival pattern of the others beside a flooding key, on a fresh queue and table. */
export async function runFairPattern(clients: Clients, p: AdmissionPattern): Promise<FairRun> {
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  const keyBudgetUnits = FAIR_BUDGET_UNITS * FAIR_KEY_SHARE;
  const config: AdmissionConfig = admissionConfig(f, {
    // The message ledger keeps its own bound (the admission bound test); here it is set wide so
    // that the cost units decide.
    depthBudget: 10 * FAIR_BUDGET_UNITS, environments: p.environments, depthCacheTtlMs: p.depthCacheTtlMs, drainRatePerSecond: 5,
    cost: COST, costBudgetUnits: FAIR_BUDGET_UNITS, drainUnitsPerSecond: 5, maxJobCostUnits: 4,
    tiers: [{ name: 'default', budgetUnits: FAIR_BUDGET_UNITS, keyBudgetUnits }],
  });
  const deps = { ...clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
  const unexpected: number[] = [];
  let othersSubmitted = 0; let othersAdmitted = 0; let flooderSubmitted = 0; let flooderAdmitted = 0; let flooderKeyShareRefusals = 0;
  let queuedUnits = 0; let flooderUnits = 0; let queuedMessages = 0;
  let maxUnits = 0; let flooderMaxUnits = 0; let retryAfterBelowDrain = 0;
  let othersDone = 0;
  let draining = p.drainPerSecond > 0;

  const retries = countRetriedSends(clients);
  let retriedSends = 0;

  // Takes jobs off the queue as a worker would, and gives their units back as the worker does.
  const drainer = (async () => {
    while (draining) {
      const got = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 10 }));
      for (const m of got.Messages ?? []) {
        // As the worker does: the message is deleted first, then its units are given back.
        const job = parseJobMessage(m.Body ?? '')!;
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: m.ReceiptHandle }));
        const body = JSON.parse(job.body!) as { signature_name?: string };
        const units = unitsOf(body);
        queuedUnits -= units;
        queuedMessages--;
        if (body.signature_name !== undefined) flooderUnits -= units;
        await releaseJob(clients.ddb, f.tableName, job.jobId);
      }
      await sleep(((got.Messages?.length ?? 0) || 1) * (1000 / p.drainPerSecond));
    }
  })();

  const sample = async () => {
    // A retried send may have left a copy the ledger does not know: count each at the dearest cost.
    const extra = Math.max(0, (await counts(clients.sqs, f.queueUrl)).total - queuedMessages);
    maxUnits = Math.max(maxUnits, queuedUnits + extra * 4);
    flooderMaxUnits = Math.max(flooderMaxUnits, flooderUnits);
  };

  try {
    await Promise.all(Array.from({ length: p.environments }, async (_x, e) => {
      const gauge = new DepthGauge(config, clients.sqs, Date.now);
      let i = 0;
      const send = async (flooder: boolean) => {
        i++;
        const body = flooder ? { ...DEAREST(i) } : NORMAL(i);
        const key = flooder ? 'flooder' : `key-${(e * 7 + i) % OTHER_KEYS}`;
        // The flooder names the signature (the schema allows it): that tells the drainer whose job it is.
        const res = await admit(postJobs(flooder ? { ...body, signature_name: 'serving_default' } : body, {}, key), config, deps, gauge);
        if (flooder) flooderSubmitted++; else othersSubmitted++;
        const units = unitsOf(body);
        if (res.statusCode === 202) {
          queuedUnits += units;
          queuedMessages++;
          if (flooder) {
            flooderAdmitted++;
            flooderUnits += units;
          } else {
            othersAdmitted++;
          }
          await sample();
        } else if (res.statusCode === 429) {
          const answer = JSON.parse(res.body) as { error: string };
          if (flooder && answer.error === 'KeyShareFull') flooderKeyShareRefusals++;
          // At least the time to drain the flooder's own excess over the resume point at the full
          // drain rate (its key's limit), or the queue's excess (the queue's limit).
          const drain = flooder
            ? retryAfterSeconds(flooderUnits, keyBudgetUnits, config.drainUnitsPerSecond, config.resumeFraction, config.maxRetryAfterSeconds)
            : retryAfterSeconds(queuedUnits, FAIR_BUDGET_UNITS, config.drainUnitsPerSecond, config.resumeFraction, config.maxRetryAfterSeconds);
          if (Number(res.headers['Retry-After']) < drain) retryAfterBelowDrain++;
        } else {
          unexpected.push(res.statusCode);
        }
        return res.statusCode;
      };
      if (e === 0) {
        // Flood until the others are done, and at least until the key's share has refused it a
        // few times (short patterns end before one key can fill its share).
        // After a refusal it waits REFUSED_PAUSE_MS: a unit the drain frees is taken again within it.
        while ((othersDone < p.environments - 1 || flooderKeyShareRefusals < 3) && flooderSubmitted < 1_000) {
          if ((await send(true)) === 429) await sleep(REFUSED_PAUSE_MS);
        }
      } else {
        // The other environments follow the pattern's slow side (environment e >= 1).
        await p.drive(e, () => send(false), () => false);
        othersDone++;
      }
    }));
  } finally {
    draining = false;
    await drainer;
    retriedSends = retries.stop();
  }
  return {
    othersSubmitted, othersAdmitted, flooderSubmitted, flooderAdmitted, flooderKeyShareRefusals, flooderMaxUnits, maxUnits,
    retryAfterBelowDrain, retriedSends, unexpected, keyBudgetUnits, unitBound: FAIR_BUDGET_UNITS + 4 * retriedSends,
  };
}

/** A model server on loopback whose call takes `msPerElement` per element of the request. */
export async function costlyModelServer(msPerElement: number): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('{"error":"bad json"}');
        return;
      }
      const elements = requestElements(body);
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ predictions: [elements] }));
      }, msPerElement * elements);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/predict`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What the premium run measured. */
export interface PremiumRun {
  readonly basicSubmitted: number;
  readonly basicAdmitted: number;
  readonly basicTierRefusals: number;
  readonly premiumStatus: number;
  readonly premiumState: string;
  /** Cost units the workers finished between the premium job's admission and its result. */
  readonly unitsServedBeforePremium: number;
  /** The stated bound on them: the basic tier's budget + one dearest job per worker in flight + its own unit. */
  readonly unitsBound: number;
  readonly premiumSeconds: number;
  /** The same bound in seconds at the drain rate measured during the run. */
  readonly boundSeconds: number;
  readonly measuredDrainUnitsPerSecond: number;
}

/**
 * Basic-tier keys flood (each at its key share, together at the tier's share) while `workers`
 * real workers drain; one premium job arrives in the middle. The basic tier may hold
 * `basicShare` of the budget, so the premium job is admitted at once and waits behind at most
 * the basic tier's units plus what the workers already hold.
 */
export async function runPremiumDuringFlood(clients: Clients, o: { budgetUnits: number; basicShare: number; basicKeys: number; workers: number; msPerElement: number; maxMs: number }): Promise<PremiumRun> {
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  const model = await costlyModelServer(o.msPerElement);
  const basicBudget = Math.floor(o.budgetUnits * o.basicShare);
  const config: AdmissionConfig = admissionConfig(f, {
    depthBudget: 10 * o.budgetUnits, environments: o.basicKeys + 1, depthCacheTtlMs: 1_000,
    cost: COST, costBudgetUnits: o.budgetUnits, drainUnitsPerSecond: 10, maxJobCostUnits: 4,
    tiers: [{ name: 'basic', budgetUnits: basicBudget, keyBudgetUnits: Math.max(4, Math.floor(basicBudget / 2)) }, { name: 'premium', budgetUnits: o.budgetUnits, keyBudgetUnits: o.budgetUnits }],
    keyTiers: { 'premium-key': 'premium' },
  });
  const deps = { ...clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
  const wconfig = workerConfig(f, { perCallDeadlineMs: 5_000 });
  const wdeps = { ...clients, backend: new HttpBackend(model.url), now: Date.now, random: Math.random, log: () => undefined };
  const started = Date.now();
  const hardStop = started + o.maxMs;
  let served = 0;
  let servedAtPremium = 0;
  let servedAtDone: number | undefined;
  let premiumJobId: string | undefined;
  let premiumStatus = 0;
  let premiumAdmittedAt = 0;
  let premiumDoneAt: number | undefined;
  let basicSubmitted = 0; let basicAdmitted = 0; let basicTierRefusals = 0;
  const over = () => premiumDoneAt !== undefined || premiumStatus > 0 && premiumStatus !== 202 || Date.now() > hardStop;

  // Workers: the real worker core, fed by a stand-in of the SQS event source, one message at a time.
  const workerLoop = async () => {
    while (!over()) {
      const got = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      const m = got.Messages?.[0];
      if (!m) {
        await sleep(20);
        continue;
      }
      const job = parseJobMessage(m.Body ?? '');
      const out = await processBatch({ Records: [{ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body ?? '', attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' } }] },
        lambdaContext(30_000), wconfig, wdeps);
      if (out.outcomes[0] === 'succeeded' && job) {
        served += unitsOf(JSON.parse(job.body!));
        if (job.jobId === premiumJobId) {
          servedAtDone = served;
          premiumDoneAt = Date.now();
        }
      }
    }
  };
  // Basic keys flood with the dearest jobs until the premium job is done.
  const flood = async (k: number) => {
    const gauge = new DepthGauge(config, clients.sqs, Date.now);
    let i = 0;
    while (!over()) {
      const res = await admit(postJobs(DEAREST(i++), {}, `basic-${k}`), config, deps, gauge);
      basicSubmitted++;
      if (res.statusCode === 202) basicAdmitted++;
      else if (res.statusCode === 429) {
        if ((JSON.parse(res.body) as { error: string }).error === 'TierShareFull') basicTierRefusals++;
        await sleep(50);
      }
    }
  };
  // The premium job arrives once the basic tier holds its whole share.
  const premium = async () => {
    while (basicTierRefusals === 0 && Date.now() < hardStop) await sleep(20);
    const res = await admit(postJobs(NORMAL(0), {}, 'premium-key'), config, deps, new DepthGauge(config, clients.sqs, Date.now));
    servedAtPremium = served;
    premiumAdmittedAt = Date.now();
    if (res.statusCode === 202) premiumJobId = (JSON.parse(res.body) as { jobId: string }).jobId;
    premiumStatus = res.statusCode;
  };
  try {
    await Promise.all([...Array.from({ length: o.workers }, workerLoop), ...Array.from({ length: o.basicKeys }, (_x, k) => flood(k)), premium()]);
    // Finish what the flood left, so every admitted job ends.
    await drainQueue(clients.sqs, f.queueUrl, 10, 1, (event) => processBatch(event, lambdaContext(30_000), wconfig, wdeps), 120_000);
  } finally {
    await model.stop();
  }
  const state = premiumJobId ? await jobStatus(clients, f.tableName, premiumJobId) : 'NOT_ADMITTED';
  const drainRate = served / Math.max(0.001, ((premiumDoneAt ?? Date.now()) - started) / 1000);
  const unitsBound = basicBudget + o.workers * 4 + 1;
  return {
    basicSubmitted, basicAdmitted, basicTierRefusals, premiumStatus, premiumState: state,
    unitsServedBeforePremium: (servedAtDone ?? Infinity) - servedAtPremium,
    unitsBound, premiumSeconds: ((premiumDoneAt ?? Date.now()) - premiumAdmittedAt) / 1000, boundSeconds: unitsBound / drainRate, measuredDrainUnitsPerSecond: drainRate,
  };
}

async function jobStatus(clients: Clients, tableName: string, jobId: string): Promise<string> {
  const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const out = await clients.ddb.send(new GetItemCommand({ TableName: tableName, Key: { jobId: { S: jobId } }, ConsistentRead: true }));
  return out.Item?.status?.S ?? 'MISSING';
}
