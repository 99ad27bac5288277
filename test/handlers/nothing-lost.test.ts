import * as http from 'http';
import { AddressInfo } from 'net';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { admit, AdmissionDeps, DepthGauge } from '../../handlers/admission/core';
import { reconcile } from '../../handlers/reconciler/core';
import { parseJobMessage } from '../../handlers/shared/job';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { SageMakerBackend } from '../../handlers/worker/backends';
import { BatchResponse, processBatch, SqsEvent } from '../../handlers/worker/core';
import { WORKER_SAFETY_MARGIN_MS } from '../../lib/core/queue-formulas';
import { FakeSageMaker, SAGEMAKER_ERRORS } from '../support/fake-sagemaker';
import { auditJobs } from '../support/job-audit';
import { localClients, MotoServer, startMoto } from '../support/moto';
import { admissionConfig, counts, createFixture, drainQueue, eventSourceLog, lambdaContext, lambdaInvocation, pollOnce, QueueFixture, reconcilerConfig, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';

let moto: MotoServer;
let fake: FakeSageMaker;

beforeAll(async () => {
  [moto, fake] = await Promise.all([startMoto(), FakeSageMaker.start()]);
});
afterAll(async () => {
  await Promise.all([moto?.stop(), fake?.stop()]);
});

type Clients = ReturnType<typeof localClients>;

/**
 * Submits `n` jobs through the admission core, 25 at a time, as a client would: a 503 or 429
 * (the local peer failing, or the backlog budget) is retried after its Retry-After, at most 1 s
 * here. Returns the job id of each accepted job by its marker (the job's first input value).
 */
async function admitAll(clients: Clients, f: QueueFixture, n: number): Promise<Map<number, string>> {
  const cfg = admissionConfig(f, { depthBudget: 10_000, environments: 4 });
  const deps: AdmissionDeps = { ...clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
  const gauge = new DepthGauge(cfg, clients.sqs, Date.now);
  const jobs = new Map<number, string>();
  for (let start = 0; start < n; start += 25) {
    await Promise.all(Array.from({ length: Math.min(25, n - start) }, async (_v, k) => {
      const marker = start + k;
      for (let attempt = 1; ; attempt++) {
        const res = await admit(postJobs({ instances: [[marker, 0, 0]] }), cfg, deps, gauge);
        if (res.statusCode === 202) {
          jobs.set(marker, JSON.parse(res.body).jobId);
          return;
        }
        if (![429, 503].includes(res.statusCode) || attempt === 5) throw new Error(`job ${marker}: admission answered ${res.statusCode} ${res.body}`);
        await new Promise((r) => setTimeout(r, Math.min(1, Number(res.headers?.['Retry-After'] ?? 1)) * 1_000));
      }
    }));
  }
  return jobs;
}

/** A worker invocation that Lambda's timeout ended: when, and the jobs (markers) of its batch. */
interface TimedOutInvocation {
  readonly from: number;
  readonly to: number;
  readonly markers: ReadonlySet<number>;
}

/**
 * Successful (200, not aborted) model calls of the fake endpoint, by marker, as the audit counts
 * them. A call made for a job of an invocation that then ran into its timeout is not a duplicate:
 * the answer came, but the invocation may have ended before it wrote it, so the message comes back
 * and the job is called again, as Lambda and SQS deliver (at least once; see
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html).
 * So a job counts its calls outside such invocations, and 1 when all its calls were inside them
 * (the timed-out invocation wrote the result, and the redelivery found the job done). Every
 * other second success is a duplicate.
 */
function successfulCalls(timedOut: readonly TimedOutInvocation[] = []): Map<number, number> {
  const counted = new Map<number, number>();
  const insideTimedOut = new Set<number>();
  for (const c of fake.calls) {
    if (c.status === 200 && !c.aborted) {
      const marker = (JSON.parse(c.body) as { instances: number[][] }).instances[0][0];
      if (timedOut.some((t) => t.markers.has(marker) && c.at >= t.from && c.at <= t.to)) insideTimedOut.add(marker);
      else counted.set(marker, (counted.get(marker) ?? 0) + 1);
    }
  }
  for (const marker of insideTimedOut) if (!counted.has(marker)) counted.set(marker, 1);
  return counted;
}

/** Runs one invocation; if Lambda's timeout ends it, records its window and its batch's jobs. */
async function invocationTimes<R>(event: SqsEvent, timedOut: TimedOutInvocation[], markerOf: Map<string, number>, run: () => Promise<R>): Promise<R> {
  const from = Date.now();
  try {
    return await run();
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') {
      const markers = new Set(event.Records.map((r) => markerOf.get(parseJobMessage(r.body)?.jobId ?? '')).filter((m): m is number => m !== undefined));
      timedOut.push({ from, to: Date.now(), markers });
    }
    throw e;
  }
}

/** A small seeded generator, so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 500-job test's time bound (a bound for a stuck run on a busy machine, not a speed goal), and the audit's share of it. */
const NOTHING_LOST_TIMEOUT_MS = 420_000;
const AUDIT_SHARE_MS = 40_000;

test('nothing lost: 500 jobs with random faults each end exactly once, as a result or in the DLQ', async () => {
  const JOBS = 500;
  const maxReceiveCount = 3;
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 40, maxReceiveCount });
  const startedAt = Date.now();
  fake.calls.length = 0;
  const seed = Number(process.env.KIG_FAULT_SEED ?? 20261125);
  const rand = mulberry32(seed);

  // Admit every job through the admission core (budget large enough for all).
  const jobIdByMarker = await admitAll(clients, f, JOBS);

  // Faults: 2 % poison jobs that always fail with 500; per call 8 % 503, 5 % throttling,
  // 3 % ModelError (a failed result), 3 % a model slower than the deadline.
  const poison = new Set(Array.from({ length: JOBS }, (_v, i) => i).filter(() => rand() < 0.02));
  fake.behave = (call) => {
    const marker = (JSON.parse(call.body) as { instances: number[][] }).instances[0][0];
    if (poison.has(marker)) return SAGEMAKER_ERRORS.internalFailure;
    const r = rand();
    if (r < 0.08) return SAGEMAKER_ERRORS.serviceUnavailable;
    if (r < 0.13) return SAGEMAKER_ERRORS.throttling;
    if (r < 0.16) return SAGEMAKER_ERRORS.modelError;
    if (r < 0.19) return { delayMs: 800 };
    return { body: { marker } };
  };

  // As deployed: the visibility timeout (40 s) is at least 6 x the worker timeout (5 s here), so
  // a message is only redelivered after its invocation finished or was stopped at its timeout.
  const admittedAt = Date.now();
  // The worker keeps back what the deployed one does after its model calls (WORKER_SAFETY_MARGIN_MS),
  // so a busy test machine stops an invocation only where a slow deployed one could stop too.
  const cfg = workerConfig(f, { maxReceiveCount, visibilityTimeoutSeconds: 40, perCallDeadlineMs: 300, backoffBaseSeconds: 1, safetyMarginMs: WORKER_SAFETY_MARGIN_MS });
  const workerLog: string[] = [];
  const wDeps = { ...clients, backend: new SageMakerBackend(fake.client(), 'ep'), now: Date.now, random: rand, log: (line: string) => workerLog.push(line) };
  let crashes = 0;
  let batchInvocations = 0;
  const events = eventSourceLog();
  // The drain gets what is left of the test's time but the audit's share, so a drain that does not
  // finish (a job stuck in the queue, or a very busy machine) still ends in the audit's report.
  let drainError: Error | undefined;
  const markerOf = new Map([...jobIdByMarker].map(([marker, jobId]) => [jobId, marker]));
  const timedOut: TimedOutInvocation[] = [];
  await drainQueue(clients.sqs, f.queueUrl, 5, 6, (event) => invocationTimes(event, timedOut, markerOf, () => lambdaInvocation(5_000, wDeps, async (context, deps) => {
    // One invocation of batches of two or more messages in 30 crashes after the first message (the
    // runtime dies mid-batch), the 5th, 35th, ...: counted, not drawn, so that every run has
    // crashes (a 3 % draw gave none in a run with fewer such batches: their number depends on
    // the order the pollers receive in).
    if (event.Records.length > 1 && ++batchInvocations % 30 === 5) {
      crashes++;
      await processBatch({ Records: event.Records.slice(0, 1) }, context, cfg, deps);
      throw new Error('Runtime exited');
    }
    return processBatch(event, context, cfg, deps);
  })), Math.max(60_000, NOTHING_LOST_TIMEOUT_MS - AUDIT_SHARE_MS - (Date.now() - startedAt)), events).catch((e: Error) => {
    drainError = e;
  });

  const drainedAt = Date.now();
  // The scheduled dead-letter reconciler's run: it settles the jobs SQS dead-lettered after a crash
  // or a timeout on their last delivery, which no worker could mark.
  const reconciled = await reconcile(lambdaContext(60_000), reconcilerConfig(f), { ...clients, now: Date.now, log: () => undefined });
  const audit = await auditJobs(clients, f, jobIdByMarker, successfulCalls(timedOut));
  if (drainError || audit.problems.length > 0) {
    // Everything a replay needs: the seed (it fixes the poison jobs and the fault drawn for each
    // model call in arrival order; the arrival order itself is the machine's), each job's full
    // record, its model calls and the worker's log lines that name it.
    const report = audit.problemJobs.map((p) => ({
      ...p,
      poison: poison.has(p.marker),
      modelCalls: fake.calls.filter((c) => (JSON.parse(c.body) as { instances: number[][] }).instances[0][0] === p.marker)
        .map((c) => ({ at: c.at - startedAt, status: c.status, aborted: c.aborted === true })),
      workerLog: workerLog.filter((l) => l.includes(p.jobId)),
    }));
    throw new Error(`nothing-lost: ${drainError ? `${drainError.message}; ` : ''}${audit.problems.length} problem(s) with fault seed ${seed} (replay: KIG_FAULT_SEED=${seed}); `
      + `tally ${JSON.stringify(audit.tally)}, reconciled ${JSON.stringify(reconciled)}, ${crashes} crashes, ${timedOut.length} timed-out invocations, ${events.deleteFailures.length} failed deletes\n`
      + `${audit.problems.join('\n')}\n${JSON.stringify(report, null, 2)}`);
  }
  for (const p of poison) expect(audit.deadLettered.get(jobIdByMarker.get(p)!)).toBe(1);
  expect(Object.values(audit.tally).reduce((a, b) => a + b, 0)).toBe(JOBS);
  expect(crashes).toBeGreaterThan(0);
  // eslint-disable-next-line no-console
  console.log(`nothing-lost (fault seed ${seed}): ${JSON.stringify(audit.tally)}, dead letters settled by the reconciler ${reconciled.settled}, ${fake.calls.length} model calls, ${crashes} crashes, ${timedOut.length} timed-out invocations, ${poison.size} poison jobs; `
    + `event source: ${events.receiveErrors.length} failed receives, ${events.deleteFailures.length} failed deletes (redelivered); admit ${admittedAt - startedAt} ms, drain ${drainedAt - admittedAt} ms`);
}, NOTHING_LOST_TIMEOUT_MS);

