import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { admit, DepthGauge } from '../../handlers/admission/core';
import { fromItem, S } from '../../handlers/shared/dynamo';
import { parseJobMessage } from '../../handlers/shared/job';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { SageMakerBackend } from '../../handlers/worker/backends';
import { processBatch } from '../../handlers/worker/core';
import { FakeSageMaker, SAGEMAKER_ERRORS } from '../support/fake-sagemaker';
import { localClients, MotoServer, startMoto } from '../support/moto';
import { admissionConfig, counts, createFixture, drainQueue, lambdaContext, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';

let moto: MotoServer;
let fake: FakeSageMaker;

beforeAll(async () => {
  [moto, fake] = await Promise.all([startMoto(), FakeSageMaker.start()]);
});
afterAll(async () => {
  await Promise.all([moto?.stop(), fake?.stop()]);
});

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

test('nothing lost: 500 jobs with random faults each end exactly once, as a result or in the DLQ', async () => {
  const JOBS = 500;
  const maxReceiveCount = 3;
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 40, maxReceiveCount });
  const startedAt = Date.now();
  const rand = mulberry32(Number(process.env.KIG_FAULT_SEED ?? 20261125));

  // Admit every job through the admission core (budget large enough for all).
  const aCfg = admissionConfig(f, { depthBudget: 10_000, environments: 4 });
  const aDeps = { ...clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
  const gauge = new DepthGauge(aCfg, clients.sqs, Date.now);
  const jobIdByMarker = new Map<number, string>();
  for (let start = 0; start < JOBS; start += 25) {
    await Promise.all(Array.from({ length: 25 }, async (_v, k) => {
      const marker = start + k;
      const res = await admit(postJobs({ instances: [[marker, 0, 0]] }), aCfg, aDeps, gauge);
      expect(res.statusCode).toBe(202);
      jobIdByMarker.set(marker, JSON.parse(res.body).jobId);
    }));
  }

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

  // As deployed: the visibility timeout (40 s) is at least 6 x the worker timeout (2 s), so a
  // message is only redelivered after its worker finished or died. (The simulated invocation is
  // not killed at its timeout, so the margin is wider than 6 x to absorb a loaded machine.)
  const admittedAt = Date.now();
  const cfg = workerConfig(f, { maxReceiveCount, visibilityTimeoutSeconds: 40, perCallDeadlineMs: 300, backoffBaseSeconds: 1 });
  const wDeps = { ...clients, backend: new SageMakerBackend(fake.client(), 'ep'), now: Date.now, random: rand, log: () => undefined };
  let crashes = 0;
  await drainQueue(clients.sqs, f.queueUrl, 5, 6, async (event) => {
    // 3 % of invocations crash after the first message (the runtime dies mid-batch).
    if (event.Records.length > 1 && rand() < 0.03) {
      crashes++;
      await processBatch({ Records: event.Records.slice(0, 1) }, lambdaContext(2_000), cfg, wDeps);
      throw new Error('Runtime exited');
    }
    return processBatch(event, lambdaContext(2_000), cfg, wDeps);
  }, 240_000);

  const drainedAt = Date.now();
  // Collect the dead-letter queue.
  const dead = new Map<string, number>();
  for (;;) {
    const out = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    if (!out.Messages?.length) break;
    for (const m of out.Messages) {
      const id = parseJobMessage(m.Body!)!.jobId;
      dead.set(id, (dead.get(id) ?? 0) + 1);
    }
  }

  const successesByMarker = new Map<number, number>();
  for (const c of fake.calls) {
    if (c.status === 200 && !c.aborted) {
      const marker = (JSON.parse(c.body) as { instances: number[][] }).instances[0][0];
      successesByMarker.set(marker, (successesByMarker.get(marker) ?? 0) + 1);
    }
  }

  const tally: Record<string, number> = {};
  for (const [marker, jobId] of jobIdByMarker) {
    const rec = fromItem((await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }))).Item)!;
    tally[rec.status] = (tally[rec.status] ?? 0) + 1;
    if (rec.status === 'SUCCEEDED') {
      expect({ marker, results: successesByMarker.get(marker) ?? 0, dead: dead.get(jobId) ?? 0 }).toEqual({ marker, results: 1, dead: 0 });
      expect(JSON.parse(rec.result!)).toEqual({ marker });
    } else if (rec.status === 'FAILED') {
      expect({ marker, results: successesByMarker.get(marker) ?? 0, dead: dead.get(jobId) ?? 0 }).toEqual({ marker, results: 0, dead: 0 });
    } else {
      // In the DLQ exactly once. The record says DEAD_LETTERED when the worker saw the last
      // delivery fail; when the last receive never reached it (a crash took the batch), the record
      // keeps its earlier, non-final status. Either way a redrive can claim the job again.
      expect({ marker, final: false, results: successesByMarker.get(marker) ?? 0, dead: dead.get(jobId) ?? 0 })
        .toEqual({ marker, final: ['SUCCEEDED', 'FAILED'].includes(rec.status), results: 0, dead: 1 });
    }
  }
  for (const p of poison) expect(dead.get(jobIdByMarker.get(p)!)).toBe(1);
  expect((await counts(clients.sqs, f.queueUrl)).total).toBe(0);
  expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(JOBS);
  expect((tally.SUCCEEDED ?? 0) + (tally.FAILED ?? 0) + [...dead.values()].reduce((a, b) => a + b, 0)).toBe(JOBS);
  expect(crashes).toBeGreaterThan(0);
  // eslint-disable-next-line no-console
  console.log(`nothing-lost: ${JSON.stringify(tally)}, ${fake.calls.length} model calls, ${crashes} crashes, ${poison.size} poison jobs; admit ${admittedAt - startedAt} ms, drain ${drainedAt - admittedAt} ms`);
}, 300_000);
