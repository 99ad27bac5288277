import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { admit, AdmissionDeps, DepthGauge } from '../../handlers/admission/core';
import { TransientModelError } from '../../handlers/shared/errors';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { reconcile } from '../../handlers/reconciler/core';
import { processBatch, SqsEvent, WorkerDeps } from '../../handlers/worker/core';
import { InferenceProfile, InferenceQueue, ModelSignature, TensorDType, WorkerBackend } from '../../lib';
import { motoBehindFaultProxy, PASS, ProxiedRequest, UNAVAILABLE } from '../support/fault-proxy';
import { localClients } from '../support/moto';
import { admissionConfig, createFixture, lambdaContext, QueueFixture, reconcilerConfig, workerConfig } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';

/**
 * Every DynamoDB and SQS operation a queue handler sends is allowed to its function by the policy
 * the construct synthesizes. The handlers run (the real SDK, the real cores) against moto_server
 * behind a recording proxy, through their success and failure paths; each recorded operation is
 * turned into the IAM action that authorizes it and looked up in the template. A grant missing for
 * a path that runs only on AWS under a fault (a release, a dead letter) fails here, not in production.
 *
 * How an operation maps to its action:
 * - DynamoDB: the action of the same name (the handlers send no transactions, whose items each
 *   need their own action: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html;
 *   one would show here as dynamodb:TransactWriteItems, which no policy grants).
 * - SQS: the action of the same name; SendMessageBatch, DeleteMessageBatch and
 *   ChangeMessageVisibilityBatch are authorized by SendMessage, DeleteMessage and
 *   ChangeMessageVisibility (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html).
 * - The worker's event source mapping polls the queue with the function's execution role:
 *   sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions).
 */
const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};
const EVENT_SOURCE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** The IAM actions that authorize the recorded requests, each with the resource it acts on: `table`, or the queue URL. */
function actionsOf(requests: readonly ProxiedRequest[]): string[] {
  const actions = new Set<string>();
  for (const r of requests) {
    const [service, op] = r.target.split('.');
    if (service === 'AmazonSQS') actions.add(`sqs:${SQS_BATCH_ACTIONS[op] ?? op} on ${(JSON.parse(r.body) as { QueueUrl: string }).QueueUrl}`);
    else if (service === 'DynamoDB_20120810') actions.add(`dynamodb:${op} on table`);
  }
  return [...actions].sort();
}

/** What the role of the function whose logical id matches `fn` may do: `action on table`, `action on <queue URL>`. */
function allowedTo(fn: RegExp, f: QueueFixture): string[] {
  return [
    ...granted(fn, TABLE).map((a) => `${a} on table`),
    ...granted(fn, QUEUE).map((a) => `${a} on ${f.queueUrl}`),
    ...granted(fn, DLQ).map((a) => `${a} on ${f.dlqUrl}`),
  ];
}

// The template of a default queue.
const stack = new Stack(new App(), 'Stack');
new InferenceQueue(stack, 'Jobs', {
  profile: InferenceProfile.of({
    model: 'resnet', hardware: 'ml.g5.xlarge', latencyMs: { p50: 80, p90: 120, p99: 200 }, sustainableConcurrency: 4, throughputPerInstanceRps: 20,
    peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
  }),
  signature: ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [224, 224, 3], maxBatchSize: 4 }),
  backend: WorkerBackend.sageMakerEndpointByName('Resnet-Endpoint'),
});
const template = Template.fromStack(stack);
const only = (type: string, filter: (p: Record<string, unknown>) => boolean = () => true): string => {
  const ids = Object.entries(template.findResources(type)).filter(([, r]) => filter((r.Properties ?? {}) as Record<string, unknown>)).map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
};
const TABLE = only('AWS::DynamoDB::Table');
const QUEUE = only('AWS::SQS::Queue', (p) => p.RedrivePolicy !== undefined);
const DLQ = only('AWS::SQS::Queue', (p) => p.RedrivePolicy === undefined);

/** The actions the role of the function whose logical id matches `fn` may take on the resource `resourceId`. */
function granted(fn: RegExp, resourceId: string): string[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => fn.test(id));
  expect(roles).toHaveLength(1);
  const actions = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!JSON.stringify(policy.Properties.Roles).includes(`"${roles[0]}"`)) continue;
    for (const s of policy.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[]; Resource: unknown }[]) {
      if (s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(`"${resourceId}"`)) for (const a of ([] as string[]).concat(s.Action)) actions.add(a);
    }
  }
  return [...actions].sort();
}

const peer = motoBehindFaultProxy();

const validate = compileRequestSchema(TEST_SIGNATURE.toJsonSchema());
const admissionDeps = (clients: ReturnType<typeof localClients>): AdmissionDeps => ({ ...clients, validate, now: Date.now, log: () => undefined });
const body = { instances: [[1, 2, 3]] };

async function admitOne(f: QueueFixture, clients = peer.direct, headers: Record<string, string> = {}): Promise<number> {
  const config = admissionConfig(f);
  return (await admit(postJobs(body, headers), config, admissionDeps(clients), new DepthGauge(config, clients.sqs, Date.now))).statusCode;
}

