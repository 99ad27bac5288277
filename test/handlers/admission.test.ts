import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ADMISSION_LEDGER_KEY, admit, AdmissionConfig, AdmissionDeps, DepthGauge } from '../../handlers/admission/core';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { SageMakerBackend } from '../../handlers/worker/backends';
import { processBatch } from '../../handlers/worker/core';
import { FakeSageMaker } from '../support/fake-sagemaker';
import { localClients, MotoServer, startMoto, TEST_CREDENTIALS, TEST_REGION } from '../support/moto';
import { admissionConfig, counts, createFixture, lambdaContext, pollOnce, QueueFixture, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';

let moto: MotoServer;
let clients: ReturnType<typeof localClients>;
const validate = compileRequestSchema(TEST_SIGNATURE.toJsonSchema());
const ok = { instances: [[1, 2, 3]] };

beforeAll(async () => {
  moto = await startMoto();
  clients = localClients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

function deps(over: Partial<AdmissionDeps> = {}): AdmissionDeps {
  return { ...clients, validate, now: () => Date.now(), log: () => undefined, ...over };
}

function setup(f: QueueFixture, o: Partial<AdmissionConfig> = {}, d = deps()) {
  const config = admissionConfig(f, o);
  const gauge = new DepthGauge(config, d.sqs, d.now);
  return (event: Parameters<typeof admit>[0]) => admit(event, config, d, gauge);
}

/** An SQS client that counts the depth reads (GetQueueAttributes) sent through it. */
function countingDepthReads(): { sqs: SQSClient; reads: () => number } {
  let reads = 0;
  const sqs = new SQSClient({ endpoint: moto.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  sqs.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'GetQueueAttributesCommand') reads++;
    return next(args);
  }, { step: 'initialize' });
  return { sqs, reads: () => reads };
}

/** A DynamoDB client that counts the conditional increments of the admission ledger sent through it. */
function countingLedgerWrites(): { ddb: DynamoDBClient; writes: () => number } {
  let writes = 0;
  const ddb = new DynamoDBClient({ endpoint: moto.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  ddb.middlewareStack.add((next, context) => async (args) => {
    const key = (args.input as { Key?: { jobId?: { S?: string } } }).Key?.jobId?.S;
    if (context.commandName === 'UpdateItemCommand' && key === ADMISSION_LEDGER_KEY) writes++;
    return next(args);
  }, { step: 'initialize' });
  return { ddb, writes: () => writes };
}

async function fixture() {
  return createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
}

describe('admission', () => {
  test('202 with job id, status URL and Location; the job is recorded and enqueued', async () => {
    const f = await fixture();
    const res = await setup(f)(postJobs(ok));
    expect(res.statusCode).toBe(202);
    const body = JSON.parse(res.body);
    expect(body).toEqual({ jobId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'QUEUED', statusUrl: `/prod/jobs/${body.jobId}` });
    expect(res.headers.Location).toBe(body.statusUrl);
    const msgs = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 10 }));
    expect(msgs.Messages).toHaveLength(1);
    expect(JSON.parse(msgs.Messages![0].Body!)).toEqual({ v: 1, jobId: body.jobId, contentType: 'application/json', body: JSON.stringify(ok) });
  });

  test.each([
    ['malformed JSON', postJobs('{"instances": [[1,2,'), 400, 'MalformedJson'],
    ['wrong content type', postJobs(ok, { 'Content-Type': 'text/plain' }), 415, 'UnsupportedMediaType'],
    ['wrong tensor shape', postJobs({ instances: [[1, 2]] }), 400, 'InvalidRequest'],
    ['wrong element type', postJobs({ instances: [['a', 2, 3]] }), 400, 'InvalidRequest'],
    ['too many instances', postJobs({ instances: [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]] }), 400, 'InvalidRequest'],
    ['unknown field', postJobs({ instances: [[1, 2, 3]], extra: 1 }), 400, 'InvalidRequest'],
    ['oversize payload', postJobs({ instances: [[1, 2, 3]], pad: 'x'.repeat(3_000) }), 413, 'PayloadTooLarge'],
    ['bad idempotency key', postJobs(ok, { 'Idempotency-Key': 'has space' }), 400, 'InvalidIdempotencyKey'],
    ['too long idempotency key', postJobs(ok, { 'Idempotency-Key': 'k'.repeat(129) }), 400, 'InvalidIdempotencyKey'],
    ['1e400 (Infinity) in a float32 tensor', postJobs('{"instances": [[1e400, 2, 3]]}'), 400, 'InvalidRequest'],
    ['-1e400 in a float32 tensor', postJobs('{"instances": [[-1e400, 2, 3]]}'), 400, 'InvalidRequest'],
    ['1e39 (above the float32 range) in a float32 tensor', postJobs('{"instances": [[1e39, 2, 3]]}'), 400, 'InvalidRequest'],
    ['numeric Content-Type', { ...postJobs(ok), headers: { 'Content-Type': 5 as unknown as string } }, 415, 'UnsupportedMediaType'],
    ['object body', { ...postJobs(ok), body: { instances: [[1, 2, 3]] } as unknown as string }, 400, 'MalformedJson'],
  ])('%s: 4xx with a JSON body, nothing enqueued', async (_name, event, status, code) => {
    const f = await fixture();
    const res = await setup(f, { maxRequestBytes: 2_000 })(event);
    expect(res.statusCode).toBe(status);
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ error: code, message: expect.any(String) });
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
  });

  test('schema errors are listed with their paths', async () => {
    const f = await fixture();
    const res = await setup(f)(postJobs({ instances: [[1, 2], ['x', 2, 3]] }));
    const body = JSON.parse(res.body);
    expect(body.problems.length).toBeGreaterThanOrEqual(2);
    expect(body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['/instances/0', '/instances/1/0']));
  });

  test('Idempotency-Key: same key and body -> same job, enqueued once; other body -> 422; other caller -> other job', async () => {
    const f = await fixture();
    const post = setup(f);
    const a = await post(postJobs(ok, { 'Idempotency-Key': 'order-42' }));
    const b = await post(postJobs(ok, { 'idempotency-key': 'order-42' }));
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(JSON.parse(b.body).jobId).toBe(JSON.parse(a.body).jobId);
    expect(b.headers['Idempotent-Replayed']).toBe('true');
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(1);
    const c = await post(postJobs({ instances: [[9, 9, 9]] }, { 'Idempotency-Key': 'order-42' }));
    expect(c.statusCode).toBe(422);
    expect(JSON.parse(c.body).error).toBe('IdempotencyKeyReused');
    const d = await post(postJobs(ok, { 'Idempotency-Key': 'order-42' }, 'another-caller'));
    expect(d.statusCode).toBe(202);
    expect(JSON.parse(d.body).jobId).not.toBe(JSON.parse(a.body).jobId);
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(2);
  });

  test('oversize payload: claim check in S3, round trip through the worker', async () => {
    const f = await fixture();
    const big = { instances: [[1.123456789, 2.123456789, 3.123456789], [4, 5, 6], [7, 8, 9], [1, 1, 1]] };
    const res = await setup(f, { maxInlineMessageBytes: 100 })(postJobs(big));
    expect(res.statusCode).toBe(202);
    const { jobId } = JSON.parse(res.body);
    const stored = await clients.s3.send(new GetObjectCommand({ Bucket: f.bucketName, Key: `payloads/${jobId}` }));
    expect(stored.ServerSideEncryption).toBe('AES256');
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual(big);
    const fake = await FakeSageMaker.start();
    try {
      await pollOnce(clients.sqs, f.queueUrl, 10, (e) => processBatch(e, lambdaContext(10_000), workerConfig(f), {
        ...clients, backend: new SageMakerBackend(fake.client(), 'ep'), now: Date.now, random: Math.random, log: () => undefined,
      }));
      expect(fake.calls).toHaveLength(1);
      expect(JSON.parse(fake.calls[0].body)).toEqual(big);
    } finally {
      await fake.stop();
    }
  });

  test('over budget: 429 with Retry-After (estimated drain time); the depth is read once per cache TTL', async () => {
    const f = await fixture();
    const { sqs, reads: depthReads } = countingDepthReads();
    const { ddb, writes: ledgerWrites } = countingLedgerWrites();
    const cfg = { depthBudget: 5, drainRatePerSecond: 0.75, environments: 1, depthCacheTtlMs: 60_000, resumeFraction: 0.5 };
    const lines: string[] = [];
    const post = setup(f, cfg, deps({ sqs, ddb, log: (l) => lines.push(l) }));
    // Five at once on a fresh environment: one depth reading, shared.
    const first = await Promise.all(Array.from({ length: 5 }, () => post(postJobs(ok))));
    expect([first.map((r) => r.statusCode), depthReads(), ledgerWrites()]).toEqual([[202, 202, 202, 202, 202], 1, 5]);
    const readsAtBudget = depthReads();
    const rejected = await Promise.all(Array.from({ length: 20 }, () => post(postJobs(ok))));
    for (const r of rejected) {
      expect(r.statusCode).toBe(429);
      // Backlog bound max(5 read, 5 budget) + 0 other environments = 5; down to half the budget:
      // (5 - 2.5) / 0.75 per second = 3.33 s -> 4 s.
      expect(r.headers['Retry-After']).toBe('4');
      expect(JSON.parse(r.body)).toMatchObject({ error: 'BacklogFull', retryAfterSeconds: 4 });
    }
    expect(depthReads() - readsAtBudget).toBeLessThanOrEqual(1);
    // The environment knows the cap is reached: no ledger write for a rejected request.
    expect(ledgerWrites()).toBe(5);
    // Each decision is an Embedded Metric Format line: the 429-share alarm's data.
    const emf = lines.map((l) => JSON.parse(l)).filter((l) => l._aws);
    expect(emf.filter((l) => l.JobsAdmitted === 1)).toHaveLength(5);
    expect(emf.filter((l) => l.JobsRejected === 1)).toHaveLength(20);
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'KerasInferenceGuard/Queue', Dimensions: [['QueueName']] });
    expect(emf[0].QueueName).toBe(f.queueName);
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(5);
  });

  test('at the cap, one early re-read per cache TTL: jobs that left since the reading make room before it expires', async () => {
    const f = await fixture();
    let t = 1_000_000;
    const { sqs, reads: depthReads } = countingDepthReads();
    const post = setup(f, { depthBudget: 2, environments: 1, depthCacheTtlMs: 60_000 }, deps({ sqs, now: () => t }));
    const status = async () => (await post(postJobs(ok))).statusCode;
    const drain = async () => {
      const got = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 10 }));
      for (const m of got.Messages ?? []) await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
    };
    // Reading 1: 0 admitted, depth 0 -> the ledger may count up to 0 + 2 - 0 = 2.
    expect([await status(), await status(), depthReads()]).toEqual([202, 202, 1]);
    await drain();
    // At the cap, the early re-read: 2 admitted, depth 0 -> up to 4.
    expect([await status(), await status(), depthReads()]).toEqual([202, 202, 2]);
    await drain();
    // No second early re-read within the TTL, though the queue is empty again.
    expect([await status(), depthReads()]).toEqual([429, 2]);
    t += 59_999;
    expect([await status(), depthReads()]).toEqual([429, 2]);
    // 60 s after the last reading it expires: 4 admitted, depth 0 -> up to 6.
    t += 1;
    expect([await status(), await status(), depthReads()]).toEqual([202, 202, 3]);
    await drain();
    // ... and at the cap one early re-read is allowed again.
    expect([await status(), depthReads()]).toEqual([202, 4]);
  });

  test('another environment took the rest of the budget: one refused ledger write, then 429 without writing', async () => {
    const f = await fixture();
    const config = admissionConfig(f, { depthBudget: 2, environments: 2, depthCacheTtlMs: 60_000 });
    const a = countingLedgerWrites();
    const b = countingLedgerWrites();
    const gaugeA = new DepthGauge(config, clients.sqs, Date.now);
    const gaugeB = new DepthGauge(config, clients.sqs, Date.now);
    const postA = () => admit(postJobs(ok), config, deps({ ddb: a.ddb }), gaugeA);
    const postB = () => admit(postJobs(ok), config, deps({ ddb: b.ddb }), gaugeB);
    // B reads first (0 admitted, depth 0: up to 2) and takes one; A then reads 1 admitted, depth 0
    // (up to 3) and admits two jobs.
    expect((await gaugeB.reserve(b.ddb)).admitted).toBe(true);
    expect([(await postA()).statusCode, (await postA()).statusCode]).toEqual([202, 202]);
    // B's reading still allows one more: its conditional write is refused (the ledger is at 2).
    expect([(await postB()).statusCode, b.writes()]).toEqual([429, 2]);
    // Now B knows its cap is reached: it reads once more (3 admitted, depth 2: up to 3) and refuses without a write.
    expect([(await postB()).statusCode, b.writes()]).toEqual([429, 2]);
  });

  test('the depth counts visible, in-flight and delayed messages; Retry-After adds the other environments to the backlog', async () => {
    const f = await fixture();
    // From another producer: one visible, one received and not deleted (in flight), one delayed.
    for (const body of ['visible', 'in flight']) await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: body }));
    await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: 'delayed', DelaySeconds: 300 }));
    const post = setup(f, { depthBudget: 4, environments: 3, drainRatePerSecond: 0.75, depthCacheTtlMs: 60_000 });
    // Budget 4 - depth 3 = room for one job.
    expect((await post(postJobs(ok))).statusCode).toBe(202);
    const rejected = await post(postJobs(ok));
    expect(rejected.statusCode).toBe(429);
    // Backlog bound max(4 read, 4 budget) + (3 - 1) other environments = 6; down to half the
    // budget: (6 - 2) / 0.75 per second = 5.33 s -> 6 s.
    expect(rejected.headers['Retry-After']).toBe('6');
  });

  test('concurrent submitters across environments: depth stays within budget + slack (one per environment)', async () => {
    const f = await fixture();
    const environments = 8;
    const depthBudget = 40;
    const config = admissionConfig(f, { depthBudget, environments, depthCacheTtlMs: 1_000, drainRatePerSecond: 2 });
    const d = deps();
    const gauges = Array.from({ length: environments }, () => new DepthGauge(config, d.sqs, d.now));
    const statuses: number[] = [];
    // Each environment serves one request at a time, as Lambda does; all environments run at once.
    await Promise.all(gauges.map(async (gauge) => {
      for (let i = 0; i < 30; i++) {
        const res = await admit(postJobs(ok), config, d, gauge);
        statuses.push(res.statusCode);
        if (res.statusCode === 429) expect(Number(res.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
      }
    }));
    const admitted = statuses.filter((s) => s === 202).length;
    expect(statuses.filter((s) => s !== 202 && s !== 429)).toEqual([]);
    const depth = (await counts(clients.sqs, f.queueUrl)).total;
    expect(depth).toBe(admitted);
    expect(depth).toBeGreaterThanOrEqual(depthBudget);
    expect(depth).toBeLessThanOrEqual(depthBudget + environments);
  });

  test('SQS unavailable: 503 with Retry-After, no job recorded', async () => {
    const f = await fixture();
    const res = await setup(f, { queueUrl: `${moto.endpoint}/123456789012/missing-queue` })(postJobs(ok));
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('2');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'DependencyUnavailable', message: 'SQS is unavailable; retry later.' });
    // The depth could not be read, so no slot was taken: the ledger was never incremented.
    const ledger = await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: { S: ADMISSION_LEDGER_KEY } }, ConsistentRead: true }));
    expect(ledger.Item).toBeUndefined();
  });

  test('DynamoDB unavailable: 503, nothing enqueued', async () => {
    const f = await fixture();
    const post = setup(f, { tableName: 'missing-table' });
    const res = await post(postJobs(ok, { 'Idempotency-Key': 'k1' }));
    expect(res.statusCode).toBe(503);
    // Without a key the first call is the ledger read: it names DynamoDB too.
    const noKey = await post(postJobs(ok));
    expect([noKey.statusCode, JSON.parse(noKey.body).message]).toEqual([503, 'DynamoDB is unavailable; retry later.']);
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
  });

  test('a ledger write that fails for another reason than its condition is a 503, not a full queue', async () => {
    const f = await fixture();
    // A counter of the wrong type: the reading counts it as 0, and ADD refuses it (ValidationException).
    await clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: { jobId: { S: ADMISSION_LEDGER_KEY }, admitted: { S: 'corrupt' } } }));
    const res = await setup(f)(postJobs(ok));
    expect([res.statusCode, JSON.parse(res.body).message]).toEqual([503, 'DynamoDB is unavailable; retry later.']);
    expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
  });

  test('the ledger counter is read with a strongly consistent read (an eventually consistent one may miss increments)', async () => {
    const f = await fixture();
    const reads: unknown[] = [];
    const ddb = new DynamoDBClient({ endpoint: moto.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    ddb.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'GetItemCommand') reads.push((args.input as { ConsistentRead?: boolean }).ConsistentRead);
      return next(args);
    }, { step: 'initialize' });
    expect((await setup(f, {}, deps({ ddb }))(postJobs(ok))).statusCode).toBe(202);
    expect(reads).toEqual([true]);
  });
});
