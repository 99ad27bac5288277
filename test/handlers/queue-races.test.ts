import { randomUUID } from 'crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { admit, AdmissionDeps, DepthGauge } from '../../handlers/admission/core';
import { fromItem, S } from '../../handlers/shared/dynamo';
import { TransientModelError } from '../../handlers/shared/errors';
import { ADMISSION_LEDGER_KEY, HELD } from '../../handlers/shared/ledger';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { ModelBackend, ModelOutput } from '../../handlers/worker/backends';
import { processBatch, SqsEvent, SqsRecord, WorkerDeps } from '../../handlers/worker/core';
import { LOSE_ANSWER, motoBehindFaultProxy, PASS, UNAVAILABLE } from '../support/fault-proxy';
import { localClients } from '../support/moto';
import { admissionConfig, counts, createFixture, drainQueue, lambdaContext, QueueFixture, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';

/**
 * Races of the job queue, each placed exactly where it bites with a fault-injecting proxy in front
 * of moto_server (the real SDK, the real handlers) and model backends that wait for the other
 * side's progress. The order of the steps comes from the steps themselves, never from timers.
 */
const peer = motoBehindFaultProxy();

/** A promise with its resolve function: one step of a test waits for another's progress. */
function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A model backend run by the test: `answer` decides each call, and may wait. */
function backend(answer: (call: number) => Promise<ModelOutput>): ModelBackend & { calls: number } {
  const b = {
    calls: 0,
    invoke: () => answer(b.calls++),
  };
  return b;
}
const ok = (body: unknown): ModelOutput => ({ body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' });

function workerDeps(clients: ReturnType<typeof localClients>, model: ModelBackend, now: () => number = Date.now): WorkerDeps {
  return { ...clients, backend: model, now, random: () => 0, log: () => undefined };
}

async function job(f: QueueFixture, jobId: string) {
  return fromItem((await peer.direct.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }))).Item);
}

async function sendJob(f: QueueFixture, jobId = randomUUID()): Promise<string> {
  await peer.direct.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: JSON.stringify({ v: 1, jobId, contentType: 'application/json', body: '{"instances":[[1,2,3]]}' }) }));
  return jobId;
}

/** Receives one message as the event source does: a one-record event with its receive count. */
async function receiveOne(f: QueueFixture): Promise<SqsEvent> {
  for (;;) {
    const m = (await peer.direct.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages?.[0];
    if (m) {
      const record: SqsRecord = { messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, attributes: { ApproximateReceiveCount: m.Attributes!.ApproximateReceiveCount! } };
      return { Records: [record] };
    }
  }
}

describe('worker races', () => {
  test('a claim that took effect but whose answer was lost is still this worker\'s: the SDK\'s retry does not make the job busy', async () => {
    // maxReceiveCount 1: a copy handed back as busy is moved to the DLQ on its next receive, with
    // the model never called and the record RUNNING under a lease nobody holds.
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 1 });
    const id = await sendJob(f);
    peer.proxy.decide = (r) => (r.target === 'DynamoDB_20120810.UpdateItem' && r.index === 0 && r.body.includes('attribute_not_exists(jobId) OR') ? LOSE_ANSWER : PASS);
    const model = backend(async () => ok({ done: true }));
    const r = await processBatch(await receiveOne(f), lambdaContext(10_000), workerConfig(f, { maxReceiveCount: 1 }), workerDeps(peer.proxied, model));
    // The claim was sent twice (the SDK retried the lost answer), and the first attempt took the lease.
    expect(peer.proxy.requestsOf('DynamoDB_20120810.UpdateItem').filter((q) => q.body.includes('attribute_not_exists(jobId) OR'))).toHaveLength(2);
    expect(r.outcomes).toEqual(['succeeded']);
    expect(model.calls).toBe(1);
    expect(await job(f, id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1, result: '{"done":true}' });
    expect((await counts(peer.direct.sqs, f.queueUrl)).total).toBe(0);
    expect((await counts(peer.direct.sqs, f.dlqUrl)).total).toBe(0);
  });

  test('two workers on the same message, the first one\'s lease lost: it does not delete the message the second still needs', async () => {
    // The first worker's clock runs a minute behind, so its lease ends, for everyone else, while
    // it still runs: the visibility timeout expires and a second worker takes the job over. The
    // first then finishes (its write refused: it no longer holds the lease) and the second meets
    // a transient error, so the job goes back to QUEUED and needs its message.
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const id = await sendJob(f);
    const cfg = workerConfig(f);
    const firstCalled = signal();
    const secondCalled = signal();
    const firstDone = signal();
    const first = backend(async () => {
      firstCalled.resolve();
      await secondCalled.promise;
      return ok({ by: 'first' });
    });
    const second = backend(async () => {
      secondCalled.resolve();
      await firstDone.promise;
      throw new TransientModelError('ServiceUnavailable', 'injected', 503);
    });
    const a = await receiveOne(f);
    const firstRun = processBatch(a, lambdaContext(10_000), cfg, workerDeps(peer.direct, first, () => Date.now() - 60_000))
      .finally(() => firstDone.resolve());
    await firstCalled.promise;
    // The visibility timeout expires while the first worker runs: the message is delivered again.
    await peer.direct.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: f.queueUrl, ReceiptHandle: a.Records[0].receiptHandle, VisibilityTimeout: 0 }));
    const b = await receiveOne(f);
    expect(b.Records[0].messageId).toBe(a.Records[0].messageId);
    const [ra, rb] = await Promise.all([firstRun, processBatch(b, lambdaContext(10_000), cfg, workerDeps(peer.direct, second))]);
    expect(rb.outcomes).toEqual(['retry']);
    // The first copy's outcome did not stand: the job is the second copy's, and not finished.
    expect(ra.outcomes).toEqual(['busy']);
    expect(ra.batchItemFailures).toHaveLength(1);
    expect(await job(f, id)).toMatchObject({ status: 'QUEUED' });
    expect((await counts(peer.direct.sqs, f.queueUrl)).total).toBe(1);
    // The message comes back and the job runs to its result.
    const third = backend(async () => ok({ by: 'third' }));
    await drainQueue(peer.direct.sqs, f.queueUrl, 1, 1, (e) => processBatch(e, lambdaContext(10_000), cfg, workerDeps(peer.direct, third)), 120_000);
    expect(await job(f, id)).toMatchObject({ status: 'SUCCEEDED', result: '{"by":"third"}' });
  });
});

