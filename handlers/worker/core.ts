import { AttributeValue, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { retryBackoffSeconds } from '../../lib/core/queue-formulas';
import { fromItem, isConditionFailed, JobRecord, N, S } from '../shared/dynamo';
import { PermanentModelError, TransientModelError } from '../shared/errors';
import { releaseJob } from '../shared/ledger';
import { JobMessage, JobStatus, parseJobMessage, resultKey } from '../shared/job';
import { ModelBackend, classify } from './backends';

/** The parts of an SQS event record the worker reads. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount: string };
}

/** An SQS event. */
export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** The partial batch response (`ReportBatchItemFailures`). */
export interface BatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** The parts of the Lambda context the worker reads. */
export interface WorkerContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Settings of the worker function. */
export interface WorkerConfig {
  readonly queueUrl: string;
  readonly tableName: string;
  readonly bucketName: string;
  /** Deadline of one model call (ms). */
  readonly perCallDeadlineMs: number;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly backoffBaseSeconds: number;
  /** Results up to this size are stored in the job record; larger ones in S3. */
  readonly resultInlineMaxBytes: number;
  readonly jobTtlSeconds: number;
  /** Time kept back after the model call for writing the result (ms). */
  readonly safetyMarginMs: number;
}

/** Clients, backend and clock of the worker. */
export interface WorkerDeps {
  readonly ddb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly backend: ModelBackend;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: (line: string) => void;
}

/** What happened to one message. */
export type Outcome = 'succeeded' | 'failed' | 'duplicate' | 'retry' | 'dead-lettered' | 'busy' | 'poison';

/**
 * Processes an SQS batch one message after another (in parallel, a batch would multiply the
 * number of concurrent model calls by the batch size), and reports the messages to retry.
 *
 * Why an accepted job is never dropped here (it ends as a result or in the dead-letter queue):
 * - A message is deleted (here, and by the event source for every record not reported as failed)
 *   only for 'succeeded' and 'failed', whose outcome this copy wrote under its own lease, and for
 *   'duplicate', whose job is SUCCEEDED or FAILED. Those two states never change again: the claim
 *   refuses them and every other write needs the lease. So a deleted message's job is finished.
 * - Every other outcome keeps the message: 'retry' (back after the backoff, or after the queue's
 *   visibility timeout if changing it fails), 'busy' (back when the holder's lease ends),
 *   'dead-lettered' (visible at once; SQS moves it to the DLQ on its next receive), 'poison', and
 *   any exception (reported as failed). A crash (the function throws or times out) deletes
 *   nothing: the batch comes back after the visibility timeout, which synth keeps at least 6 x
 *   the worker timeout, so a copy only comes back after its invocation ended.
 * - Two copies of one job at once (SQS delivers at least once; a visibility timeout or a clock
 *   running behind) are serialised by the claim's lease; a copy that lost the lease before writing
 *   its outcome is settled like a failed claim (settleCopy) and never deletes a message the new
 *   holder may still need.
 * - A redriven message is claimed again (the claim takes QUEUED, DEAD_LETTERED and an expired
 *   RUNNING lease, and a missing record: the direct integration writes none).
 * - Giving the units back to the ledger comes after the delete and once per job; if it fails the
 *   ledger keeps holding them (it admits less), the job is not affected.
 */
export async function processBatch(event: SqsEvent, context: WorkerContext, config: WorkerConfig, deps: WorkerDeps): Promise<BatchResponse & { outcomes: Outcome[] }> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  const outcomes: Outcome[] = [];
  for (const record of event.Records) {
    let outcome: Outcome;
    try {
      outcome = await processRecord(record, context, config, deps);
    } catch (e) {
      // A dependency failed (DynamoDB, S3): retry the message, nothing is lost.
      deps.log(JSON.stringify({ level: 'error', msg: 'record failed', messageId: record.messageId, error: (e as Error).message }));
      outcome = 'retry';
    }
    outcomes.push(outcome);
    if (outcome === 'retry' || outcome === 'dead-lettered' || outcome === 'busy' || outcome === 'poison') {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else {
      // The job is final: delete its message now rather than when the whole batch returns, so a
      // crash later in the batch cannot redeliver a finished job until it reaches the DLQ.
      await deleteMessage(deps, config, record);
      // Then give its cost units back to the admission ledger (after the delete, so the queue never
      // holds a job whose units are free again). A duplicate's job is final too: if the worker that
      // finished it stopped before this step, its units come back here. Once per job (releaseJob).
      const jobId = parseJobMessage(record.body)?.jobId;
      if (jobId !== undefined) {
        await releaseJob(deps.ddb, config.tableName, jobId).catch((e) => deps.log(JSON.stringify({
          level: 'warn', msg: 'cost units not given back: the ledger keeps holding them and admits that much less', jobId, error: (e as Error).message,
        })));
      }
    }
  }
  return { batchItemFailures, outcomes };
}

/** Processes one message: claim the job, call the model before the deadline, store the result. */
export async function processRecord(record: SqsRecord, context: WorkerContext, config: WorkerConfig, deps: WorkerDeps): Promise<Outcome> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  const message = parseJobMessage(record.body);
  if (!message) {
    // Not a job message: it can never succeed. Fail it on every receive (no model call is made)
    // so it reaches the dead-letter queue for inspection.
    deps.log(JSON.stringify({ level: 'error', msg: 'poison message', messageId: record.messageId, receiveCount }));
    return 'poison';
  }

  const budgetMs = context.getRemainingTimeInMillis() - config.safetyMarginMs;
  // The per-call deadline is timeoutFactor (3) x p99, so half of it still covers a p99 call. With
  // less time left, a call would likely be cut off after burning model time: hand the message
  // back at once instead (no model call; it costs one receive).
  if (budgetMs < config.perCallDeadlineMs / 2) {
    await setVisibility(deps, config, record, 0);
    return 'retry';
  }
  const deadlineMs = Math.min(config.perCallDeadlineMs, budgetMs);
  const owner = `${context.awsRequestId}/${record.messageId}`;
  const claimed = await claim(deps, config, message.jobId, owner, deps.now() + context.getRemainingTimeInMillis());
  if (claimed.outcome !== 'claimed') return settleCopy(deps, config, record, claimed);

  let output;
  try {
    const input = await loadPayload(deps, config, message);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadlineMs);
    try {
      output = await deps.backend.invoke(input, message.contentType ?? 'application/json', controller.signal);
    } finally {
      clearTimeout(timer);
    }
  } catch (raw) {
    const e = classify(raw);
    if (e instanceof PermanentModelError) {
      if (!await finish(deps, config, message.jobId, owner, JobStatus.FAILED, { error: JSON.stringify({ code: e.code, message: e.message, statusCode: e.statusCode }) })) {
        return settleCopy(deps, config, record, copyOutcome(await readJob(deps, config, message.jobId)));
      }
      await dropPayload(deps, config, message);
      return 'failed';
    }
    const t = e as TransientModelError;
    const error = JSON.stringify({ code: t.code, message: t.message, statusCode: t.statusCode, receiveCount });
    if (receiveCount >= config.maxReceiveCount) {
      // This was the last delivery: SQS moves the message to the dead-letter queue on its next
      // receive. The record says so; a redrive can claim the job again.
      if (!await finish(deps, config, message.jobId, owner, JobStatus.DEAD_LETTERED, { error })) {
        return settleCopy(deps, config, record, copyOutcome(await readJob(deps, config, message.jobId)));
      }
      // Its units go back now: a dead-lettered job waits for an operator, not for a worker.
      await releaseJob(deps.ddb, config.tableName, message.jobId);
      await setVisibility(deps, config, record, 0);
      return 'dead-lettered';
    }
    if (!await finish(deps, config, message.jobId, owner, JobStatus.QUEUED, { error })) {
      return settleCopy(deps, config, record, copyOutcome(await readJob(deps, config, message.jobId)));
    }
    await setVisibility(deps, config, record, retryBackoffSeconds(receiveCount, config.backoffBaseSeconds, config.visibilityTimeoutSeconds, deps.random));
    return 'retry';
  }

  const text = Buffer.from(output.body);
  let written: boolean;
  if (text.length <= config.resultInlineMaxBytes) {
    written = await finish(deps, config, message.jobId, owner, JobStatus.SUCCEEDED, { result: text.toString('utf8'), resultContentType: output.contentType });
  } else {
    const key = resultKey(message.jobId);
    await deps.s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: key, Body: text, ContentType: output.contentType, ServerSideEncryption: 'AES256' }));
    written = await finish(deps, config, message.jobId, owner, JobStatus.SUCCEEDED, { resultKey: key, resultContentType: output.contentType });
  }
  if (!written) return settleCopy(deps, config, record, copyOutcome(await readJob(deps, config, message.jobId)));
  await dropPayload(deps, config, message);
  return 'succeeded';
}

