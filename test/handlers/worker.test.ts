import { randomUUID } from 'crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { HttpBackend, ModelBackend, SageMakerBackend } from '../../handlers/worker/backends';
import { processBatch, SqsEvent, WorkerConfig, WorkerDeps } from '../../handlers/worker/core';
import { fromItem, S } from '../../handlers/shared/dynamo';
import { FakeSageMaker, SAGEMAKER_ERRORS } from '../support/fake-sagemaker';
import { localClients, MotoServer, startMoto } from '../support/moto';
import { counts, createFixture, drainQueue, lambdaContext, pollOnce, QueueFixture, workerConfig } from '../support/queue-fixture';

let moto: MotoServer;
let fake: FakeSageMaker;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  [moto, fake] = await Promise.all([startMoto(), FakeSageMaker.start()]);
  clients = localClients(moto.endpoint);
});
afterAll(async () => {
  await Promise.all([moto?.stop(), fake?.stop()]);
});
beforeEach(() => fake.reset());

function deps(backend: ModelBackend = new SageMakerBackend(fake.client(), 'model-ep')): WorkerDeps {
  return { ...clients, backend, now: () => Date.now(), random: () => 0, log: () => undefined };
}

async function send(f: QueueFixture, marker: number, jobId: string = randomUUID(), extra: Record<string, unknown> = {}): Promise<string> {
  const body = JSON.stringify({ instances: [[marker]] });
  await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: JSON.stringify({ v: 1, jobId, contentType: 'application/json', body, ...extra }) }));
  return jobId;
}

async function job(f: QueueFixture, jobId: string) {
  return fromItem((await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }))).Item);
}

function worker(_f: QueueFixture, cfg: WorkerConfig, d = deps(), timeoutMs = 10_000) {
  return (event: SqsEvent) => processBatch(event, lambdaContext(timeoutMs), cfg, d);
}

/** The marker a fake call was made for (each test job carries a distinct one). */
const markerOf = (body: string) => (JSON.parse(body) as { instances: number[][] }).instances[0][0];

