import { randomUUID } from 'crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { admit, DepthGauge } from '../../handlers/admission/core';
import { LEDGER_QUIET_MS, reconcile, ReconcilerDeps } from '../../handlers/reconciler/core';
import { fromItem, N, S } from '../../handlers/shared/dynamo';
import { ADMISSION_LEDGER_KEY, HELD, release } from '../../handlers/shared/ledger';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { ModelBackend } from '../../handlers/worker/backends';
import { processBatch } from '../../handlers/worker/core';
import { motoPerTestFile } from '../support/moto';
import { admissionConfig, counts, createFixture, drainQueue, lambdaContext, lambdaInvocation, pollOnce, QueueFixture, reconcilerConfig, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';
import { METRIC_CATALOG } from '../../lib/alarms/metric-catalog';

const peer = motoPerTestFile();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reconcilerDeps(log: string[] = [], ddb: DynamoDBClient = peer.clients.ddb, now: () => number = Date.now): ReconcilerDeps {
  return { ddb, sqs: peer.clients.sqs, now, log: (l) => log.push(l) };
}

async function record(f: QueueFixture, jobId: string) {
  const item = (await peer.clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }))).Item;
  return item ? { ...fromItem(item)!, costHeld: item.costHeld?.BOOL } : undefined;
}

async function ledger(f: QueueFixture): Promise<Record<string, number>> {
  const item = (await peer.clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(ADMISSION_LEDGER_KEY) }, ConsistentRead: true }))).Item ?? {};
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v.N !== undefined).map(([k, v]) => [k, Number(v.N)]));
}

async function deadLetter(f: QueueFixture, body: string): Promise<void> {
  await peer.clients.sqs.send(new SendMessageCommand({ QueueUrl: f.dlqUrl, MessageBody: body }));
}

const jobBody = (jobId: string) => JSON.stringify({ v: 1, jobId, contentType: 'application/json', body: '{"instances":[[1,2,3]]}' });