/**
 * Claims a job with a lease so a duplicate delivery never calls the model twice: the claim
 * succeeds for a new or queued job, or a running one whose lease (its worker's deadline) expired.
 * A finished job is a duplicate; a job leased by a live worker is busy.
 */
async function claim(deps: WorkerDeps, config: WorkerConfig, jobId: string, owner: string, leaseUntil: number): Promise<{ outcome: 'claimed' } | CopyOutcome> {
  const now = deps.now();
  try {
    await deps.ddb.send(new UpdateItemCommand({
      TableName: config.tableName,
      Key: { jobId: S(jobId) },
      ConditionExpression: 'attribute_not_exists(jobId) OR #s IN (:queued, :dead) OR (#s = :running AND leaseUntil < :now)',
      UpdateExpression: 'SET #s = :running, leaseOwner = :owner, leaseUntil = :lease, updatedAt = :now, '
        + 'attempts = if_not_exists(attempts, :zero) + :one, createdAt = if_not_exists(createdAt, :now), expiresAt = if_not_exists(expiresAt, :exp)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':queued': S(JobStatus.QUEUED), ':dead': S(JobStatus.DEAD_LETTERED), ':running': S(JobStatus.RUNNING),
        ':now': N(now), ':owner': S(owner), ':lease': N(leaseUntil), ':zero': N(0), ':one': N(1),
        ':exp': N(Math.floor(now / 1000) + config.jobTtlSeconds),
      },
    }));
    return { outcome: 'claimed' };
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
  }
  const job = await readJob(deps, config, jobId);
  // The SDK retries a write whose answer was lost (a network error, a 5xx): when the first attempt
  // took the lease, the retry's condition fails on this very claim. The lease names this worker
  // and this message, so the job is ours; answering busy would hide the message for a whole lease
  // with nobody running the job, and spend one of its receives.
  if (job?.status === JobStatus.RUNNING && job.leaseOwner === owner) return { outcome: 'claimed' };
  return copyOutcome(job);
}

