import { createHash, randomUUID } from 'crypto';
import { AttributeValue, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { admissionCap, CostModel, rejectionDepthBound, requestCostUnits, requestElements, retryAfterSeconds } from '../../lib/core/queue-formulas';
import { fromItem, isConditionFailed, JobRecord, N, S } from '../shared/dynamo';
import {
  BacklogFullError, ClientError, dependencyError, HandlerError, IdempotencyConflictError, RequestProblem, ShareFullError,
} from '../shared/errors';
import { callerScope, errorResponse, header, json, ProxyEvent, ProxyResult } from '../shared/http';
import { IDEMPOTENCY_KEY_PATTERN, JobMessage, JobStatus, jobIdForKey, payloadKey, requestHash } from '../shared/job';
import { ADMISSION_LEDGER_KEY, costFields, HELD, HeldUnits, KEY_ATTRIBUTE_PREFIX, release, TIER_ATTRIBUTE_PREFIX } from '../shared/ledger';
import { queueDepth } from '../shared/queue-depth';
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
  /** How a request is priced in cost units. */
  readonly cost: CostModel;
  /** Cost units (admitted, not yet finished) the queue may hold. */
  readonly costBudgetUnits: number;
  /** Cost units per second the workers drain. */
  readonly drainUnitsPerSecond: number;
  /** Largest cost one worker call serves within its deadline; dearer jobs get 413. */
  readonly maxJobCostUnits: number;
  /**
   * Whether admission holds cost units in the ledger: only when the queue's consumer gives them back
   * (the Lambda worker does; an external consumer says so). Without it the shares are not enforced.
   * @default true
   */
  readonly costLedger?: boolean;
  /** Tiers, lowest first: the units each tier, and each API key of it, may hold. */
  readonly tiers: readonly CostTier[];
  /** Tier of each API key id (usage-plan keys); other callers are in the first (lowest) tier. */
  readonly keyTiers: Readonly<Record<string, string>>;
}

/** A tier's share of the cost budget, in units. */
export interface CostTier {
  readonly name: string;
  /** Units the tier's jobs may hold together. */
  readonly budgetUnits: number;
  /** Units one API key (principal) of the tier may hold. */
  readonly keyBudgetUnits: number;
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

export { ADMISSION_LEDGER_KEY, HELD };

/** One environment's reading: the ledger counter, then the queue depth, and when. */
interface Reading {
  /** Jobs ever admitted (the ledger counter) when the reading started. */
  readonly admitted: number;
  /** Visible + in flight + delayed messages, read after the counter. */
  readonly depth: number;
  readonly at: number;
}

/**
 * Bounded admission across every execution environment, for any arrival pattern.
 *
 * A ledger item in the job table counts every job ever admitted (`admitted`, only ever increased,
 * with one conditional `UpdateItem` per admitted job). An environment reads the counter `A_r`
 * (consistent read) and then the queue depth `D_r` (SQS `GetQueueAttributes`) once per cache TTL.
 * Jobs counted in `A_r` have either left the queue by the time of the depth read, are still in it
 * (counted in `D_r`), or are between their counter increment and their `SendMessage` (at most
 * one per other environment: Lambda runs one request per environment). So at least
 * `A_r - D_r - (N - 1)` jobs had left, and jobs never come back once gone. The environment admits
 * a job only if the conditional increment succeeds with
 *
 *     admitted < cap_r = A_r + budget - D_r
 *
 * After such an increment, to `A <= cap_r`, the jobs in the queue or on their way to it number
 * `A - left <= cap_r - (A_r - D_r - (N - 1)) = budget + N - 1`. The argument uses nothing but the
 * admitting environment's own reading and the counter's atomicity, so it holds for whatever mix
 * of readings other environments hold, however old, and whatever order requests arrive in: one
 * fast environment and many slow ones, or bursts as every cache expires at once. An old reading
 * only makes `cap_r` conservative (jobs that left since are not credited). The slack is `N - 1`
 * (the reserved concurrency minus one) plus whatever SQS's approximate counters lag behind.
 *
 * Cost: one extra DynamoDB write per admitted job; per reading one `GetItem` and one
 * `GetQueueAttributes`, at most twice per cache TTL (on expiry, and once early on reaching the
 * cap). While rejecting, an environment that has seen the cap reached answers 429 without any AWS
 * call until its reading expires. One item takes every increment, so
 * admission is capped at about 1,000 jobs per second: the write limit of one DynamoDB
 * partition (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html).
 * A job whose enqueue fails keeps its increment: it counts as gone at the next reading, which
 * errs on the safe side until then.
 *
 * Retry-After: any admission leaves at most `budget + N - 1` jobs, and a depth `D_r` read above
 * the budget (e.g. messages sent by other producers) at most `D_r + N - 1`. The drain estimate is
 * computed from `max(D_r, budget) + N - 1`, an upper bound of the true backlog, so it is never
 * below the true drain time at the profiled drain rate.
 */
export class DepthGauge {
  private reading?: Reading;
  /** Largest counter value this environment has seen since its reading. */
  private seen = 0;
  private refreshing?: Promise<void>;
  /** True once the reading has been renewed early (on reaching the cap) since the cache last expired. */
  // Stryker disable next-line BooleanLiteral: equivalent, the first request always takes the expiry path, which sets it to false
  private rereadEarly = false;

