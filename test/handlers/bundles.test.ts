import * as path from 'path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { fromItem, S } from '../../handlers/shared/dynamo';
import { HANDLER_ENV as ENV } from '../../lib/queue/handler-env';
import { stageAdmission } from '../../lib/queue/private/admission-code';
import { FakeSageMaker } from '../support/fake-sagemaker';
import { localClients, MotoServer, startMoto, TEST_CREDENTIALS, TEST_REGION } from '../support/moto';
import { counts, createFixture, lambdaContext } from '../support/queue-fixture';
import { getJob, postJobs, TEST_SIGNATURE } from '../support/requests';

// The bundles built by scripts/bundle-handlers.js (jest global setup), loaded as Lambda loads
// them: settings from the environment, AWS endpoints from AWS_ENDPOINT_URL_*. The admission
// function's code is the folder the construct stages: the bundle and the validator generated from
// the request schema at synth.
const bundle = (name: string) => name === 'admission'
  ? path.join(stageAdmission(TEST_SIGNATURE.toJsonSchema()), 'index.js')
  : path.join(__dirname, '..', '..', 'assets', 'handlers', name, 'index.js');

let moto: MotoServer;
let fake: FakeSageMaker;
const saved = { ...process.env };

beforeAll(async () => {
  [moto, fake] = await Promise.all([startMoto(), FakeSageMaker.start()]);
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([moto?.stop(), fake?.stop()]);
});

test('the bundled admission, worker, status and reconciler handlers run a job end to end', async () => {
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: moto.endpoint, AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint, AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: fake.url,
    [ENV.queueUrl]: f.queueUrl, [ENV.queueName]: f.queueName, [ENV.tableName]: f.tableName, [ENV.bucketName]: f.bucketName,
    [ENV.depthBudget]: '100', [ENV.drainRate]: '1',
    [ENV.maxRetryAfter]: '300', [ENV.depthCacheTtlMs]: '5000', [ENV.admissionEnvironments]: '2', [ENV.maxRequestBytes]: '100000',
    [ENV.maxInlineMessageBytes]: '262144', [ENV.jobTtlSeconds]: '86400', [ENV.perCallDeadlineMs]: '2000', [ENV.maxReceiveCount]: '5',
    [ENV.visibilityTimeoutSeconds]: '60', [ENV.backoffBaseSeconds]: '1', [ENV.resultInlineMaxBytes]: '65536',
    [ENV.backendKind]: 'sagemaker', [ENV.endpointName]: 'ep',
    [ENV.costModel]: JSON.stringify({ referenceElements: 3, fixedShare: 0.1 }), [ENV.costBudgetUnits]: '100', [ENV.drainUnitsPerSecond]: '1',
    [ENV.maxJobCostUnits]: '4', [ENV.costTiers]: JSON.stringify([{ name: 'default', budgetUnits: 100, keyBudgetUnits: 25 }]),
    [ENV.deadLetterQueueUrl]: f.dlqUrl, [ENV.reconcileHoldSeconds]: '60', [ENV.reconcileMaxMessages]: '1000',
  });
  fake.behave = () => ({ body: { predictions: [[1]] } });

  const admission = require(bundle('admission')) as { handler: (e: unknown) => Promise<{ statusCode: number; body: string }> };
  const bad = await admission.handler(postJobs({ instances: [[1]] }));
  expect(bad.statusCode).toBe(400);
  const res = await admission.handler(postJobs({ instances: [[1, 2, 3]] }));
  expect(res.statusCode).toBe(202);
  const { jobId } = JSON.parse(res.body);

  const msgs = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
  const m = msgs.Messages![0];
  const worker = require(bundle('worker')) as { handler: (e: unknown, c: unknown) => Promise<{ batchItemFailures: unknown[] }> };
  const out = await worker.handler({ Records: [{ messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body, attributes: m.Attributes }] }, lambdaContext(10_000));
  expect(out).toEqual({ batchItemFailures: [] });
  expect(fake.calls).toHaveLength(1);
  expect(fromItem((await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(jobId) } }))).Item)!.status).toBe('SUCCEEDED');
  // The bundled worker gave the job's cost units back to the bundled admission's ledger.
  const ledger = (await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S('#admission-ledger') }, ConsistentRead: true }))).Item;
  expect(ledger?.heldUnits?.N).toBe('0');

  const status = require(bundle('status')) as { handler: (e: unknown) => Promise<{ statusCode: number; body: string }> };
  const st = await status.handler(getJob(jobId));
  expect(st.statusCode).toBe(200);
  expect(JSON.parse(st.body)).toMatchObject({ jobId, status: 'SUCCEEDED', result: { predictions: [[1]] } });

  // A second job whose worker crashed on its last delivery: SQS moved its message to the
  // dead-letter queue (here sent there directly). The bundled reconciler settles it and gives its
  // units back, and leaves the message in the queue.
  const second = JSON.parse((await admission.handler(postJobs({ instances: [[4, 5, 6]] }))).body).jobId as string;
  const [queued] = (await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 1 }))).Messages!;
  await clients.sqs.send(new SendMessageCommand({ QueueUrl: f.dlqUrl, MessageBody: queued.Body! }));
  await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: queued.ReceiptHandle! }));
  const reconciler = require(bundle('reconciler')) as { handler: (e: unknown, c: unknown) => Promise<Record<string, unknown>> };
  expect(await reconciler.handler({ 'detail-type': 'Scheduled Event', 'source': 'aws.events' }, lambdaContext(60_000))).toMatchObject({ read: 1, settled: 1, released: 1 });
  expect(fromItem((await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(second) } }))).Item)!.status).toBe('DEAD_LETTERED');
  const after = (await clients.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S('#admission-ledger') }, ConsistentRead: true }))).Item;
  expect(after?.heldUnits?.N).toBe('0');
  expect((await counts(clients.sqs, f.dlqUrl)).total).toBe(1);
});