describe('dead-letter reconciler (local SQS + DynamoDB)', () => {
  test('a worker that crashes on every delivery: SQS dead-letters the job and its units lock everyone out until the reconciler settles it; a redrive still runs it', async () => {
    // One poller, one invocation at a time: a delivery only comes after the last invocation ended, as
    // with the deployed visibility timeout of 6 x the worker's timeout. Here 1 s and 1 s: the model
    // call's deadline (0.4 s) leaves the worker 0.8 s of a busy machine's delay before it would give
    // the message back unclaimed.
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    // A budget of one job: while the dead-lettered job holds its two units, nobody else gets in.
    const aConfig = admissionConfig(f, { costBudgetUnits: 2 });
    const aDeps = { ...peer.clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
    const admitted = await admit(postJobs({ instances: [[1, 2, 3], [4, 5, 6]] }), aConfig, aDeps, new DepthGauge(aConfig, peer.clients.sqs, Date.now));
    expect(admitted.statusCode).toBe(202);
    const jobId = JSON.parse(admitted.body).jobId as string;
    expect((await ledger(f))[HELD]).toBe(2);

    // The model never answers and the runtime is stopped at the function timeout: the job is
    // claimed (RUNNING, leased until the deadline) and no outcome is ever written.
    const hung: ModelBackend = { invoke: () => new Promise(() => undefined) };
    const cfg = workerConfig(f, { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, perCallDeadlineMs: 400, safetyMarginMs: 0 });
    const wDeps = { ...peer.clients, backend: hung, now: Date.now, random: () => 0, log: () => undefined };
    const crashAtTimeout = (timeoutMs: number) => (event: Parameters<typeof processBatch>[0]) => lambdaInvocation(timeoutMs, wDeps, (context, deps) => Promise.race([
      processBatch(event, context, cfg, deps),
      sleep(timeoutMs).then(() => {
        throw new Error(`Task timed out after ${timeoutMs / 1000} seconds`);
      }),
    ]));
    let receives = 0;
    for (let i = 0; i < 20 && (await counts(peer.clients.sqs, f.dlqUrl)).total === 0; i++) {
      receives += await pollOnce(peer.clients.sqs, f.queueUrl, 1, crashAtTimeout(1_000));
      await sleep(1_100);
    }
    expect(receives).toBe(2);
    const stuck = await record(f, jobId);
    expect(stuck).toMatchObject({ status: 'RUNNING', attempts: 2, costHeld: true });
    expect(stuck!.leaseUntil).toBeLessThan(Date.now());
    // Without the reconciler, the two units stay held until the record expires, and admission
    // refuses everyone: the queue is empty, its budget is not.
    expect((await ledger(f))[HELD]).toBe(2);
    const gauge = new DepthGauge(aConfig, peer.clients.sqs, Date.now);
    const refused = await admit(postJobs({ instances: [[7, 8, 9]] }, {}, 'key-2'), aConfig, aDeps, gauge);
    expect([refused.statusCode, JSON.parse(refused.body).error]).toEqual([429, 'BacklogFull']);

    const log: string[] = [];
    const report = await reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps(log));
    expect(report).toEqual({ read: 1, settled: 1, released: 1, alreadySettled: 0, leased: 0, noRecord: 0, poison: 0, truncated: false, ledger: 'balanced' });
    const settled = await record(f, jobId);
    expect(settled).toMatchObject({ status: 'DEAD_LETTERED', costHeld: undefined, leaseOwner: undefined, leaseUntil: undefined });
    expect(JSON.parse(settled!.error!)).toMatchObject({ code: 'DeadLettered' });
    expect(await ledger(f)).toMatchObject({ [HELD]: 0 });
    expect(JSON.parse(log[0])).toMatchObject({ level: 'warn', msg: 'dead letters reconciled', settled: 1, released: 1 });
    // The message stays in the dead-letter queue, visible to an operator at once.
    expect(await counts(peer.clients.sqs, f.dlqUrl)).toEqual({ visible: 1, inFlight: 0, total: 1 });
    // And the next client gets in again.
    const next = await admit(postJobs({ instances: [[7, 8, 9]] }, {}, 'key-2'), aConfig, aDeps, gauge);
    expect(next.statusCode).toBe(202);
    const nextJob = JSON.parse(next.body).jobId as string;

    // A redrive (the message moved back to the job queue): the worker claims the DEAD_LETTERED job
    // and finishes it; its units, given back once already, are not given back again.
    const [dead] = (await peer.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.dlqUrl, MaxNumberOfMessages: 1 }))).Messages!;
    await peer.clients.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: dead.Body! }));
    await peer.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.dlqUrl, ReceiptHandle: dead.ReceiptHandle! }));
    const answering: ModelBackend = { invoke: async () => ({ body: new TextEncoder().encode('{"predictions":[1]}'), contentType: 'application/json' }) };
    await drainQueue(peer.clients.sqs, f.queueUrl, 10, 1, (event) => processBatch(event, lambdaContext(5_000), cfg, { ...wDeps, backend: answering }));
    expect(await record(f, jobId)).toMatchObject({ status: 'SUCCEEDED', result: '{"predictions":[1]}' });
    expect(await record(f, nextJob)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await ledger(f)).toMatchObject({ [HELD]: 0 });
  }, 60_000);

  test('each state gets what it needs: queued and expired leases are settled, a live lease and finished jobs are not overwritten, units come back once', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const now = Date.now();
    const held = { costUnits: N(2), costTier: S('t_default'), costKey: S('k_a'), costHeld: { BOOL: true } };
    const jobs = {
      queued: randomUUID(), live: randomUUID(), expired: randomUUID(), finishedHolding: randomUUID(), settledBefore: randomUUID(), noRecord: randomUUID(),
    };
    const put = (jobId: string, fields: Record<string, unknown>) => peer.clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: { jobId: S(jobId), createdAt: N(now), updatedAt: N(now - 1_000), ...fields } as never }));
    await put(jobs.queued, { status: S('QUEUED'), ...held });
    await put(jobs.live, { status: S('RUNNING'), leaseOwner: S('req/msg'), leaseUntil: N(now + 60_000), ...held });
    await put(jobs.expired, { status: S('RUNNING'), leaseOwner: S('req/msg'), leaseUntil: N(now - 1), ...held });
    await put(jobs.finishedHolding, { status: S('SUCCEEDED'), result: S('{"ok":1}'), ...held });
    await put(jobs.settledBefore, { status: S('DEAD_LETTERED'), error: S('{"code":"ServiceUnavailable"}') });
    // The ledger holds the units of the four jobs that still hold theirs.
    await peer.clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: { jobId: S(ADMISSION_LEDGER_KEY), [HELD]: N(8), t_default: N(8), k_a: N(8) } }));
    for (const id of Object.values(jobs)) await deadLetter(f, jobBody(id));
    await deadLetter(f, 'not a job message');

    const first = await reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps());
    expect(first).toEqual({ read: 7, settled: 2, released: 3, alreadySettled: 2, leased: 1, noRecord: 1, poison: 1, truncated: false, ledger: 'skipped' });
    expect(await record(f, jobs.queued)).toMatchObject({ status: 'DEAD_LETTERED', costHeld: undefined });
    expect(await record(f, jobs.expired)).toMatchObject({ status: 'DEAD_LETTERED', costHeld: undefined, leaseOwner: undefined });
    // A live worker's job: untouched, its units still held.
    expect(await record(f, jobs.live)).toMatchObject({ status: 'RUNNING', leaseOwner: 'req/msg', costHeld: true, updatedAt: now - 1_000 });
    // A finished job keeps its outcome; only its units come back.
    expect(await record(f, jobs.finishedHolding)).toMatchObject({ status: 'SUCCEEDED', result: '{"ok":1}', costHeld: undefined, updatedAt: now - 1_000 });
    // Settled before: not written again (its error and time stay).
    expect(await record(f, jobs.settledBefore)).toMatchObject({ status: 'DEAD_LETTERED', error: '{"code":"ServiceUnavailable"}', updatedAt: now - 1_000 });
    // The direct integration writes no record: none is made up.
    expect(await record(f, jobs.noRecord)).toBeUndefined();
    expect(await ledger(f)).toMatchObject({ [HELD]: 2, t_default: 2, k_a: 2 });

    // A second run finds the same seven dead letters and changes nothing.
    const second = await reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps());
    expect(second).toEqual({ read: 7, settled: 0, released: 0, alreadySettled: 4, leased: 1, noRecord: 1, poison: 1, truncated: false, ledger: 'skipped' });
    expect(await ledger(f)).toMatchObject({ [HELD]: 2, t_default: 2, k_a: 2 });
    expect(await counts(peer.clients.sqs, f.dlqUrl)).toEqual({ visible: 7, inFlight: 0, total: 7 });
  }, 60_000);

  test('more dead letters than one receive returns, and more than one run reads: the rest are read by the next run', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const ids = Array.from({ length: 25 }, () => randomUUID());
    for (const id of ids) {
      await peer.clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: { jobId: S(id), status: S('QUEUED'), costUnits: N(1), costTier: S('t_default'), costKey: S('k_a'), costHeld: { BOOL: true } } }));
    }
    await peer.clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: { jobId: S(ADMISSION_LEDGER_KEY), [HELD]: N(25), t_default: N(25), k_a: N(25) } }));
    for (const id of ids) await deadLetter(f, jobBody(id));

    const bounded = await reconcile(lambdaContext(60_000), reconcilerConfig(f, { maxMessagesPerRun: 12 }), reconcilerDeps());
    expect(bounded).toMatchObject({ read: 12, settled: 12, released: 12, truncated: true });
    expect(await ledger(f)).toMatchObject({ [HELD]: 13 });
    // What it read is visible again at once.
    expect(await counts(peer.clients.sqs, f.dlqUrl)).toEqual({ visible: 25, inFlight: 0, total: 25 });

    const rest = await reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps());
    expect(rest).toMatchObject({ read: 25, settled: 13, released: 13, alreadySettled: 12, truncated: false });
    expect(await ledger(f)).toMatchObject({ [HELD]: 0, t_default: 0 });
    for (const id of ids) expect((await record(f, id))!.status).toBe('DEAD_LETTERED');
  }, 60_000);

  test('a job-table failure fails the run (its Errors alarm) and still makes every dead letter it read visible again', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    for (let i = 0; i < 3; i++) await deadLetter(f, jobBody(randomUUID()));
    let calls = 0;
    const failing = new Proxy(peer.clients.ddb, {
      get: (t, p, r) => (p === 'send'
        ? (...args: Parameters<DynamoDBClient['send']>) => (++calls === 2 ? Promise.reject(Object.assign(new Error('Internal server error'), { name: 'InternalServerError' })) : t.send(...args))
        : Reflect.get(t, p, r)),
    });
    await expect(reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps([], failing))).rejects.toThrow('Internal server error');
    expect(await counts(peer.clients.sqs, f.dlqUrl)).toEqual({ visible: 3, inFlight: 0, total: 3 });
  }, 60_000);
});