  constructor(private readonly config: AdmissionConfig, private readonly sqs: SQSClient, private readonly now: () => number) {}

  /**
   * Reserves one slot in the ledger and the job's cost units (globally, for its tier and for its
   * key) in the same conditional write, or says which limit refused it and the Retry-After (s).
   */
  public async reserve(ddb: DynamoDBClient, job: JobCost = NO_COST): Promise<Reservation> {
    const c = this.config;
    if (this.reading === undefined || this.now() - this.reading.at >= c.depthCacheTtlMs) {
      this.rereadEarly = false;
      await this.refreshOnce(ddb);
    } else if (this.seen >= this.cap(this.reading) && !this.rereadEarly) {
      // The counter and the depth are two reads: jobs sent between them are counted as queued but
      // not as admitted, which only lowers the cap. One early re-read per cache TTL corrects that
      // without letting a flood of rejected requests read on every call.
      this.rereadEarly = true;
      await this.refreshOnce(ddb);
    }
    const r = this.reading!;
    const cap = this.cap(r);
    if (this.seen < cap) {
      // Only a costed job's write names attributes: DynamoDB refuses an empty ExpressionAttributeNames
      // (ValidationException "ExpressionAttributeNames must not be empty"), which moto accepts. AWS's own
      // data mapper sets the map only when a name was substituted for this reason
      // (https://github.com/awslabs/dynamodb-data-mapper-js/pull/24); moto validates it on GetItem only
      // (https://github.com/getmoto/moto/pull/4393, checked against AWS).
      let names: Record<string, string> | undefined;
      const values: Record<string, AttributeValue> = { ':one': N(1), ':cap': N(cap) };
      let add = 'ADD admitted :one';
      let condition = '(attribute_not_exists(admitted) OR admitted < :cap)';
      if (job.units > 0) {
        // Cost units beside the message counter: held units of the queue, the tier and the key,
        // each only ever <= its limit after a successful write: DynamoDB checks the condition and
        // writes the item in one atomic step (conditional writes,
        // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate).
        // One top-level attribute per tier and per key rather than a map: ADD creates a missing
        // number attribute as 0 + value, where a nested path needs its map to exist first
        // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
        // A refused write returns the item as it was (ReturnValuesOnConditionCheckFailure, API_UpdateItem),
        // which names the limit without another read.
        names = { '#t': job.tierAttribute, '#k': job.keyAttribute };
        Object.assign(values, { ':c': N(job.units), ':g': N(round3(c.costBudgetUnits - job.units)), ':tl': N(round3(job.tier.budgetUnits - job.units)), ':kl': N(round3(job.tier.keyBudgetUnits - job.units)) });
        add += `, ${HELD} :c, #t :c, #k :c`;
        condition += ` AND (attribute_not_exists(${HELD}) OR ${HELD} <= :g) AND (attribute_not_exists(#t) OR #t <= :tl) AND (attribute_not_exists(#k) OR #k <= :kl)`;
      }
      try {
        const out = await ddb.send(new UpdateItemCommand({
          TableName: c.tableName,
          Key: { jobId: S(ADMISSION_LEDGER_KEY) },
          UpdateExpression: add,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        this.seen = Math.max(this.seen, Number(out.Attributes?.admitted?.N ?? 0));
        return { admitted: true, tierUnits: Number(out.Attributes?.[job.tierAttribute]?.N ?? 0) };
      } catch (e) {
        if (!isConditionFailed(e)) throw dependencyError('DynamoDB', e);
        // The item as it was (a refused condition means it exists). A job without units exceeds no
        // unit limit, so refusedBy names none for it.
        const refused = this.refusedBy((e as { Item?: Record<string, AttributeValue> }).Item ?? {}, job);
        if (refused) return refused;
        // Other environments took the rest of this reading's budget.
        this.seen = Math.max(this.seen, cap);
      }
    }
    return { admitted: false, limit: 'queue', retryAfterSeconds: retryAfterSeconds(rejectionDepthBound(r.depth, c.depthBudget, c.environments), c.depthBudget, c.drainRatePerSecond, c.resumeFraction, c.maxRetryAfterSeconds) };
  }

  /**
   * Which cost limit the ledger item refused a job on, from the item as it was. Retry-After is the
   * time to drain every unit the queue holds down to the resume fraction of the limit hit: the
   * key's or the tier's jobs may sit behind all the others, so the whole backlog is the upper bound.
   */
  private refusedBy(old: Record<string, AttributeValue>, job: JobCost): Reservation | undefined {
    const c = this.config;
    const held = Number(old[HELD]?.N ?? 0);
    const tierHeld = Number(old[job.tierAttribute]?.N ?? 0);
    const keyHeld = Number(old[job.keyAttribute]?.N ?? 0);
    const wait = (units: number, limit: number) => retryAfterSeconds(units, limit, c.drainUnitsPerSecond, c.resumeFraction, c.maxRetryAfterSeconds);
    if (keyHeld + job.units > job.tier.keyBudgetUnits) return { admitted: false, limit: 'key', limitUnits: job.tier.keyBudgetUnits, retryAfterSeconds: wait(held, 0) };
    if (tierHeld + job.units > job.tier.budgetUnits) return { admitted: false, limit: 'tier', limitUnits: job.tier.budgetUnits, retryAfterSeconds: wait(held, 0) };
    if (held + job.units > c.costBudgetUnits) return { admitted: false, limit: 'queue', limitUnits: c.costBudgetUnits, retryAfterSeconds: wait(held, c.costBudgetUnits) };
    return undefined;
  }

  private cap(reading: Reading): number {
    return admissionCap(reading.admitted, reading.depth, this.config.depthBudget);
  }

  /** One refresh at a time: requests that arrive while it runs share its result. */
  private async refreshOnce(ddb: DynamoDBClient): Promise<void> {
    this.refreshing ??= this.refresh(ddb).finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  private async refresh(ddb: DynamoDBClient): Promise<void> {
    // The counter first, then the depth: the order the bound's argument needs.
    let admitted: number;
    try {
      const out = await ddb.send(new GetItemCommand({ TableName: this.config.tableName, Key: { jobId: S(ADMISSION_LEDGER_KEY) }, ConsistentRead: true }));
      admitted = Number(out.Item?.admitted?.N ?? 0);
    } catch (e) {
      throw dependencyError('DynamoDB', e);
    }
    let depth: number;
    try {
      depth = await queueDepth(this.sqs, this.config.queueUrl);
    } catch (e) {
      throw dependencyError('SQS', e);
    }
    this.reading = { admitted, depth, at: this.now() };
    this.seen = admitted;
  }
}

interface ParsedRequest {
  readonly body: string;
  readonly contentType: string;
  readonly idempotencyKey?: string;
  /** Elements the body's instances carry (variable dimensions at the length sent). */
  readonly elements: number;
}

/** What a job costs, its tier, and whose counters it is charged to. */
export interface JobCost extends HeldUnits {
  readonly tier: CostTier;
}

const NO_COST: JobCost = { units: 0, tier: { name: '', budgetUnits: 0, keyBudgetUnits: 0 }, tierAttribute: '', keyAttribute: '' };

/** The outcome of a reservation: admitted, or refused by the queue's, the tier's or the key's limit. */
export type Reservation =
  | { readonly admitted: true; readonly tierUnits: number }
  | { readonly admitted: false; readonly limit: 'queue' | 'tier' | 'key'; readonly retryAfterSeconds: number; readonly limitUnits?: number };

/**
 * The cost of a request and the counters it is charged to. The key is the authenticated caller
 * (authorizer principal, Cognito subject or API key id); its ledger attribute is a hash of it, so
 * any identifier fits and none is stored. The tier comes from the caller's usage-plan API key.
 */
export function jobCost(event: ProxyEvent, elements: number, config: AdmissionConfig): JobCost {
  const apiKeyId = event.requestContext?.identity?.apiKeyId;
  const tierName = typeof apiKeyId === 'string' ? config.keyTiers[apiKeyId] : undefined;
  const tier = config.tiers.find((t) => t.name === tierName) ?? config.tiers[0];
  const key = createHash('sha256').update(callerScope(event)).digest('base64url').slice(0, 16);
  return { units: requestCostUnits(elements, config.cost), tier, tierAttribute: `${TIER_ATTRIBUTE_PREFIX}${tier.name}`, keyAttribute: `${KEY_ATTRIBUTE_PREFIX}${key}` };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Checks content type, size, JSON syntax, the model schema and the idempotency key. Throws a 4xx ClientError. */
export function parseRequest(event: ProxyEvent, config: AdmissionConfig, validate: BodyValidator): ParsedRequest {
  const contentType = header(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ClientError(415, 'UnsupportedMediaType', `Content-Type must be application/json, got ${JSON.stringify(contentType)}.`);
  }
  const raw: unknown = event.body ?? '';
  if (typeof raw !== 'string') {
    // API Gateway always passes the body as a string; anything else is a malformed event.
    throw new ClientError(400, 'MalformedJson', `The body must be JSON text, got a ${Array.isArray(raw) ? 'array' : typeof raw}.`);
  }
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
  const elements = requestElements(parsed);
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new ClientError(400, 'InvalidIdempotencyKey', 'Idempotency-Key must be 1 to 128 visible ASCII characters.', [
      { path: 'header:Idempotency-Key', message: 'must match [\\x21-\\x7e]{1,128}' },
    ]);
  }
  return { body, contentType: mediaType, idempotencyKey, elements };
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
      if (existing) return await replay(existing, hash, req, event, config, deps, gauge);
    }

    const priced = jobCost(event, req.elements, config);
    if (priced.units > config.maxJobCostUnits) {
      throw new ClientError(413, 'JobTooCostly', `This job costs ${priced.units} cost units (${req.elements} elements); one worker call serves at most maxJobCostUnits = ${config.maxJobCostUnits} units within its deadline. Split the instances over several jobs.`);
    }
    // Units are held only where a consumer gives them back (costLedger); the job still counts
    // against the depth bound.
    const cost = config.costLedger === false ? { ...priced, units: 0 } : priced;
    const slot = await gauge.reserve(deps.ddb, cost);
    const dims = { [ADMISSION_METRICS.dimension]: config.queueName };
    if (!slot.admitted) {
      deps.log(emfLine(ADMISSION_METRICS.namespace, dims, { [ADMISSION_METRICS.rejected]: 1 }, deps.now()));
      if (slot.limit === 'queue') throw new BacklogFullError(slot.retryAfterSeconds);
      deps.log(emfLine(ADMISSION_METRICS.namespace, { ...dims, [ADMISSION_METRICS.tierDimension]: cost.tier.name },
        { [slot.limit === 'key' ? ADMISSION_METRICS.keyAtShare : ADMISSION_METRICS.tierAtShare]: 1 }, deps.now()));
      throw new ShareFullError(slot.limit, cost.tier.name, slot.limitUnits ?? 0, slot.retryAfterSeconds);
    }
    try {
      await createJob(deps, config, jobId, hash, cost);
    } catch (e) {
      await release(deps.ddb, config.tableName, cost);
      if (isConditionFailed(e)) {
        // Another request with the same key won the race.
        const existing = await getJob(deps, config, jobId);
        if (existing) return await replay(existing, hash, req, event, config, deps, gauge);
      }
      throw dependencyError('DynamoDB', e);
    }
    // The order makes a 202 mean "enqueued": the record (QUEUED, enqueued = false, units held) is
    // written first, then the message is sent, and only a sent message is answered 202. So every
    // accepted job has its message; a record without one is never answered 202.
    // - The record write fails: nothing was sent, the units go back, 503 + Retry-After.
    // - SendMessage fails (after the SDK's own retries): the caller gets 503 + Retry-After and
    //   the record is removed, so the status endpoint never shows a job that will not run. If
    //   SQS did take a message whose answer was lost, that message still runs: the worker's claim
    //   creates the record again (as for the direct integration), so the job is not dropped,
    //   merely unknown to a caller without an Idempotency-Key (with one, its retry lands on the
    //   same job id and the claim absorbs the second copy).
    // - The enqueued flag write fails after the send: the 202 stands (see enqueue).
    try {
      await enqueue(deps, config, jobId, req);
    } catch (e) {
      // Not enqueued as far as the caller is told: remove its record so a retry starts clean, and give its units back.
      await deps.ddb.send(new DeleteItemCommand({ TableName: config.tableName, Key: { jobId: S(jobId) } })).catch(() => undefined);
      await release(deps.ddb, config.tableName, cost).catch(() => undefined);
      throw dependencyError('SQS', e);
    }
    deps.log(emfLine(ADMISSION_METRICS.namespace, dims, { [ADMISSION_METRICS.admitted]: 1 }, deps.now()));
    // The tier's budget use, for the dashboard (Maximum per period).
    if (cost.units > 0) deps.log(emfLine(ADMISSION_METRICS.namespace, { ...dims, [ADMISSION_METRICS.tierDimension]: cost.tier.name }, { [ADMISSION_METRICS.tierUnitsHeld]: slot.tierUnits }, deps.now()));
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

async function createJob(deps: AdmissionDeps, config: AdmissionConfig, jobId: string, hash: string, cost: JobCost): Promise<void> {
  const now = deps.now();
  await deps.ddb.send(new PutItemCommand({
    TableName: config.tableName,
    Item: {
      jobId: S(jobId), status: S(JobStatus.QUEUED), createdAt: N(now), updatedAt: N(now), requestHash: S(hash),
      enqueued: { BOOL: false }, expiresAt: N(Math.floor(now / 1000) + config.jobTtlSeconds),
      // What the worker gives back to the ledger when the job is final (see releaseJob).
      ...costFields(cost),
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
async function replay(existing: JobRecord, hash: string, req: ParsedRequest, event: ProxyEvent, config: AdmissionConfig, deps: AdmissionDeps, gauge: DepthGauge): Promise<ProxyResult> {
  if (existing.requestHash !== undefined && existing.requestHash !== hash) {
    throw new ClientError(422, 'IdempotencyKeyReused', 'This Idempotency-Key was already used with a different body; use a new key for a new job.');
  }
  if (existing.enqueued === false) {
    const age = deps.now() - (existing.createdAt ?? 0);
    if (age < STALE_ADMISSION_MS) throw new IdempotencyConflictError();
    // The first admission stopped between recording and enqueueing: enqueue now. The worker's
    // claim on the job id makes a second copy harmless. The copy goes through the message ledger
    // like any job; its cost units are still held by the record, so they are not charged again.
    const slot = await gauge.reserve(deps.ddb);
    if (!slot.admitted) throw new BacklogFullError(slot.retryAfterSeconds);
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
  const path = event.requestContext?.path;
  const base = (typeof path === 'string' ? path : '/jobs').replace(/\/+$/, '');
  const statusUrl = `${base}/${jobId}`;
  const headers: Record<string, string> = { Location: statusUrl };
  if (replayed) headers['Idempotent-Replayed'] = 'true';
  return json(202, { jobId, status, statusUrl }, headers);
}
