import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { admit, AdmissionConfig, DepthGauge } from '../../handlers/admission/core';
import { ADMISSION_LEDGER_KEY, HELD, releaseJob } from '../../handlers/shared/ledger';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { HttpBackend } from '../../handlers/worker/backends';
import { processBatch } from '../../handlers/worker/core';
import { costlyModelServer } from '../../bench/fairness-patterns';
import { motoPerTestFile } from '../support/moto';
import { admissionConfig, createFixture, drainQueue, lambdaContext, QueueFixture, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';

const peer = motoPerTestFile();

const validate = compileRequestSchema(TEST_SIGNATURE.toJsonSchema());
const deps = () => ({ ...peer.clients, validate, now: Date.now, log: () => undefined });
const one = { instances: [[1, 2, 3]] };
const four = { instances: [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]] };

async function ledger(f: QueueFixture): Promise<Record<string, number>> {
  const item = (await peer.clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: { S: ADMISSION_LEDGER_KEY } }, ConsistentRead: true }))).Item ?? {};
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v.N !== undefined).map(([k, v]) => [k, Number(v.N)]));
}

describe('cost ledger (local SQS + DynamoDB)', () => {
  test('a job dearer than one worker call serves is a 413 that names the limit; nothing is charged', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config = admissionConfig(f, { maxJobCostUnits: 3 });
    const res = await admit(postJobs(four), config, deps(), new DepthGauge(config, peer.clients.sqs, Date.now));
    expect(res.statusCode).toBe(413);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ error: 'JobTooCostly' });
    expect(body.message).toContain('costs 4 cost units (12 elements)');
    expect(body.message).toContain('maxJobCostUnits = 3');
    expect(await ledger(f)).toEqual({});
  });

  test('key, tier and queue limits each answer 429 with their own code and Retry-After; other keys and tiers still get in', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config: AdmissionConfig = admissionConfig(f, {
      costBudgetUnits: 20, drainUnitsPerSecond: 2,
      tiers: [{ name: 'basic', budgetUnits: 10, keyBudgetUnits: 8 }, { name: 'premium', budgetUnits: 20, keyBudgetUnits: 20 }],
      keyTiers: { 'gold-key': 'premium' },
    });
    const gauge = new DepthGauge(config, peer.clients.sqs, Date.now);
    const send = async (body: unknown, key: string) => admit(postJobs(body, {}, key), config, deps(), gauge);
    expect((await send(four, 'a')).statusCode).toBe(202);
    expect((await send(four, 'a')).statusCode).toBe(202);
    const key = await send(one, 'a');
    expect(key.statusCode).toBe(429);
    expect(JSON.parse(key.body)).toMatchObject({ error: 'KeyShareFull' });
    expect(JSON.parse(key.body).message).toContain('8 cost units, tier basic');
    // The key's jobs may sit behind the whole backlog: ceil(8 units / 2 units/s) = 4 s.
    expect(key.headers['Retry-After']).toBe('4');
    expect((await send(one, 'b')).statusCode).toBe(202);
    expect((await send(one, 'b')).statusCode).toBe(202);
    const tier = await send(one, 'c');
    expect(JSON.parse(tier.body)).toMatchObject({ error: 'TierShareFull' });
    expect(tier.headers['Retry-After']).toBe('5');
    // Premium still has room: its tier is not the basic one.
    expect((await send(four, 'gold-key')).statusCode).toBe(202);
    expect((await send(four, 'gold-key')).statusCode).toBe(202);
    const queue = await send(four, 'gold-key');
    expect(JSON.parse(queue.body)).toMatchObject({ error: 'BacklogFull' });
    // 18 units held, resume at 10: ceil(8 / 2) = 4 s.
    expect(queue.headers['Retry-After']).toBe('4');
    const l = await ledger(f);
    expect(l[HELD]).toBe(18);
    expect(l.t_basic).toBe(10);
    expect(l.t_premium).toBe(8);
  });

  test('a job that would fill its key and its tier exactly is refused by the queue budget, not by them', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config: AdmissionConfig = admissionConfig(f, {
      costBudgetUnits: 6, drainUnitsPerSecond: 2,
      tiers: [{ name: 'basic', budgetUnits: 4, keyBudgetUnits: 4 }, { name: 'premium', budgetUnits: 20, keyBudgetUnits: 20 }],
      keyTiers: { 'gold-key': 'premium' },
    });
    const gauge = new DepthGauge(config, peer.clients.sqs, Date.now);
    const send = async (body: unknown, key: string) => admit(postJobs(body, {}, key), config, deps(), gauge);
    expect((await send(four, 'gold-key')).statusCode).toBe(202);
    // Key a: 0 + 4 = 4 units, its whole share and the basic tier's (both allowed to reach 4); the
    // queue: 4 + 4 = 8 > 6. Back at half the budget: ceil((4 - 0.5 x 6) / 2 units/s) = ceil(0.5) = 1 s.
    const refused = await send(four, 'a');
    expect([refused.statusCode, JSON.parse(refused.body).error, refused.headers['Retry-After']]).toEqual([429, 'BacklogFull', '1']);
  });

  test('a write refused by the job cap (another environment took the slot) is the depth bound\'s 429, even with the units exactly at their budget', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config: AdmissionConfig = admissionConfig(f, {
      depthBudget: 2, environments: 2, drainRatePerSecond: 0.5, depthCacheTtlMs: 60_000,
      costBudgetUnits: 9, drainUnitsPerSecond: 2, tiers: [{ name: 'default', budgetUnits: 9, keyBudgetUnits: 9 }],
    });
    const [a, b] = [new DepthGauge(config, peer.clients.sqs, Date.now), new DepthGauge(config, peer.clients.sqs, Date.now)];
    const send = (gauge: DepthGauge, body: unknown, key: string) => admit(postJobs(body, {}, key), config, deps(), gauge);
    // B reads 0 admitted, depth 0 (room for 2) and admits 1 unit; A reads 1 admitted, depth 1 (room for 2 in all) and admits 4.
    expect([(await send(b, one, 'b')).statusCode, (await send(a, four, 'a')).statusCode]).toEqual([202, 202]);
    // B's reading still has room: its write is refused by the job count (2 of 2), its units would be
    // 5 + 4 = 9, exactly the budget. The refusal is the depth bound's: backlog max(0 read, 2) + 1 other
    // environment = 3, down to half the budget at 0.5 jobs/s: (3 - 1) / 0.5 = 4 s.
    const refused = await send(b, four, 'b');
    expect([refused.statusCode, JSON.parse(refused.body).error, refused.headers['Retry-After']]).toEqual([429, 'BacklogFull', '4']);
  });

  test('the worker gives a finished job\'s units back once, and a key at zero leaves the ledger', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config = admissionConfig(f);
    const model = await costlyModelServer(0);
    try {
      const gauge = new DepthGauge(config, peer.clients.sqs, Date.now);
      const lines: string[] = [];
      for (const [body, key] of [[four, 'a'], [one, 'a'], [one, 'b']] as const) {
        expect((await admit(postJobs(body, {}, key), config, { ...deps(), log: (l: string) => lines.push(l) }, gauge)).statusCode).toBe(202);
      }
      // Each admission reports its tier's units held after it (the dashboard's metric): 4, 4 + 1, 5 + 1.
      expect(lines.map((l) => JSON.parse(l)).filter((l) => l.TierCostUnitsHeld !== undefined).map((l) => [l.Tier, l.TierCostUnitsHeld])).toEqual([['default', 4], ['default', 5], ['default', 6]]);
      const before = await ledger(f);
      expect(before[HELD]).toBe(6);
      expect(Object.keys(before).filter((k) => k.startsWith('k_')).map((k) => before[k]).sort()).toEqual([1, 5]);
      const wconfig = workerConfig(f);
      const wdeps = { ...peer.clients, backend: new HttpBackend(model.url), now: Date.now, random: Math.random, log: () => undefined };
      await drainQueue(peer.clients.sqs, f.queueUrl, 10, 1, (event) => processBatch(event, lambdaContext(30_000), wconfig, wdeps));
      const after = await ledger(f);
      expect(after[HELD]).toBe(0);
      expect(after.t_default).toBe(0);
      expect(Object.keys(after).filter((k) => k.startsWith('k_'))).toEqual([]);
      // A second delivery of a finished job gives nothing back twice.
      const job = (await peer.clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: { S: ADMISSION_LEDGER_KEY } } }))).Item;
      expect(job?.admitted?.N).toBe('3');
    } finally {
      await model.stop();
    }
  });
  test('releases at once: each job\'s units go back exactly once, and the key leaves the ledger when the last one does', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config = admissionConfig(f);
    const gauge = new DepthGauge(config, peer.clients.sqs, Date.now);
    const jobs: string[] = [];
    for (const [body, key] of [[four, 'a'], [one, 'a'], [one, 'a'], [four, 'b']] as const) {
      const res = await admit(postJobs(body, {}, key), config, deps(), gauge);
      expect(res.statusCode).toBe(202);
      jobs.push((JSON.parse(res.body) as { jobId: string }).jobId);
    }
    expect((await ledger(f))[HELD]).toBe(10);
    // Every job given back by two callers at once (a duplicate delivery and the reconciler, say).
    const callers = [...jobs, ...jobs];
    const given = await Promise.all(callers.map((id) => releaseJob(peer.clients.ddb, f.tableName, id)));
    for (const id of jobs) expect(given.filter((g, i) => g && callers[i] === id)).toHaveLength(1);
    const after = await ledger(f);
    expect(after[HELD]).toBe(0);
    expect(after.t_default).toBe(0);
    expect(Object.keys(after).filter((k) => k.startsWith('k_'))).toEqual([]);
    // Nothing is left to give back.
    expect(await releaseJob(peer.clients.ddb, f.tableName, jobs[0])).toBe(false);
  });
  test('without a consumer that gives units back (costLedger false), admission holds none: the depth bound alone applies, and 413 still does', async () => {
    const f = await createFixture(peer.clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    const config: AdmissionConfig = admissionConfig(f, {
      costLedger: false, costBudgetUnits: 20, drainUnitsPerSecond: 2, maxJobCostUnits: 4, tiers: [{ name: 'basic', budgetUnits: 10, keyBudgetUnits: 8 }],
    });
    const gauge = new DepthGauge(config, peer.clients.sqs, Date.now);
    const send = async (body: unknown, key: string) => admit(postJobs(body, {}, key), config, deps(), gauge);
    // With the ledger the third job of key a would be refused (8 units held): here all are admitted.
    for (let i = 0; i < 3; i++) expect((await send(four, 'a')).statusCode).toBe(202);
    const l = await ledger(f);
    expect(l.admitted).toBe(3);
    expect(Object.keys(l).filter((k) => k === HELD || k.startsWith('t_') || k.startsWith('k_'))).toEqual([]);
    const jobs = (await peer.clients.ddb.send(new ScanCommand({ TableName: f.tableName }))).Items!.filter((i) => i.jobId.S !== ADMISSION_LEDGER_KEY);
    expect(jobs.map((j) => j.costHeld)).toEqual([undefined, undefined, undefined]);
    const strict = { ...config, maxJobCostUnits: 3 };
    expect((await admit(postJobs(four, {}, 'b'), strict, deps(), new DepthGauge(strict, peer.clients.sqs, Date.now))).statusCode).toBe(413);
  });
});