test('the audit catches a real loss: a worker that acknowledges a job without doing it', async () => {
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
  const jobs = await admitAll(clients, f, 12);
  fake.calls.length = 0;
  fake.behave = (call) => ({ body: { marker: (JSON.parse(call.body) as { instances: number[][] }).instances[0][0] } });
  const LOST = 7;
  const cfg = workerConfig(f);
  const deps = { ...clients, backend: new SageMakerBackend(fake.client(), 'ep'), now: Date.now, random: Math.random, log: () => undefined };
  const log = eventSourceLog();
  await drainQueue(clients.sqs, f.queueUrl, 5, 2, async (event: SqsEvent): Promise<BatchResponse> => {
    // The bug: job 7's message is deleted and reported done, but the job never runs.
    const lost = event.Records.filter((r) => parseJobMessage(r.body)?.jobId === jobs.get(LOST));
    for (const r of lost) await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: r.receiptHandle }));
    return processBatch({ Records: event.Records.filter((r) => !lost.includes(r)) }, lambdaContext(10_000), cfg, deps);
  }, 60_000, log);
  const audit = await auditJobs(clients, f, jobs, successfulCalls());
  expect(audit.problems).toEqual([
    expect.stringMatching(new RegExp(`^job ${LOST} \\(.*\\) was lost: status QUEUED, 0 successful model call\\(s\\), 0 DLQ`)),
    // Its unit is still held: admission capacity lost too.
    'the admission ledger still holds 1 cost unit(s)',
  ]);
  expect(audit.tally).toEqual({ SUCCEEDED: 11, QUEUED: 1 });
  // The lost job comes with its full record, for a replay.
  expect(audit.problemJobs).toEqual([{ marker: LOST, jobId: jobs.get(LOST), record: expect.objectContaining({ jobId: jobs.get(LOST), status: 'QUEUED', enqueued: true, costHeld: true }), successfulCalls: 0, dlqCopies: 0 }]);
});