describe('worker', () => {
  test('invokes the endpoint with the payload and stores a small result inline', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    fake.behave = () => ({ body: { predictions: [[0.1, 0.9]] } });
    const id = await send(f, 7);
    expect(await pollOnce(clients.sqs, f.queueUrl, 10, worker(f, workerConfig(f)))).toBe(1);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({ endpointName: 'model-ep', contentType: 'application/json' });
    expect(JSON.parse(fake.calls[0].body)).toEqual({ instances: [[7]] });
    const rec = await job(f, id);
    expect(rec).toMatchObject({ status: 'SUCCEEDED', attempts: 1, resultContentType: 'application/json' });
    expect(JSON.parse(rec!.result!)).toEqual({ predictions: [[0.1, 0.9]] });
    expect(rec!.leaseOwner).toBeUndefined();
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
  });

  test('duplicate delivery neither calls the model again nor overwrites the result', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    let n = 0;
    fake.behave = () => ({ body: { call: ++n } });
    const id = randomUUID();
    await send(f, 1, id);
    await send(f, 1, id); // SQS at-least-once: the same job delivered twice
    await drainQueue(clients.sqs, f.queueUrl, 1, 1, worker(f, workerConfig(f)));
    expect(fake.calls).toHaveLength(1);
    expect(JSON.parse((await job(f, id))!.result!)).toEqual({ call: 1 });
  });

  test('a duplicate delivered while the first copy runs is busy: retried later, no second model call', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    // The first copy's model call lasts until the second copy has been handled, however long its
    // receive and claim take on a busy machine (a fixed delay could end before the claim).
    let secondHandled!: () => void;
    const second = new Promise<void>((r) => {
      secondHandled = r;
    });
    fake.behave = () => ({ until: second, body: { ok: true } });
    const id = randomUUID();
    await send(f, 1, id);
    await send(f, 1, id);
    // The per-call deadline (an abort timer) is kept far from the time the second copy may take.
    const cfg = workerConfig(f, { perCallDeadlineMs: 15_000 });
    const outcomes: string[] = [];
    const run = (e: SqsEvent) => processBatch(e, lambdaContext(20_000), cfg, deps()).then((r) => {
      outcomes.push(...r.outcomes);
      return r;
    });
    await pollOnce(clients.sqs, f.queueUrl, 1, async (first) => {
      const a = run(first);
      // Once the model is called, the first copy holds the lease.
      while (fake.calls.length === 0) await new Promise((r) => setTimeout(r, 10));
      await pollOnce(clients.sqs, f.queueUrl, 1, run).finally(secondHandled);
      return a;
    });
    expect(outcomes).toEqual(['busy', 'succeeded']);
    expect(fake.calls).toHaveLength(1);
    expect((await job(f, id))!.status).toBe('SUCCEEDED');
    // The busy copy comes back when the first copy's lease ends and is then dropped as a duplicate.
    await drainQueue(clients.sqs, f.queueUrl, 1, 1, run, 60_000);
    expect(outcomes).toEqual(['busy', 'succeeded', 'duplicate']);
    expect(fake.calls).toHaveLength(1);
  });

  test('model 4xx (ModelError 424) becomes a failed result and is not retried', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    fake.behave = () => SAGEMAKER_ERRORS.modelError;
    const id = await send(f, 2);
    const event = worker(f, workerConfig(f));
    await pollOnce(clients.sqs, f.queueUrl, 10, event);
    expect(fake.calls).toHaveLength(1);
    const rec = await job(f, id);
    expect(rec!.status).toBe('FAILED');
    expect(JSON.parse(rec!.error!)).toMatchObject({ code: 'ModelError', statusCode: 424 });
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
  });

  test.each([
    ['ThrottlingException 400', SAGEMAKER_ERRORS.throttling],
    ['ThrottlingException 429', SAGEMAKER_ERRORS.throttling429],
    ['ServiceUnavailable 503', SAGEMAKER_ERRORS.serviceUnavailable],
    ['InternalFailure 500', SAGEMAKER_ERRORS.internalFailure],
  ])('transient %s: retried through visibility with backoff, then succeeds', async (_name, error) => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    fake.behave = (_c, i) => (i === 0 ? error : { body: { ok: true } });
    const id = await send(f, 3);
    // The per-call deadline is an abort timer: it must not fire inside a call the fake answers at
    // once, and on a busy machine 2 s can pass between the fake's answer and the client reading
    // it, which turned the injected error into a ModelTimeout (or the successful retry into a
    // third attempt). This test is about the backoff, so the deadline stays out of reach.
    const w = worker(f, workerConfig(f, { perCallDeadlineMs: 60_000 }), deps(), 120_000);
    const first = await processBatchOnce(f, w);
    expect(first.outcomes).toEqual(['retry']);
    expect(await job(f, id)).toMatchObject({ status: 'QUEUED' });
    // The injected error itself was seen (not a timeout standing in for it).
    expect(JSON.parse((await job(f, id))!.error!)).toMatchObject({ code: error.errorType, statusCode: error.status });
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(1);
    await drainQueue(clients.sqs, f.queueUrl, 10, 1, w, 60_000);
    expect(fake.calls).toHaveLength(2);
    // Backoff: the retry came after ~1 s (base 1 s, first receive), before the 30 s visibility
    // timeout would have returned the message (the exact gap depends on the machine's load).
    const gap = fake.calls[1].at - fake.calls[0].at;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(30_000);
    expect((await job(f, id))).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  test('model timeout: the call is aborted before the Lambda deadline and retried', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    fake.behave = (_c, i) => (i === 0 ? { delayMs: 5_000 } : {});
    const id = await send(f, 4);
    // Remaining time 1.5 s, safety margin 0.2 s: the call is aborted after ~1.3 s, not at the 2 s
    // per-call deadline and long before the fake answers (5 s). The fake records that the client
    // closed the connection before its answer; how long that took is load-dependent and not asserted.
    const r = await processBatchOnce(f, worker(f, workerConfig(f), deps(), 1_500));
    expect(r.outcomes).toEqual(['retry']);
    expect(JSON.parse((await job(f, id))!.error!)).toMatchObject({ code: 'ModelTimeout' });
    await until(() => fake.calls[0].aborted === true || fake.calls[0].status !== undefined, 30_000);
    expect(fake.calls[0]).toMatchObject({ aborted: true });
    expect(fake.calls[0].status).toBeUndefined();
    await drainQueue(clients.sqs, f.queueUrl, 10, 1, worker(f, workerConfig(f)), 60_000);
    // The queue drains only after the worker wrote the job's outcome. The whole record on
    // failure: its error says which attempt ended how.
    expect(await job(f, id)).toMatchObject({ status: 'SUCCEEDED' });
  });

  test('too little time left for a model call: the message is handed back without calling the model', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const id = await send(f, 6);
    const r = await processBatchOnce(f, worker(f, workerConfig(f), deps(), 900)); // 0.7 s left < half the 2 s deadline
    expect(r.outcomes).toEqual(['retry']);
    expect(fake.calls).toHaveLength(0);
    expect(await job(f, id)).toBeUndefined();
    expect((await counts(clients.sqs, f.queueUrl)).visible).toBe(1);
  });

  test('a poison message reaches the DLQ after exactly maxReceiveCount receives', async () => {
    const maxReceiveCount = 3;
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 1, maxReceiveCount });
    fake.behave = () => SAGEMAKER_ERRORS.serviceUnavailable;
    const id = await send(f, 5);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: 'not a job' }));
    await drainQueue(clients.sqs, f.queueUrl, 10, 1, worker(f, workerConfig(f, { maxReceiveCount, visibilityTimeoutSeconds: 1 })), 60_000);
    expect(fake.calls).toHaveLength(maxReceiveCount);
    const rec = await job(f, id);
    expect(rec).toMatchObject({ status: 'DEAD_LETTERED', attempts: maxReceiveCount });
    // Both messages are in the DLQ. Counted visible or not: a message moved on its last receive can
    // still be inside that receive's 1 s visibility timeout when a busy machine counts.
    expect((await counts(clients.sqs, f.dlqUrl)).total).toBe(2);
  });

  test('a crash mid-batch: visibility expiry redelivers, finished jobs are not run again', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 1, maxReceiveCount: 5 });
    const ids = [await send(f, 10), await send(f, 11), await send(f, 12)];
    const cfg = workerConfig(f, { visibilityTimeoutSeconds: 1 });
    // The first invocation processes one message, then the environment dies (throws).
    let crashed = false;
    await pollOnce(clients.sqs, f.queueUrl, 10, async (event) => {
      await processBatch({ Records: event.Records.slice(0, 1) }, lambdaContext(1_500), cfg, deps());
      crashed = true;
      throw new Error('Runtime exited');
    });
    expect(crashed).toBe(true);
    expect(fake.calls).toHaveLength(1);
    await drainQueue(clients.sqs, f.queueUrl, 10, 1, worker(f, cfg), 15_000);
    for (const id of ids) expect((await job(f, id))!.status).toBe('SUCCEEDED');
    const perMarker = new Map<number, number>();
    for (const c of fake.calls) perMarker.set(markerOf(c.body), (perMarker.get(markerOf(c.body)) ?? 0) + 1);
    expect([...perMarker.values()]).toEqual([1, 1, 1]);
  });

  test('claim-check payload is read from S3; a large result goes to S3', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const id = randomUUID();
    await clients.s3.send(new PutObjectCommand({ Bucket: f.bucketName, Key: `payloads/${id}`, Body: JSON.stringify({ instances: [[42]] }) }));
    const big = { predictions: Array.from({ length: 20_000 }, (_v, i) => i) };
    fake.behave = () => ({ body: big });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: JSON.stringify({ v: 1, jobId: id, contentType: 'application/json', payloadKey: `payloads/${id}` }) }));
    await pollOnce(clients.sqs, f.queueUrl, 10, worker(f, workerConfig(f, { resultInlineMaxBytes: 1_000 })));
    expect(JSON.parse(fake.calls[0].body)).toEqual({ instances: [[42]] });
    const rec = await job(f, id);
    expect(rec).toMatchObject({ status: 'SUCCEEDED', resultKey: `results/${id}` });
    const obj = await clients.s3.send(new GetObjectCommand({ Bucket: f.bucketName, Key: `results/${id}` }));
    expect(JSON.parse(await obj.Body!.transformToString())).toEqual(big);
    // The claim-check payload is removed once the job is final.
    await expect(clients.s3.send(new GetObjectCommand({ Bucket: f.bucketName, Key: `payloads/${id}` }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  test('HTTP backend: 2xx result, 4xx failed, 5xx and 429 retried', async () => {
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const http = new HttpBackend(`${fake.url}/endpoints/ecs/invocations`);
    const answers = [{ status: 503 }, { status: 429 }, { status: 400, body: { error: 'bad shape' } }, { body: { ok: 1 } }];
    fake.behave = (c) => answers[markerOf(c.body)];
    const ids = [await send(f, 0), await send(f, 1), await send(f, 2), await send(f, 3)];
    const r = await processBatchOnce(f, worker(f, workerConfig(f), deps(http)));
    expect(r.outcomes).toEqual(['retry', 'retry', 'failed', 'succeeded']);
    expect((await job(f, ids[2]))!.status).toBe('FAILED');
    expect((await job(f, ids[3]))!.status).toBe('SUCCEEDED');
  });
});

/** Resolves once `done()` holds; fails after `timeoutMs` (a bound for a stuck test, not a speed goal). */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function processBatchOnce(f: QueueFixture, w: (e: SqsEvent) => ReturnType<typeof processBatch>) {
  let result: Awaited<ReturnType<typeof processBatch>> | undefined;
  await pollOnce(clients.sqs, f.queueUrl, 10, async (e) => {
    result = await w(e);
    return result;
  });
  return result!;
}
