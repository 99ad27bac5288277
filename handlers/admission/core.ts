import { randomUUID } from 'crypto';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { admissionShare, retryAfterSeconds } from '../../lib/queue/formulas';
import { fromItem, isConditionFailed, JobRecord, N, S } from '../shared/dynamo';
import {
  BacklogFullError, ClientError, dependencyError, HandlerError, IdempotencyConflictError, RequestProblem,
} from '../shared/errors';
import { callerScope, errorResponse, header, json, ProxyEvent, ProxyResult } from '../shared/http';
import { IDEMPOTENCY_KEY_PATTERN, JobMessage, JobStatus, jobIdForKey, payloadKey, requestHash } from '../shared/job';
import { ADMISSION_METRICS, emfLine } from '../shared/metrics';

/** Settings of the admission function (from environment variables in Lambda). */
export interface AdmissionConfig {
  readonly queueUrl: string;
  readonly queueName: string;
  readonly tableName: string;
  readonly bucketName: string;
  /** Messages (visible + in flight + delayed) admitted before answering 429. */
  readonly depthBudget: number;
  readonly drainRatePerSecond: number;
  readonly resumeFraction: number;
  readonly maxRetryAfterSeconds: number;
  /** How long one environment reuses a depth reading (ms). */
  readonly depthCacheTtlMs: number;
  /** Environments that may run at once: the function's reserved concurrency. */
  readonly environments: number;
  readonly maxRequestBytes: number;
  readonly maxInlineMessageBytes: number;
  /** Lifetime of a job record (s), set as the DynamoDB TTL. */
  readonly jobTtlSeconds: number;
}

/** A schema validator: returns the problems of a parsed body, none when it is valid. */
export type BodyValidator = (body: unknown) => RequestProblem[];

/** Clients and clock the core uses; the Lambda handler creates them once per environment. */
export interface AdmissionDeps {
  readonly sqs: SQSClient;
  readonly ddb: DynamoDBClient;
  readonly s3: S3Client;
  readonly validate: BodyValidator;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** A job record that was created but not confirmed enqueued this long ago is enqueued again on a retry (ms). */
const STALE_ADMISSION_MS = 10_000;

/**
 * Queue depth as seen by one execution environment, read from SQS at most once per cache TTL
 * while rejecting, and once per fair share of the remaining budget while admitting.
 *
 * SQS has no age-of-oldest-message attribute, and CloudWatch's ApproximateAgeOfOldestMessage is
 * one-minute data that arrives minutes late, too stale (and too costly per request) to admit on.
 * The gauge bounds the depth instead: at the profiled drain rate a depth of `budget` is a wait of
 * `acceptableWait`, so the depth bound is the age bound while workers keep pace; the age alarm
 * catches workers that do not.
 *
 * Accuracy: every environment that reads the same depth admits at most its share
 * `max(1, floor(remaining / environments))` before it reads again, so together they exceed the
 * budget by at most one message each (the reserved concurrency), plus whatever SQS's approximate
 * counters lag behind.
 */
export class DepthGauge {
  private depth = 0;
  private readAt = -Infinity;
  private admittedSinceRead = 0;
  private share = 0;
  private reading?: Promise<void>;

  constructor(private readonly config: AdmissionConfig, private readonly sqs: SQSClient, private readonly now: () => number) {}

  /** Reserves one slot, or returns the Retry-After (s) when the backlog is over budget. */
  public async reserve(): Promise<{ readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number }> {
    const c = this.config;
    const stale = this.now() - this.readAt >= c.depthCacheTtlMs;
    const shareUsed = this.share > 0 && this.admittedSinceRead >= this.share;
    if (stale || shareUsed) {
      // One read at a time: requests that arrive while it runs share its result.
      this.reading ??= this.read().finally(() => {
        this.reading = undefined;
      });
      await this.reading;
    }
    if (this.admittedSinceRead < this.share) {
      this.admittedSinceRead++;
      return { admitted: true };
    }
    return {
      admitted: false,
      retryAfterSeconds: retryAfterSeconds(this.depth + this.admittedSinceRead, c.depthBudget, c.drainRatePerSecond, c.resumeFraction, c.maxRetryAfterSeconds),
    };
  }