describe('admission ledger audit', () => {
  const validate = compileRequestSchema(TEST_SIGNATURE.toJsonSchema());
  const body = { instances: [[1, 2, 3], [4, 5, 6]] };
  /** Admits one job of `key`: its status code. */
  async function admitOne(f: QueueFixture, key: string): Promise<number> {
    const config = admissionConfig(f);
    return (await admit(postJobs(body, {}, key), config, { ...peer.clients, validate, now: Date.now, log: () => undefined }, new DepthGauge(config, peer.clients.sqs, Date.now))).statusCode;
  }
  /** Admits a job, then deletes its message as a worker stopped before giving its units back would leave it: its units stay held. */
  async function leakOne(f: QueueFixture, key: string): Promise<void> {
    expect(await admitOne(f, key)).toBe(202);
    const m = (await peer.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }))).Messages![0];
    await peer.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  const at = (t: number) => reconcilerDeps([], peer.clients.ddb, () => t);

  test('units held while the queue stays empty and nothing is admitted for LEDGER_QUIET_MS are set to zero, once', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    await leakOne(f, 'a');
    await leakOne(f, 'b');
    const held = await ledger(f);
    expect(held[HELD]).toBeGreaterThan(0);
    const t0 = Date.now();
    // The first run sees the queue quiet and records the admission count; a run before the quiet
    // period is over changes nothing.
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0))).ledger).toBe('watching');
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0 + LEDGER_QUIET_MS - 1))).ledger).toBe('watching');
    expect(await ledger(f)).toMatchObject({ [HELD]: held[HELD] });
    const log: string[] = [];
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps(log, peer.clients.ddb, () => t0 + LEDGER_QUIET_MS))).ledger).toBe('repaired');
    const after = await ledger(f);
    expect(after[HELD]).toBe(0);
    expect(after.t_default).toBe(0);
    expect(Object.keys(after).filter((k) => k.startsWith('k_'))).toEqual([]);
    expect(JSON.parse(log.find((l) => l.includes('repaired'))!).leaked).toMatchObject({ [HELD]: held[HELD] });
    // The repaired units as an Embedded Metric Format line, the metric the queue's LedgerRepaired alarm reads.
    const metrics = log.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws?: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } }).filter((l) => l._aws);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]._aws!.CloudWatchMetrics).toEqual([{ Namespace: METRIC_CATALOG.ledgerUnitsRepaired.namespace, Dimensions: [[...METRIC_CATALOG.ledgerUnitsRepaired.dimensions]], Metrics: [{ Name: METRIC_CATALOG.ledgerUnitsRepaired.metricName, Unit: 'Count' }] }]);
    expect(metrics[0]).toMatchObject({ QueueName: f.queueName, [METRIC_CATALOG.ledgerUnitsRepaired.metricName]: held[HELD] });
    const quiet: string[] = [];
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), reconcilerDeps(quiet, peer.clients.ddb, () => t0 + 2 * LEDGER_QUIET_MS))).ledger).toBe('balanced');
    // No data point without a repair.
    expect(quiet.filter((l) => l.includes('_aws'))).toEqual([]);
    // A leaked job's record that is released after the repair gives nothing back: no counter goes below zero.
    await release(peer.clients.ddb, f.tableName, { units: held[HELD], tierAttribute: 't_default', keyAttribute: Object.keys(held).find((k) => k.startsWith('k_'))! });
    expect((await ledger(f))[HELD]).toBe(0);
  });

  test('an admission in between, or a job in the queue, keeps the units: they may be held rightly', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    await leakOne(f, 'a');
    const t0 = Date.now();
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0))).ledger).toBe('watching');
    // Another job is admitted (and, here, leaked too): the admission count moved, the watch starts over.
    await leakOne(f, 'b');
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0 + LEDGER_QUIET_MS))).ledger).toBe('watching');
    // A job waits in the queue: nothing is repaired however long it has been.
    expect(await admitOne(f, 'c')).toBe(202);
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0 + 3 * LEDGER_QUIET_MS))).ledger).toBe('busy');
    const held = await ledger(f);
    expect(Object.keys(held).filter((k) => k.startsWith('k_'))).toHaveLength(3);
  });

  test('a ledger with more keys than one repair write names is repaired in several writes', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const keys = Object.fromEntries(Array.from({ length: 150 }, (_v, i) => [`k_leak${i}`, N(1)]));
    await peer.clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: { jobId: S(ADMISSION_LEDGER_KEY), admitted: N(150), [HELD]: N(150), t_default: N(150), ...keys } }));
    const t0 = Date.now();
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0))).ledger).toBe('watching');
    expect((await reconcile(lambdaContext(60_000), reconcilerConfig(f), at(t0 + LEDGER_QUIET_MS))).ledger).toBe('repaired');
    const item = (await peer.clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(ADMISSION_LEDGER_KEY) }, ConsistentRead: true }))).Item!;
    expect(Object.keys(item).sort()).toEqual(['admitted', HELD, 'jobId', 't_default'].sort());
    expect([item[HELD].N, item.t_default.N, item.admitted.N]).toEqual(['0', '0', '150']);
  });
});