/** What a copy that does not hold the job's lease is: a duplicate to delete, or busy (comes back later). */
type CopyOutcome = { outcome: 'duplicate' | 'busy'; leaseUntil?: number };

/**
 * Only a finished job makes a copy a duplicate to delete. A job that is QUEUED (its worker met a
 * transient error), DEAD_LETTERED or RUNNING under another lease is not done: deleting this copy
 * could delete the job's only message (SQS may act on an older receipt handle of it,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html),
 * so the copy comes back later like a busy one.
 */
function copyOutcome(job: JobRecord | undefined): CopyOutcome {
  if (job?.status === JobStatus.SUCCEEDED || job?.status === JobStatus.FAILED) return { outcome: 'duplicate' };
  return { outcome: 'busy', leaseUntil: job?.status === JobStatus.RUNNING ? job.leaseUntil : undefined };
}

async function readJob(deps: WorkerDeps, config: WorkerConfig, jobId: string): Promise<JobRecord | undefined> {
  const out = await deps.ddb.send(new GetItemCommand({ TableName: config.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }));
  return fromItem(out.Item);
}

/**
 * Settles a copy that does not hold the lease (its claim failed, or its lease was lost before it
 * wrote the outcome). A busy copy comes back when the running copy's lease ends: by then its job
 * is final (this copy is then a duplicate) or its worker is gone (this copy takes the job over).
 * Coming back sooner would only spend receives, and enough of them move the copy to the
 * dead-letter queue while the job succeeds.
 */