async function receive(f: QueueFixture, queueUrl = f.queueUrl): Promise<SqsEvent> {
  for (;;) {
    const m = (await peer.direct.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages?.[0];
    if (m) return { Records: [{ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, attributes: { ApproximateReceiveCount: m.Attributes!.ApproximateReceiveCount! } }] };
  }
}

function workerDeps(invoke: () => Promise<never> | Promise<{ body: Uint8Array; contentType: string }>): WorkerDeps {
  return { ...peer.proxied, backend: { invoke }, now: Date.now, random: Math.random, log: () => undefined };
}

describe('the synthesized grants cover every operation the queue handlers send', () => {
  test('admission: admitted, replayed by its idempotency key, and refused by SQS (its record removed, its units back)', async () => {
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    expect(await admitOne(f, peer.proxied, { 'Idempotency-Key': 'grants-1' })).toBe(202);
    expect(await admitOne(f, peer.proxied, { 'Idempotency-Key': 'grants-1' })).toBe(202);
    peer.proxy.decide = (r) => (r.target === 'AmazonSQS.SendMessage' ? UNAVAILABLE : PASS);
    expect(await admitOne(f, peer.proxied)).toBe(503);
    const used = actionsOf(peer.proxy.requests);
    expect(used).toEqual(expect.arrayContaining(['dynamodb:DeleteItem on table', 'dynamodb:GetItem on table', 'dynamodb:PutItem on table', 'dynamodb:UpdateItem on table', `sqs:SendMessage on ${f.queueUrl}`]));
    const allowed = allowedTo(/JobsAdmission.*Role/, f);
    expect(used.filter((a) => !allowed.includes(a))).toEqual([]);
  });

  test('worker: a result, a retry, a dead letter and a duplicate, each giving its units back', async () => {
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 2 });
    const cfg = workerConfig(f, { maxReceiveCount: 2 });
    const ok = workerDeps(async () => ({ body: Buffer.from('{"ok":1}'), contentType: 'application/json' }));
    const failing = workerDeps(async () => {
      throw new TransientModelError('ServiceUnavailable', 'injected', 503);
    });
    // A result, then its message delivered again: a duplicate.
    expect(await admitOne(f)).toBe(202);
    const first = await receive(f);
    expect((await processBatch(first, lambdaContext(30_000), cfg, ok)).outcomes).toEqual(['succeeded']);
    await peer.direct.sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: first.Records[0].body }));
    expect((await processBatch(await receive(f), lambdaContext(30_000), cfg, ok)).outcomes).toEqual(['duplicate']);
    // A transient failure (retry), then the last delivery fails too (dead letter).
    expect(await admitOne(f)).toBe(202);
    const retried = await receive(f);
    expect((await processBatch(retried, lambdaContext(30_000), cfg, failing)).outcomes).toEqual(['retry']);
    await peer.direct.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: f.queueUrl, ReceiptHandle: retried.Records[0].receiptHandle, VisibilityTimeout: 0 }));
    expect((await processBatch(await receive(f), lambdaContext(30_000), cfg, failing)).outcomes).toEqual(['dead-lettered']);
    const used = actionsOf(peer.proxy.requests);
    expect(used).toEqual(expect.arrayContaining(['dynamodb:GetItem on table', 'dynamodb:UpdateItem on table', `sqs:ChangeMessageVisibility on ${f.queueUrl}`, `sqs:DeleteMessage on ${f.queueUrl}`]));
    const allowed = allowedTo(/JobsWorker.*Role/, f);
    expect([...used, ...EVENT_SOURCE_ACTIONS.map((a) => `${a} on ${f.queueUrl}`)].filter((a) => !allowed.includes(a))).toEqual([]);
  });

  test('dead-letter reconciler: a job whose worker stopped on its last delivery is settled and gives its units back; the ledger audit reads the queue', async () => {
    const f = await createFixture(peer.direct, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    // An admitted job's message, as SQS moves it to the dead-letter queue.
    expect(await admitOne(f)).toBe(202);
    const m = await receive(f);
    await peer.direct.sqs.send(new SendMessageCommand({ QueueUrl: f.dlqUrl, MessageBody: m.Records[0].body }));
    await peer.direct.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: m.Records[0].receiptHandle }));
    // Another job waits in the queue: the ledger audit finds units held and reads the queue's depth.
    expect(await admitOne(f)).toBe(202);
    const report = await reconcile(lambdaContext(60_000), reconcilerConfig(f, { maxMessagesPerRun: 10 }), { ...peer.proxied, now: Date.now, log: () => undefined });
    expect(report).toMatchObject({ read: 1, settled: 1, released: 1, ledger: 'busy' });
    const used = actionsOf(peer.proxy.requests);
    expect(used).toEqual(expect.arrayContaining(['dynamodb:GetItem on table', 'dynamodb:UpdateItem on table', `sqs:ChangeMessageVisibility on ${f.dlqUrl}`,
      `sqs:GetQueueAttributes on ${f.queueUrl}`, `sqs:ReceiveMessage on ${f.dlqUrl}`]));
    const allowed = allowedTo(/Reconciler.*Role/, f);
    expect(used.filter((a) => !allowed.includes(a))).toEqual([]);
  });
});