test('the stand-in event source, like Lambda\'s, takes a failed delete for a redelivery, not an error', async () => {
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 1 });
  await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: '{}' }));
  const log = eventSourceLog();
  const received = await pollOnce(clients.sqs, f.queueUrl, 1, async (event) => {
    // While this invocation runs, its message becomes visible again and the next receive moves
    // it to the dead-letter queue (maxReceiveCount 1): the receipt handle is stale by the time
    // the event source deletes the message.
    await clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: f.queueUrl, ReceiptHandle: event.Records[0].receiptHandle, VisibilityTimeout: 0 }));
    expect((await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1 }))).Messages ?? []).toEqual([]);
    return { batchItemFailures: [] };
  }, log);
  expect(received).toBe(1);
  // moto refuses the stale receipt handle (SQS accepts it and may keep the message); the message
  // is where redelivery put it, not lost.
  expect(log.deleteFailures).toEqual([expect.stringMatching(/^ReceiptHandleIsInvalid/)]);
  expect((await counts(clients.sqs, f.dlqUrl)).total).toBe(1);
});

test('a peer answering an HTML 5xx page: the SDK retries it, the stand-in event source logs it and polls on', async () => {
  let requests = 0;
  const peer = http.createServer((req, res) => {
    req.resume();
    requests++;
    res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body><h1>Internal Server Error</h1></body></html>');
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  const sqs = localClients(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`).sqs;
  try {
    const log = eventSourceLog();
    expect(await pollOnce(sqs, 'http://127.0.0.1/000000000000/jobs', 10, () => Promise.reject(new Error('never invoked')), log)).toBe(0);
    // The SDK's standard retry mode takes 500 for transient: 3 attempts in all.
    expect(requests).toBe(3);
    expect(log.receiveErrors).toEqual([expect.stringMatching(/\(HTTP 500\)/)]);
  } finally {
    sqs.destroy();
    await new Promise((r) => peer.close(r));
  }
});