describe('admission races', () => {
  const deps = (): AdmissionDeps => ({ ...peer.proxied, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined });

  test('SendMessage refused after the job record was written: 503 with Retry-After, the record removed, its cost units back', async () => {
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const cfg = admissionConfig(f);
    peer.proxy.decide = (r) => (r.target === 'AmazonSQS.SendMessage' ? UNAVAILABLE : PASS);
    const res = await admit(postJobs({ instances: [[1, 2, 3]] }), cfg, deps(), new DepthGauge(cfg, peer.proxied.sqs, Date.now));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('2');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'DependencyUnavailable', retryAfterSeconds: 2 });
    // The record was written first (PutItem), then the send failed on every SDK attempt.
    const put = peer.proxy.requestsOf('DynamoDB_20120810.PutItem');
    expect(put).toHaveLength(1);
    expect(peer.proxy.requestsOf('AmazonSQS.SendMessage').length).toBeGreaterThan(1);
    const jobId = (JSON.parse(put[0].body) as { Item: { jobId: { S: string } } }).Item.jobId.S;
    // Not accepted, so nothing may be left that looks accepted: no record, no message, no units held.
    expect(await job(f, jobId)).toBeUndefined();
    expect((await counts(peer.direct.sqs, f.queueUrl)).total).toBe(0);
    const ledger = (await peer.direct.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(ADMISSION_LEDGER_KEY) }, ConsistentRead: true }))).Item;
    expect(Number(ledger?.[HELD]?.N)).toBe(0);
  });

  test('SendMessage fails once and the SDK\'s retry gets through: 202, and the job runs once', async () => {
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const cfg = admissionConfig(f);
    peer.proxy.decide = (r) => (r.target === 'AmazonSQS.SendMessage' && r.index === 0 ? LOSE_ANSWER : PASS);
    const res = await admit(postJobs({ instances: [[1, 2, 3]] }), cfg, deps(), new DepthGauge(cfg, peer.proxied.sqs, Date.now));
    expect(res.statusCode).toBe(202);
    const { jobId } = JSON.parse(res.body) as { jobId: string };
    // The lost answer's message arrived too: two copies of one job, which the claim absorbs.
    expect((await counts(peer.direct.sqs, f.queueUrl)).total).toBe(2);
    const model = backend(async () => ok({ once: true }));
    await drainQueue(peer.direct.sqs, f.queueUrl, 1, 1, (e) => processBatch(e, lambdaContext(10_000), workerConfig(f), workerDeps(peer.direct, model)), 120_000);
    expect(model.calls).toBe(1);
    expect(await job(f, jobId)).toMatchObject({ status: 'SUCCEEDED', enqueued: true });
  });
});
