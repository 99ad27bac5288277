import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import type { AdmissionConfig } from '../../handlers/admission/core';
import type { ReconcilerConfig } from '../../handlers/reconciler/core';
import type { BatchResponse, SqsEvent, WorkerConfig, WorkerContext, WorkerDeps } from '../../handlers/worker/core';

/** The resources of one test: queue + DLQ with redrive, job table, payload bucket. */
export interface QueueFixture {
  readonly queueUrl: string;
  readonly queueName: string;
  readonly dlqUrl: string;
  readonly tableName: string;
  readonly bucketName: string;
}

let counter = 0;

/** Creates a fresh queue, dead-letter queue, table and bucket on the local peer. */
export async function createFixture(c: { sqs: SQSClient; s3: S3Client; ddb: DynamoDBClient }, opts: { visibilityTimeoutSeconds: number; maxReceiveCount: number }): Promise<QueueFixture> {
  const n = `${process.pid}-${++counter}`;
  const dlq = await c.sqs.send(new CreateQueueCommand({ QueueName: `dlq-${n}`, Attributes: { MessageRetentionPeriod: '1209600' } }));
  const dlqArn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  const queueName = `jobs-${n}`;
  const q = await c.sqs.send(new CreateQueueCommand({
    QueueName: queueName,
    Attributes: {
      VisibilityTimeout: String(opts.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: opts.maxReceiveCount }),
    },
  }));
  const tableName = `jobs-${n}`;
  await c.ddb.send(new CreateTableCommand({
    TableName: tableName, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
  }));
  const bucketName = `payloads-${n}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  return { queueUrl: q.QueueUrl!, queueName, dlqUrl: dlq.QueueUrl!, tableName, bucketName };
}

/** Admission settings for a fixture. */
export function admissionConfig(f: QueueFixture, o: Partial<AdmissionConfig> = {}): AdmissionConfig {
  return {
    queueUrl: f.queueUrl, queueName: f.queueName, tableName: f.tableName, bucketName: f.bucketName,
    depthBudget: 1_000, drainRatePerSecond: 10, resumeFraction: 0.5, maxRetryAfterSeconds: 300,
    depthCacheTtlMs: 5_000, environments: 4, maxRequestBytes: 2_000_000, maxInlineMessageBytes: 262_144, jobTtlSeconds: 86_400,
    // TEST_SIGNATURE: one instance of 3 elements is one unit; a full batch of 4 is the dearest job.
    cost: { referenceElements: 3, fixedShare: 0 }, costBudgetUnits: 1_000, drainUnitsPerSecond: 10, maxJobCostUnits: 4,
    tiers: [{ name: 'default', budgetUnits: 1_000, keyBudgetUnits: 1_000 }], keyTiers: {},
    ...o,
  };
}

/** Worker settings for a fixture. */
export function workerConfig(f: QueueFixture, o: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    queueUrl: f.queueUrl, tableName: f.tableName, bucketName: f.bucketName,
    perCallDeadlineMs: 2_000, maxReceiveCount: 5, visibilityTimeoutSeconds: 30, backoffBaseSeconds: 1,
    resultInlineMaxBytes: 65_536, jobTtlSeconds: 86_400, safetyMarginMs: 200,
    ...o,
  };
}

/**
 * Dead-letter reconciler settings for a fixture. No long poll: the local peer answers at once and
 * holds the queue while a receive waits.
 */
export function reconcilerConfig(f: QueueFixture, o: Partial<ReconcilerConfig> = {}): ReconcilerConfig {
  return {
    deadLetterQueueUrl: f.dlqUrl, queueUrl: f.queueUrl, queueName: f.queueName, tableName: f.tableName,
    holdSeconds: 60, maxMessagesPerRun: 1_000, receiveWaitSeconds: 0, safetyMarginMs: 1_000,
    ...o,
  };
}

/** A Lambda context whose invocation times out `timeoutMs` after it is created. */
export function lambdaContext(timeoutMs: number, id = `req-${++counter}`): WorkerContext {
  const end = Date.now() + timeoutMs;
  return { awsRequestId: id, getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

/** Visible, in-flight and delayed message counts. */
export async function counts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number; total: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }))).Attributes ?? {};
  const visible = Number(a.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
  return { visible, inFlight, total: visible + inFlight + Number(a.ApproximateNumberOfMessagesDelayed ?? 0) };
}

/**
 * What the stand-in event source absorbed, as the Lambda poller does: failed receives (retried
 * with backoff) and failed deletes (the message comes back after its visibility timeout).
 */
export interface EventSourceLog {
  readonly receiveErrors: string[];
  readonly deleteFailures: string[];
  invocationErrors: number;
}

/** An empty log. */
export function eventSourceLog(): EventSourceLog {
  return { receiveErrors: [], deleteFailures: [], invocationErrors: 0 };
}

const describeError = (e: unknown) => {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return `${err.name ?? 'Error'}${err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : ''}: ${(err.message ?? String(e)).split('\n')[0]}`;
};

/**
 * Does what the Lambda SQS event source does, against the real queue: receive a batch, invoke the
 * function, delete the messages it did not report as failures. If the function throws (a crash),
 * nothing is deleted and the whole batch comes back after the visibility timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 *
 * A failed delete is not an error of the function, and the event source does not treat it as one:
 * the message, if it is still there, is delivered again after its visibility timeout. It happens
 * when the worker already deleted a finished message itself (moto then answers
 * ReceiptHandleIsInvalid; SQS accepts a stale receipt handle and may keep the message,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html),
 * or when the peer fails. Both only cause a redelivery, which the worker's idempotency absorbs, so
 * they are logged in `log`, not thrown. A failed receive is logged and counts as an empty poll.
 * Transient errors of the peer (5xx, also as an HTML page) are first retried by the SDK itself
 * (standard retry mode: 500, 502, 503 and 504 are transient).
 * Returns the number of messages received.
 */
export async function pollOnce(sqs: SQSClient, queueUrl: string, batchSize: number, invoke: (event: SqsEvent) => Promise<BatchResponse>, log: EventSourceLog = eventSourceLog()): Promise<number> {
  let messages;
  try {
    messages = (await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: batchSize, WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }))).Messages ?? [];
  } catch (e) {
    log.receiveErrors.push(describeError(e));
    return 0;
  }
  if (messages.length === 0) return 0;
  const event: SqsEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body ?? '',
      attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
    })),
  };
  let response: BatchResponse;
  try {
    response = await invoke(event);
  } catch {
    log.invocationErrors++;
    return messages.length;
  }
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length > 0) {
    try {
      const del = await sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }));
      for (const f of del.Failed ?? []) log.deleteFailures.push(`${f.Code}: ${f.Message ?? ''}`);
    } catch (e) {
      log.deleteFailures.push(describeError(e));
    }
  }
  return messages.length;
}

/** The longest wait of an idle poller between two empty receives (see drainQueue). */
export const IDLE_POLL_MAX_MS = 1_000;

/**
 * Runs `pollers` concurrent pollers until the queue is empty (visible, in flight and delayed), or
 * fails after `timeoutMs`. An empty or failed poll waits before the next one, longer after each
 * failure in a row (up to 2 s), as the Lambda poller backs off. An empty receive on a queue that
 * still holds messages (in flight, or delayed by a retry's backoff) waits 100 ms, then twice as
 * long after each further empty one, up to IDLE_POLL_MAX_MS. Lambda's pollers long-poll a standard
 * queue ("Lambda uses long polling to poll a queue until it becomes active",
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html; a long poll waits up to
 * 20 s, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/best-practices-setting-up-long-polling.html),
 * which the local peer cannot do here (test/support/moto-server.py serializes receives, and a
 * waiting one would hold the queue). Polling an idle queue every 100 ms instead cost more of the
 * machine than the jobs did (thousands of empty receives and attribute reads while the queue
 * waited out a visibility timeout). A message now waits at most a second longer to be picked up,
 * as in moto's own long poll, which looks again once a second (moto 5.2.1, moto/sqs/models.py:
 * receive_message calls queue.wait_for_messages(1)).
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string, batchSize: number, pollers: number, invoke: (event: SqsEvent) => Promise<BatchResponse>, timeoutMs = 60_000, log: EventSourceLog = eventSourceLog()): Promise<EventSourceLog> {
  const end = Date.now() + timeoutMs;
  const loop = async () => {
    let failuresInARow = 0;
    let emptyInARow = 0;
    while (Date.now() < end) {
      const receiveErrors = log.receiveErrors.length;
      const n = await pollOnce(sqs, queueUrl, batchSize, invoke, log);
      if (n > 0) {
        failuresInARow = 0;
        emptyInARow = 0;
        continue;
      }
      if (log.receiveErrors.length === receiveErrors) {
        try {
          if ((await counts(sqs, queueUrl)).total === 0) return;
          failuresInARow = 0;
          emptyInARow++;
        } catch (e) {
          log.receiveErrors.push(describeError(e));
          failuresInARow++;
        }
      } else {
        failuresInARow++;
      }
      const wait = failuresInARow > 0 ? Math.min(2_000, 100 * 2 ** failuresInARow) : Math.min(IDLE_POLL_MAX_MS, 100 * 2 ** (emptyInARow - 1));
      await new Promise((r) => setTimeout(r, wait));
    }
    throw new Error(`queue ${queueUrl} not drained within ${timeoutMs} ms`);
  };
  await Promise.all(Array.from({ length: pollers }, loop));
  return log;
}

/**
 * Runs `fn` as one Lambda invocation of `timeoutMs`: its context has that deadline, and once the
 * deadline has passed its clients and model backend send nothing more, since Lambda stops the
 * runtime at the function timeout. A busy test machine therefore cannot stretch an invocation
 * past a message's visibility timeout into its next delivery, which no deployed function can do.
 * An invocation that ran past its timeout fails as a timed-out one does: the event source deletes
 * none of its messages (what the worker deleted itself before the deadline stays deleted).
 */
export async function lambdaInvocation<R>(timeoutMs: number, deps: WorkerDeps, fn: (context: WorkerContext, deps: WorkerDeps) => Promise<R>): Promise<R> {
  const context = lambdaContext(timeoutMs);
  const expired = () => context.getRemainingTimeInMillis() <= 0;
  const timedOut = () => Object.assign(new Error(`Task timed out after ${timeoutMs / 1000} seconds`), { name: 'TimeoutError' });
  const guard = <C extends object>(target: C, method: string): C => new Proxy(target, {
    get: (t, p, r) => {
      const v = Reflect.get(t, p, r);
      return p === method && typeof v === 'function'
        ? (...args: unknown[]) => (expired() ? Promise.reject(timedOut()) : (v as (...a: unknown[]) => unknown).apply(t, args))
        : v;
    },
  });
  const result = await fn(context, {
    ...deps, ddb: guard(deps.ddb, 'send'), s3: guard(deps.s3, 'send'), sqs: guard(deps.sqs, 'send'), backend: guard(deps.backend, 'invoke'),
  });
  if (expired()) throw timedOut();
  return result;
}