  /** Gives a slot back when the enqueue failed. */
  public release(): void {
    if (this.admittedSinceRead > 0) this.admittedSinceRead--;
  }

  private async read(): Promise<void> {
    let attrs: Record<string, string> | undefined;
    try {
      const out = await this.sqs.send(new GetQueueAttributesCommand({
        QueueUrl: this.config.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }));
      attrs = out.Attributes ?? {};
    } catch (e) {
      throw dependencyError('SQS', e);
    }
    // In-flight messages count: they are not done, and a failing one comes back.
    this.depth = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']
      .reduce((sum, k) => sum + Number(attrs?.[k] ?? 0), 0);
    this.readAt = this.now();
    this.admittedSinceRead = 0;
    this.share = admissionShare(this.depth, this.config.depthBudget, this.config.environments);
  }
}

interface ParsedRequest {
  readonly body: string;
  readonly contentType: string;
  readonly idempotencyKey?: string;
}

/** Checks content type, size, JSON syntax, the model schema and the idempotency key. Throws a 4xx ClientError. */
export function parseRequest(event: ProxyEvent, config: AdmissionConfig, validate: BodyValidator): ParsedRequest {
  const contentType = header(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ClientError(415, 'UnsupportedMediaType', `Content-Type must be application/json, got ${JSON.stringify(contentType)}.`);
  }
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > config.maxRequestBytes) {
    throw new ClientError(413, 'PayloadTooLarge', `The body is ${bytes} bytes; at most ${config.maxRequestBytes} bytes are accepted.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new ClientError(400, 'MalformedJson', `The body is not valid JSON: ${(e as Error).message}`);
  }
  const problems = validate(parsed);
  if (problems.length > 0) throw new ClientError(400, 'InvalidRequest', 'The body does not match the model input schema.', problems);
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new ClientError(400, 'InvalidIdempotencyKey', 'Idempotency-Key must be 1 to 128 visible ASCII characters.', [
      { path: 'header:Idempotency-Key', message: 'must match [\\x21-\\x7e]{1,128}' },
    ]);
  }
  return { body, contentType: mediaType, idempotencyKey };
}

/**
 * Handles `POST /jobs`: validate, check the backlog budget, record the job, store a large payload
 * in S3, enqueue, answer 202 with the job id and its status URL.
 */
export async function admit(event: ProxyEvent, config: AdmissionConfig, deps: AdmissionDeps, gauge: DepthGauge): Promise<ProxyResult> {
  const requestId = event.requestContext?.requestId;
  try {
    const req = parseRequest(event, config, deps.validate);
    const hash = requestHash(req.body);
    const jobId = req.idempotencyKey !== undefined ? jobIdForKey(callerScope(event), req.idempotencyKey) : randomUUID();

    if (req.idempotencyKey !== undefined) {
      const existing = await getJob(deps, config, jobId);
      if (existing) return await replay(existing, hash, req, event, config, deps);
    }

    const slot = await gauge.reserve();
    if (!slot.admitted) {
      deps.log(emfLine(ADMISSION_METRICS.namespace, { [ADMISSION_METRICS.dimension]: config.queueName }, { [ADMISSION_METRICS.rejected]: 1 }, deps.now()));
      throw new BacklogFullError(slot.retryAfterSeconds);
    }
    try {
      await createJob(deps, config, jobId, hash);
    } catch (e) {
      gauge.release();
      if (isConditionFailed(e)) {
        // Another request with the same key won the race.
        const existing = await getJob(deps, config, jobId);
        if (existing) return await replay(existing, hash, req, event, config, deps);
      }
      throw dependencyError('DynamoDB', e);
    }
    try {
      await enqueue(deps, config, jobId, req);
    } catch (e) {
      gauge.release();
      // The job was never enqueued: remove its record so a retry starts clean.
      await deps.ddb.send(new DeleteItemCommand({ TableName: config.tableName, Key: { jobId: S(jobId) } })).catch(() => undefined);
      throw dependencyError('SQS', e);
    }
    deps.log(emfLine(ADMISSION_METRICS.namespace, { [ADMISSION_METRICS.dimension]: config.queueName }, { [ADMISSION_METRICS.admitted]: 1 }, deps.now()));
    return accepted(event, jobId, JobStatus.QUEUED);
  } catch (e) {
    const err = e instanceof HandlerError ? e : dependencyError('admission', e);
    if (!(e instanceof HandlerError)) deps.log(JSON.stringify({ level: 'error', msg: 'admission failed', error: (e as Error).message, requestId }));
    return errorResponse(err, requestId);
  }
}

async function getJob(deps: AdmissionDeps, config: AdmissionConfig, jobId: string): Promise<JobRecord | undefined> {
  try {
    const out = await deps.ddb.send(new GetItemCommand({ TableName: config.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }));
    return fromItem(out.Item);
  } catch (e) {
    throw dependencyError('DynamoDB', e);
  }
}

async function createJob(deps: AdmissionDeps, config: AdmissionConfig, jobId: string, hash: string): Promise<void> {
  const now = deps.now();
  await deps.ddb.send(new PutItemCommand({
    TableName: config.tableName,
    Item: {
      jobId: S(jobId), status: S(JobStatus.QUEUED), createdAt: N(now), updatedAt: N(now), requestHash: S(hash),
      enqueued: { BOOL: false }, expiresAt: N(Math.floor(now / 1000) + config.jobTtlSeconds),
    },
    ConditionExpression: 'attribute_not_exists(jobId)',
  }));
}

async function enqueue(deps: AdmissionDeps, config: AdmissionConfig, jobId: string, req: ParsedRequest): Promise<void> {
  let message: JobMessage = { v: 1, jobId, contentType: req.contentType, body: req.body };
  let text = JSON.stringify(message);
  if (Buffer.byteLength(text, 'utf8') > config.maxInlineMessageBytes) {
    // Claim check: the payload goes to S3 (encrypted, expired by lifecycle), the message carries its key.
    const key = payloadKey(jobId);
    await deps.s3.send(new PutObjectCommand({
      Bucket: config.bucketName, Key: key, Body: req.body, ContentType: req.contentType, ServerSideEncryption: 'AES256',
    }));
    message = { v: 1, jobId, contentType: req.contentType, payloadKey: key };
    text = JSON.stringify(message);
  }
  await deps.sqs.send(new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: text }));
  await deps.ddb.send(new UpdateItemCommand({
    TableName: config.tableName,
    Key: { jobId: S(jobId) },
    UpdateExpression: 'SET enqueued = :t, updatedAt = :now',
    ExpressionAttributeValues: { ':t': { BOOL: true }, ':now': N(deps.now()) },
  })).catch(() => {
    // The message is on the queue; a lost flag only means a retry with the same key may enqueue
    // a duplicate, which the worker's claim absorbs.
  });
}

/** Answers a request whose idempotency key already has a job. */
async function replay(existing: JobRecord, hash: string, req: ParsedRequest, event: ProxyEvent, config: AdmissionConfig, deps: AdmissionDeps): Promise<ProxyResult> {
  if (existing.requestHash !== undefined && existing.requestHash !== hash) {
    throw new ClientError(422, 'IdempotencyKeyReused', 'This Idempotency-Key was already used with a different body; use a new key for a new job.');
  }
  if (existing.enqueued === false) {
    const age = deps.now() - (existing.createdAt ?? 0);
    if (age < STALE_ADMISSION_MS) throw new IdempotencyConflictError();
    // The first admission stopped between recording and enqueueing: enqueue now. The worker's
    // claim on the job id makes a second copy harmless.
    try {
      await enqueue(deps, config, existing.jobId, req);
    } catch (e) {
      throw dependencyError('SQS', e);
    }
  }
  return accepted(event, existing.jobId, existing.status, true);
}

function accepted(event: ProxyEvent, jobId: string, status: string, replayed = false): ProxyResult {
  // The request path includes the stage on the default execute-api domain, so the status URL is
  // built from it and stays right behind a custom domain too.
  const base = (event.requestContext?.path ?? '/jobs').replace(/\/+$/, '');
  const statusUrl = `${base}/${jobId}`;
  const headers: Record<string, string> = { Location: statusUrl };
  if (replayed) headers['Idempotent-Replayed'] = 'true';
  return json(202, { jobId, status, statusUrl }, headers);
}