async function settleCopy(deps: WorkerDeps, config: WorkerConfig, record: SqsRecord, copy: CopyOutcome): Promise<Outcome> {
  if (copy.outcome === 'busy') {
    const leaseLeftS = Math.ceil(((copy.leaseUntil ?? 0) - deps.now()) / 1000);
    await setVisibility(deps, config, record, Math.min(config.visibilityTimeoutSeconds, Math.max(Math.ceil(config.perCallDeadlineMs / 1000), leaseLeftS)));
  }
  return copy.outcome;
}

/**
 * Writes the job's outcome, only while this worker still holds the lease: a finished result is
 * never overwritten. False when the lease was lost: the job then belongs to the copy that took it
 * over (or, after a retried write whose answer was lost, already holds this outcome), and this
 * copy must not act as if its outcome stood: deleting its message while the new holder's attempt
 * fails would leave the job QUEUED with no message.
 */
async function finish(deps: WorkerDeps, config: WorkerConfig, jobId: string, owner: string, status: string, fields: Record<string, string>): Promise<boolean> {
  const names: Record<string, string> = { '#s': 'status' };
  const values: Record<string, AttributeValue> = { ':status': S(status), ':owner': S(owner), ':now': N(deps.now()) };
  const sets = ['#s = :status', 'updatedAt = :now'];
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    values[`:${k}`] = S(v);
    sets.push(`#${k} = :${k}`);
  }
  try {
    await deps.ddb.send(new UpdateItemCommand({
      TableName: config.tableName,
      Key: { jobId: S(jobId) },
      ConditionExpression: 'leaseOwner = :owner',
      UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseOwner, leaseUntil`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
    return true;
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
    // The lease expired and another delivery took the job over; its outcome stands.
    deps.log(JSON.stringify({ level: 'warn', msg: 'lease lost, outcome not written', jobId, status }));
    return false;
  }
}

async function loadPayload(deps: WorkerDeps, config: WorkerConfig, message: JobMessage): Promise<Uint8Array> {
  if (message.payloadKey !== undefined) {
    const out = await deps.s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: message.payloadKey }));
    return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  }
  const text = message.body ?? JSON.stringify(message.request);
  return Buffer.from(text, 'utf8');
}

/** Deletes a claim-check payload once the job is final; lifecycle expiry catches any left behind. */
async function dropPayload(deps: WorkerDeps, config: WorkerConfig, message: JobMessage): Promise<void> {
  if (message.payloadKey === undefined) return;
  await deps.s3.send(new DeleteObjectCommand({ Bucket: config.bucketName, Key: message.payloadKey })).catch(() => undefined);
}

/** Deletes a finished job's message. Best effort: if it fails, the event source deletes it with the batch. */
async function deleteMessage(deps: WorkerDeps, config: WorkerConfig, record: SqsRecord): Promise<void> {
  await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: config.queueUrl, ReceiptHandle: record.receiptHandle }))
    .catch((e) => deps.log(JSON.stringify({ level: 'warn', msg: 'DeleteMessage failed', error: (e as Error).message })));
}

/** Sets when a message comes back. Best effort: if it fails, the queue's visibility timeout applies. */
async function setVisibility(deps: WorkerDeps, config: WorkerConfig, record: SqsRecord, seconds: number): Promise<void> {
  await deps.sqs.send(new ChangeMessageVisibilityCommand({
    QueueUrl: config.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: Math.max(0, Math.min(seconds, config.visibilityTimeoutSeconds)),
  })).catch((e) => deps.log(JSON.stringify({ level: 'warn', msg: 'ChangeMessageVisibility failed', error: (e as Error).message })));
}
