import {
  LAMBDA_MAX_TIMEOUT_S, LAMBDA_SQS_BATCH_SIZE_MAX_WITHOUT_WINDOW, LAMBDA_SQS_MAX_CONCURRENCY_MAX, LAMBDA_SQS_MAX_CONCURRENCY_MIN,
  LAMBDA_SYNC_PAYLOAD_BYTES, ProblemCollector, SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT, SQS_MAX_MESSAGE_BYTES,
  SQS_MAX_RECEIVE_COUNT_MIN, SQS_RETENTION_MAX_S, SQS_RETENTION_MIN_S,
  SQS_VISIBILITY_TIMEOUT_MAX_S, SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR,
} from '../core';
import { CostModel, referenceElements, requestCostUnits, retryAfterSeconds, DEFAULT_FIXED_COST_SHARE, WORKER_SAFETY_MARGIN_MS } from '../core/queue-formulas';
import { ModelSignature } from '../model/model-signature';
import { MAX_RECEIVE_COUNT_BOUND } from '../nag/rules/sqs/SQSDeadLetterQueue';
import { InferenceProfile } from './inference-profile';
import { LIMIT_DEFAULTS } from './limits';
import { ceilInt, floorInt } from '../core/rounding';
import type { BackendCapabilities } from './backend-capabilities';
import { FormulaBook } from './private/formula-book';

/** Options of `deriveQueueLimits`. Every value left out is derived from the profile. */
export interface QueueLimitOptions {
  /**
   * The backend the workers call: its throughput and concurrency per scaling unit size the
   * worker pool (one request at a time per serverless invocation, the profile's concurrency per
   * instance or task).
   * @default - the profile's throughput and sustainable concurrency per instance
   */
  readonly backend?: BackendCapabilities;
  /**
   * Model instances (or tasks) at most, as for the synchronous path: the cost ceiling.
   * @default 2
   */
  readonly maxInstances?: number;
  /**
   * Per-call model deadline as a multiple of the profile's p99.
   * @default 3
   */
  readonly timeoutFactor?: number;
  /**
   * Longest a job may wait in the queue before a worker picks it up (s): the queue SLO. Sets the
   * depth budget and the age alarm.
   * @default 300
   */
  readonly acceptableWaitSeconds?: number;
  /**
   * Concurrent workers (the event source's `maxConcurrency`), i.e. concurrent model calls.
   * @default - maxInstances x sustainableConcurrency, within 2..1000
   */
  readonly maxWorkers?: number;
  /**
   * Messages per worker invocation. They are processed one after the other.
   * @default - floor(1000 ms / p99), within 1..10
   */
  readonly batchSize?: number;
  /**
   * Time a worker needs besides model calls (s): result writes, SDK retries, cold start.
   * At least 2: the worker keeps 2 s of every invocation for writing results.
   * @default 5
   */
  readonly workerMarginSeconds?: number;
  /**
   * Queue visibility timeout (s). Must be at least 6 x the worker timeout.
   * @default - 6 x worker timeout
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Main queue message retention (s). The dead-letter queue keeps messages 14 days, which must be longer.
   * @default 345600 (4 days)
   */
  readonly messageRetentionSeconds?: number;
  /**
   * Concurrent admission environments the depth-budget slack is planned for; reserved for (and
   * capping) the admission function only with `InferenceQueueProps.reserveAdmissionConcurrency`.
   * @default 10
   */
  readonly admissionReservedConcurrency?: number;
  /**
   * How long an admission environment reuses a queue-depth reading (s).
   * @default 5
   */
  readonly depthCacheTtlSeconds?: number;
  /**
   * Share of the budget the backlog must drain to before rejected clients are told to come back.
   * @default 0.5
   */
  readonly resumeFraction?: number;
  /**
   * The request signature that prices jobs in cost units: one unit is one instance with every
   * variable dimension at its largest.
   * @default - no signature: every job costs one unit
   */
  readonly signature?: ModelSignature;
  /**
   * Cost units of the request the profile's latency and throughput were measured with (`kig
   * profile` runs its load steps with the largest payload).
   * @default - the largest request the signature admits (maxBatchSize units)
   */
  readonly profiledRequestCostUnits?: number;
  /**
   * Share of one reference inference's time that does not grow with the request's size (0..0.9).
   * @default - measured from the profile's `payloadSizes` when it has two sizes or more, else 0.1
   */
  readonly fixedCostShare?: number;
  /**
   * Usage-plan tiers, lowest first: each tier's share of the cost budget and each API key's share.
   * @default - one tier, `default`, with the whole budget; one key holds at most `keyShare` of it
   */
  readonly tiers?: QueueTierSpec[];
  /**
   * Integration timeout of the synchronous `/predict` path (ms), for its cost threshold.
   * @default - min(29 s, max(5 s, p99 x timeoutFactor) + 1 s), as `deriveLimits` sets it
   */
  readonly integrationTimeoutMs?: number;
  /**
   * Share of the cost budget one API key (or authenticated principal) may hold when no tiers are given (0..1).
   * @default 0.25
   */
  readonly keyShare?: number;
  /**
   * Cost (units) above which a request belongs on `POST /jobs` rather than `POST /predict`. The
   * service narrows the `/predict` request schema to it (`syncMaxBatchSize`, `syncMaxVariableDim`).
   * @default - profiledRequestCost x integrationTimeout / p99: what keeps a call's p99 within the integration timeout at the knee
   */
  readonly syncCostThresholdUnits?: number;
}

/** A usage-plan tier of the job queue. */
export interface QueueTierSpec {
  /** Tier name: the usage plan's tier (`basic`, `premium`). */
  readonly name: string;
  /**
   * Share of the cost budget one API key of this tier may hold at once (0..1).
   * @default - the tier's own budget share
   */
  readonly keyShare?: number;
  /**
   * Share of the cost budget the tier's jobs may hold together (0..1). What lower tiers leave
   * free is what a higher tier can always use.
   * @default - (rank + 1) / (tiers + 1), lowest first: with three tiers 0.25, 0.5, 0.75
   */
  readonly budgetShare?: number;
}

/** A tier's numbers, in cost units. */
export interface QueueTierLimits {
  readonly name: string;
  /** Units the tier's jobs may hold together. */
  readonly budgetUnits: number;
  /** Units one API key of the tier may hold. */
  readonly keyBudgetUnits: number;
}

/** Every number the queue constructs and handlers use, with the formula that produced it. */
export interface QueueLimits {
  /** Deadline of one model call (ms). */
  readonly perCallDeadlineMs: number;
  /** Messages per worker invocation. */
  readonly batchSize: number;
  /** Worker function timeout (s). */
  readonly workerTimeoutSeconds: number;
  /** Queue visibility timeout (s), >= 6 x worker timeout. */
  readonly visibilityTimeoutSeconds: number;
  /** Redrive maxReceiveCount. */
  readonly maxReceiveCount: number;
  /** Event source maxConcurrency: concurrent workers, so concurrent model calls. */
  readonly maxWorkers: number;
  /** Messages per second the workers drain at the measured throughput. */
  readonly drainRatePerSecond: number;
  /** Messages (visible + in flight) the admission accepts before answering 429. */
  readonly depthBudget: number;
  /** Queue SLO: longest wait before pick-up (s). */
  readonly acceptableWaitSeconds: number;
  /** Alarm threshold on ApproximateAgeOfOldestMessage (s). */
  readonly ageOfOldestMessageBudgetSeconds: number;
  /** Retry-After (s) told to a client rejected at exactly the budget. */
  readonly retryAfterAtBudgetSeconds: number;
  /** Fraction of the budget the backlog drains to before clients are told to retry. */
  readonly resumeFraction: number;
  /** Main queue retention (s). */
  readonly messageRetentionSeconds: number;
  /** Dead-letter queue retention (s). */
  readonly deadLetterRetentionSeconds: number;
  /** Reserved concurrency of the admission function. */
  readonly admissionReservedConcurrency: number;
  /** Depth cache lifetime in each admission environment (s). */
  readonly depthCacheTtlSeconds: number;
  /** Messages the queue may exceed the budget by, from concurrent admission environments. */
  readonly admissionSlackMessages: number;
  /** Largest message body sent inline; larger payloads go to S3 (claim check). */
  readonly maxInlineMessageBytes: number;
  /** Largest request body the admission accepts (bytes). */
  readonly maxRequestBytes: number;
  /** Base of the retry backoff (s). */
  readonly retryBackoffBaseSeconds: number;
  /** GPU time one poison message can burn before it reaches the DLQ (ms). */
  readonly poisonMessageCostMs: number;
  /** How the handlers price a request: elements of one reference inference and the fixed share. */
  readonly costModel: CostModel;
  /** Cost units of the dearest request the signature admits. */
  readonly maxRequestCostUnits: number;
  /** Cost units of the request the profile measured (its throughput is in such requests). */
  readonly profiledRequestCostUnits: number;
  /** Largest cost one worker call serves within the per-call deadline; dearer jobs get 413. */
  readonly maxJobCostUnits: number;
  /** Cost units per second the workers drain. */
  readonly drainUnitsPerSecond: number;
  /** Cost units (admitted, not yet final) the queue may hold: the cost budget. */
  readonly costBudgetUnits: number;
  /** Each tier's share of the cost budget, lowest first. */
  readonly tiers: QueueTierLimits[];
  /**
   * Cost above which `/predict` is the wrong path: what one call can carry while its p99 stays
   * within the integration timeout at the knee. Heavier work belongs on `POST /jobs`.
   */
  readonly syncCostThresholdUnits: number;
  /**
   * Largest batch the `/predict` request schema admits so that every request it admits costs at
   * most `syncCostThresholdUnits` (`maxItems` of `instances`); the signature's own when that already holds.
   */
  readonly syncMaxBatchSize: number;
  /**
   * Bound of every variable dimension on `/predict` (`maxItems` of each variable array): the
   * signature's own unless one instance at it already costs more than the threshold; 0 when the
   * signature has no variable dimension.
   */
  readonly syncMaxVariableDim: number;
  /** Cost of the dearest request the narrowed `/predict` schema admits: at most `syncCostThresholdUnits`. */
  readonly syncMaxRequestCostUnits: number;
  /** For each number, the formula and inputs that produced it. */
  readonly formulas: { [path: string]: string };
}

/** Defaults of `deriveQueueLimits`, documented in the README. */
export const QUEUE_LIMIT_DEFAULTS = {
  acceptableWaitSeconds: 300,
  workerMarginSeconds: 5,
  /** Aim for about one second of model work per worker invocation. */
  targetInvocationWorkMs: 1_000,
  maxReceiveCount: SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT,
  /** The SQS default retention: long enough to ride out a weekend outage of the model. */
  messageRetentionSeconds: 345_600,
  admissionReservedConcurrency: 10,
  depthCacheTtlSeconds: 5,
  resumeFraction: 0.5,
  /** Fixed share of a call's time when the profile has no input-size sensitivity: a guess, stated as one. */
  fixedCostShare: DEFAULT_FIXED_COST_SHARE,
  keyShare: 0.25,
  /** API Gateway's REST integration timeout default and maximum (ms), for the synchronous threshold. */
  syncIntegrationTimeoutMs: 29_000,
  /**
   * Inline message cap: SQS bills each 64 KiB chunk, and a batch must fit the 6 MB synchronous
   * invocation payload of the worker, so larger bodies are cheaper and safer in S3.
   */
  maxInlineMessageBytes: 262_144,
  /** Room for the event envelope around the body of an API Gateway proxy or SQS event. */
  eventEnvelopeBytes: 65_536,
  payloadHeadroom: 1.25,
} as const;

/**
 * Derives the queue's numbers from a measured profile. Pure: the same profile and options always
 * give the same limits. Throws one error listing every broken invariant.
 */
export function deriveQueueLimits(profile: InferenceProfile, options: QueueLimitOptions = {}): QueueLimits {
  const D = QUEUE_LIMIT_DEFAULTS;
  const f = new FormulaBook();
  // Per scaling unit of the backend (instance, task, concurrent invocation).
  const unitRps = options.backend?.throughputPerUnitRps ?? profile.throughputPerInstanceRps;
  const unitConcurrency = options.backend?.concurrencyPerUnit ?? profile.sustainableConcurrency;
  const c = new ProblemCollector('QUEUE_LIMITS_INVALID', `queue limits for ${profile.model} on ${profile.hardware}`);
  const p99 = profile.latencyMs.p99;

  const maxInstances = options.maxInstances ?? LIMIT_DEFAULTS.maxInstances;
  const timeoutFactor = options.timeoutFactor ?? LIMIT_DEFAULTS.timeoutFactor;
  const acceptableWaitSeconds = options.acceptableWaitSeconds ?? D.acceptableWaitSeconds;
  const marginSeconds = options.workerMarginSeconds ?? D.workerMarginSeconds;
  const maxReceiveCount = options.maxReceiveCount ?? D.maxReceiveCount;
  const messageRetentionSeconds = options.messageRetentionSeconds ?? D.messageRetentionSeconds;
  const admissionReservedConcurrency = options.admissionReservedConcurrency ?? D.admissionReservedConcurrency;
  const depthCacheTtlSeconds = options.depthCacheTtlSeconds ?? D.depthCacheTtlSeconds;
  const resumeFraction = options.resumeFraction ?? D.resumeFraction;

  // Every option feeds a formula: NaN, Infinity or a token would come out as nonsense.
  for (const k of ['maxInstances', 'timeoutFactor', 'acceptableWaitSeconds', 'workerMarginSeconds', 'maxReceiveCount', 'messageRetentionSeconds',
    'admissionReservedConcurrency', 'depthCacheTtlSeconds', 'resumeFraction', 'batchSize', 'visibilityTimeoutSeconds', 'maxWorkers'] as const) {
    c.concreteNumber(k, options[k]);
  }
  c.intInRange('maxInstances', maxInstances, 1, 10_000);
  c.numberInRange('timeoutFactor', timeoutFactor, 1, 100);
  c.intInRange('acceptableWaitSeconds', acceptableWaitSeconds, 1, SQS_RETENTION_MAX_S, 'set the longest a job may wait before a worker picks it up');
  // The worker keeps WORKER_SAFETY_MARGIN_MS of each invocation for its writes: a smaller margin
  // would leave the last message of every batch too little time, and it would be handed back
  // unprocessed on every delivery until it reached the dead-letter queue.
  const minMarginSeconds = Math.ceil(WORKER_SAFETY_MARGIN_MS / 1000);
  c.intInRange('workerMarginSeconds', marginSeconds, minMarginSeconds, 300,
    `set workerMarginSeconds between ${minMarginSeconds} and 300: the worker keeps ${minMarginSeconds} s of every invocation for writing results, so a smaller margin leaves the batch's last message no time`);
  // The library's own review rule (SQSDeadLetterQueue) refuses more: a poison message would hold a worker that long.
  c.intInRange('maxReceiveCount', maxReceiveCount, SQS_MAX_RECEIVE_COUNT_MIN, MAX_RECEIVE_COUNT_BOUND,
    `set maxReceiveCount between ${SQS_MAX_RECEIVE_COUNT_MIN} and ${MAX_RECEIVE_COUNT_BOUND}, the bound the InferenceGuard-SQSDeadLetterQueue rule checks`);
  c.intInRange('messageRetentionSeconds', messageRetentionSeconds, SQS_RETENTION_MIN_S, SQS_RETENTION_MAX_S - 1,
    `keep it below ${SQS_RETENTION_MAX_S} s so the 14-day dead-letter queue outlives it`);
  c.intInRange('admissionReservedConcurrency', admissionReservedConcurrency, 1, 1_000);
  c.numberInRange('depthCacheTtlSeconds', depthCacheTtlSeconds, 0, 60, 'a stale depth admits more than the budget; keep it short');
  c.numberInRange('resumeFraction', resumeFraction, 0, 1);

  // ---- per-call deadline and batch --------------------------------------------------------
  // Same deadline as the synchronous model-server timeout, so one request costs the same
  // wherever it goes.
  const perCallDeadlineMs = Math.max(1_000, ceilInt(p99 * timeoutFactor));
  f.set('perCallDeadlineMs', `max(1000 ms, ceil(p99 ${p99} ms x timeoutFactor ${timeoutFactor})) = ${perCallDeadlineMs} ms`);
  const derivedBatch = Math.min(LAMBDA_SQS_BATCH_SIZE_MAX_WITHOUT_WINDOW, Math.max(1, floorInt(D.targetInvocationWorkMs / p99)));
  const batchSize = f.pick('batchSize', options.batchSize, derivedBatch,
    `clamp(1..${LAMBDA_SQS_BATCH_SIZE_MAX_WITHOUT_WINDOW}, floor(${D.targetInvocationWorkMs} ms of work per invocation / p99 ${p99} ms)) = ${derivedBatch}`);
  c.intInRange('batchSize', batchSize, 1, LAMBDA_SQS_BATCH_SIZE_MAX_WITHOUT_WINDOW, 'larger batches need a batching window, which delays jobs; keep 1..10');

  // ---- worker timeout and visibility ------------------------------------------------------
  // Messages of a batch are processed one after the other (processing them in parallel would
  // multiply model concurrency by the batch size), so the timeout covers the whole batch.
  const workerTimeoutSeconds = ceilInt((batchSize * perCallDeadlineMs) / 1000 + marginSeconds);
  f.set('workerTimeoutSeconds', `ceil(batchSize ${batchSize} x perCallDeadline ${perCallDeadlineMs} ms / 1000 + margin ${marginSeconds} s) = ${workerTimeoutSeconds} s`);
  c.require(workerTimeoutSeconds <= LAMBDA_MAX_TIMEOUT_S, 'workerTimeoutSeconds', workerTimeoutSeconds, `at most ${LAMBDA_MAX_TIMEOUT_S} s (the Lambda maximum)`,
    'lower batchSize or timeoutFactor, or serve this model through a SageMaker async endpoint (up to 1 h per call)');
  const minVisibility = SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR * workerTimeoutSeconds;
  const visibilityTimeoutSeconds = f.pick('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds, minVisibility,
    `${SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR} x workerTimeout ${workerTimeoutSeconds} s = ${minVisibility} s (AWS: >= 6 x the function timeout)`, 's');
  if (options.visibilityTimeoutSeconds !== undefined) f.append('visibilityTimeoutSeconds', `, checked >= ${SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR} x worker timeout = ${minVisibility} s`);
  c.require(visibilityTimeoutSeconds >= minVisibility, 'visibilityTimeoutSeconds', visibilityTimeoutSeconds,
    `>= ${SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR} x the worker timeout (${workerTimeoutSeconds} s) = ${minVisibility} s`,
    'raise the visibility timeout or lower the worker timeout, or a message still being processed is delivered to a second worker');
  c.intInRange('visibilityTimeoutSeconds', visibilityTimeoutSeconds, 0, SQS_VISIBILITY_TIMEOUT_MAX_S);

  // ---- redrive ---------------------------------------------------------------------------
  // Each receive of a poison message can cost one model call up to the per-call deadline.
  const poisonMessageCostMs = maxReceiveCount * perCallDeadlineMs;
  f.set('maxReceiveCount', `${options.maxReceiveCount !== undefined ? 'given' : 'default'} ${maxReceiveCount}: AWS recommends >= ${SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT} with Lambda; a poison message costs at most ${maxReceiveCount} x ${perCallDeadlineMs} ms = ${poisonMessageCostMs} ms of model time, and model 4xx answers are not retried at all`);

  // ---- workers and drain rate -------------------------------------------------------------
  const fleetConcurrency = maxInstances * unitConcurrency;
  const derivedWorkers = Math.min(LAMBDA_SQS_MAX_CONCURRENCY_MAX, Math.max(LAMBDA_SQS_MAX_CONCURRENCY_MIN, fleetConcurrency));
  const maxWorkers = f.pick('maxWorkers', options.maxWorkers, derivedWorkers,
    `clamp(${LAMBDA_SQS_MAX_CONCURRENCY_MIN}..${LAMBDA_SQS_MAX_CONCURRENCY_MAX}, maxInstances ${maxInstances} x sustainableConcurrency ${unitConcurrency}) = ${derivedWorkers}`
      + (fleetConcurrency < LAMBDA_SQS_MAX_CONCURRENCY_MIN ? ' (the event source cannot go below 2; the model sees at most 2 concurrent calls)' : ''));
  c.intInRange('maxWorkers', maxWorkers, LAMBDA_SQS_MAX_CONCURRENCY_MIN, LAMBDA_SQS_MAX_CONCURRENCY_MAX);
  c.require(maxWorkers <= Math.max(LAMBDA_SQS_MAX_CONCURRENCY_MIN, fleetConcurrency), 'maxWorkers', maxWorkers,
    `<= maxInstances x sustainableConcurrency (${fleetConcurrency})`, 'more workers than the fleet serves at its knee only queue calls inside the model server and raise latency; lower maxWorkers or raise maxInstances');
  const perWorkerRps = unitRps / unitConcurrency;
  const drainRatePerSecond = round3(Math.min(maxWorkers * perWorkerRps, maxInstances * unitRps));
  f.set('drainRatePerSecond', `min(maxWorkers ${maxWorkers} x throughput ${unitRps} / sustainableConcurrency ${unitConcurrency}, maxInstances ${maxInstances} x throughput ${unitRps}) = ${drainRatePerSecond} jobs/s`);

  // ---- budget -----------------------------------------------------------------------------
  const depthBudget = Math.max(1, floorInt(drainRatePerSecond * acceptableWaitSeconds));
  f.set('depthBudget', `max(1, floor(drainRate ${drainRatePerSecond} jobs/s x acceptableWait ${acceptableWaitSeconds} s)) = ${depthBudget} messages (visible + in flight)`);
  const ageOfOldestMessageBudgetSeconds = acceptableWaitSeconds + workerTimeoutSeconds;
  f.set('ageOfOldestMessageBudgetSeconds', `acceptableWait ${acceptableWaitSeconds} s + workerTimeout ${workerTimeoutSeconds} s (a message is counted until it is deleted after processing) = ${ageOfOldestMessageBudgetSeconds} s`);
  const retryAfterAtBudgetSeconds = retryAfterSeconds(depthBudget, depthBudget, drainRatePerSecond, resumeFraction, acceptableWaitSeconds);
  f.set('retryAfterSeconds', `clamp(1..acceptableWait ${acceptableWaitSeconds}, ceil((depth - resumeFraction ${resumeFraction} x budget ${depthBudget}) / drainRate ${drainRatePerSecond})); at the budget: ${retryAfterAtBudgetSeconds} s`);
  const admissionSlackMessages = admissionReservedConcurrency;
  f.set('admissionSlackMessages', `admissionReservedConcurrency ${admissionReservedConcurrency}: each environment admits at most max(1, floor(remaining / ${admissionReservedConcurrency})) per depth reading (cache ${depthCacheTtlSeconds} s), so together at most the remaining budget + 1 each`);

  // ---- cost units ---------------------------------------------------------------------------
  const cost = costLimits(profile, options, perCallDeadlineMs, drainRatePerSecond, acceptableWaitSeconds, c, f);

  // ---- retention --------------------------------------------------------------------------
  // A message that fails on every delivery must reach the DLQ before it expires, or it is lost.
  const lifetimeSeconds = ageOfOldestMessageBudgetSeconds + maxReceiveCount * visibilityTimeoutSeconds;
  f.set('messageRetentionSeconds', `${options.messageRetentionSeconds !== undefined ? 'given' : 'default'} ${messageRetentionSeconds} s, checked >= ageBudget ${ageOfOldestMessageBudgetSeconds} s + maxReceiveCount ${maxReceiveCount} x visibility ${visibilityTimeoutSeconds} s = ${lifetimeSeconds} s`);
  c.require(messageRetentionSeconds >= lifetimeSeconds, 'messageRetentionSeconds', messageRetentionSeconds,
    `>= ${lifetimeSeconds} s (age budget + maxReceiveCount x visibility timeout)`,
    'raise the retention, or lower maxReceiveCount or the visibility timeout: otherwise a failing message expires before it reaches the dead-letter queue');
  const deadLetterRetentionSeconds = SQS_RETENTION_MAX_S;
  f.set('deadLetterRetentionSeconds', `${SQS_RETENTION_MAX_S} s (14 days, the SQS maximum; standard-queue expiry counts from the original enqueue time, so it must exceed the main queue's ${messageRetentionSeconds} s)`);

  // ---- payloads ---------------------------------------------------------------------------
  const maxInlineMessageBytes = Math.min(D.maxInlineMessageBytes, SQS_MAX_MESSAGE_BYTES,
    floorInt((LAMBDA_SYNC_PAYLOAD_BYTES - D.eventEnvelopeBytes) / batchSize));
  f.set('maxInlineMessageBytes', `min(${D.maxInlineMessageBytes}, SQS ${SQS_MAX_MESSAGE_BYTES}, (Lambda payload ${LAMBDA_SYNC_PAYLOAD_BYTES} - envelope ${D.eventEnvelopeBytes}) / batchSize ${batchSize}) = ${maxInlineMessageBytes} bytes; larger payloads go to S3`);
  const maxRequestBytes = Math.min(LAMBDA_SYNC_PAYLOAD_BYTES - D.eventEnvelopeBytes, ceilInt(profile.maxRequestBytes * D.payloadHeadroom));
  f.set('maxRequestBytes', `min(Lambda payload ${LAMBDA_SYNC_PAYLOAD_BYTES} - envelope ${D.eventEnvelopeBytes}, profile.maxRequestBytes ${profile.maxRequestBytes} x ${D.payloadHeadroom}) = ${maxRequestBytes} bytes`);

  const retryBackoffBaseSeconds = Math.max(1, ceilInt(perCallDeadlineMs / 1000));
  f.set('retryBackoffSeconds', `min(visibility ${visibilityTimeoutSeconds} s, base ${retryBackoffBaseSeconds} s (one per-call deadline) x 2^(receiveCount - 1)) x (0.5 + 0.5 x random)`);

  c.throwIfAny('the queue limits derived from the profile break an invariant');
  return {
    perCallDeadlineMs, batchSize, workerTimeoutSeconds, visibilityTimeoutSeconds, maxReceiveCount, maxWorkers,
    drainRatePerSecond, depthBudget, acceptableWaitSeconds, ageOfOldestMessageBudgetSeconds, retryAfterAtBudgetSeconds,
    resumeFraction, messageRetentionSeconds, deadLetterRetentionSeconds, admissionReservedConcurrency, depthCacheTtlSeconds,
    admissionSlackMessages, maxInlineMessageBytes, maxRequestBytes, retryBackoffBaseSeconds, poisonMessageCostMs,
    ...cost,
    formulas: f.all,
  };
}

/**
 * Cost units: what a job costs, what the workers drain, what the queue, a tier and a key may hold.
 *
 *   cost(request) = fixedShare + (1 - fixedShare) x elements / referenceElements
 *   fixedShare    = a / (a + b x bytesPerUnit), from p50 = a + b x bytes fitted to the payload sizes
 *   drainUnits    = drainRate (profiled requests/s) x profiledRequestCost
 *   costBudget    = drainUnits x acceptableWait
 *   maxJobCost    = profiledRequestCost x perCallDeadline / p99
 */
function costLimits(profile: InferenceProfile, options: QueueLimitOptions, perCallDeadlineMs: number, drainRatePerSecond: number, acceptableWaitSeconds: number,
  c: ProblemCollector, f: FormulaBook) {
  const D = QUEUE_LIMIT_DEFAULTS;
  const sig = options.signature;
  const refElements = sig ? referenceElements(sig.inputs) : 1;
  const maxBatch = sig?.maxBatchSize ?? 1;
  const sizes = profile.payloadSizes.filter((p) => p.bytes > 0 && p.p50Ms > 0);
  let fixedShare: number;
  if (options.fixedCostShare !== undefined) {
    c.concreteNumber('fixedCostShare', options.fixedCostShare);
    c.numberInRange('fixedCostShare', options.fixedCostShare, 0, 0.9, 'the share of one reference inference\'s time that does not grow with its size');
    fixedShare = options.fixedCostShare;
    f.set('costModel.fixedShare', `given ${fixedShare}`);
  } else if (new Set(sizes.map((p) => p.bytes)).size >= 2) {
    const fit = linearFit(sizes.map((p) => [p.bytes, p.p50Ms]));
    const bytesPerUnit = profile.maxRequestBytes / maxBatch;
    const a = Math.max(0, fit.intercept);
    const b = Math.max(0, fit.slope);
    // a + b x bytesPerUnit > 0: every p50 is > 0 (InferenceProfile checks it), so a slope <= 0 leaves
    // an intercept >= the mean p50 > 0, and a slope > 0 makes b > 0.
    fixedShare = Math.min(0.9, round3(a / (a + b * bytesPerUnit)));
    f.set('costModel.fixedShare', `p50 = ${round3(fit.intercept)} ms + ${fit.slope.toPrecision(3)} ms/byte x bytes fitted to ${sizes.length} payload sizes; `
      + `one unit is maxRequestBytes ${profile.maxRequestBytes} / maxBatch ${maxBatch} = ${round3(bytesPerUnit)} bytes, so fixedShare = a / (a + b x ${round3(bytesPerUnit)}) = ${fixedShare}`);
  } else {
    fixedShare = D.fixedCostShare;
    f.set('costModel.fixedShare', `default ${fixedShare}: the profile has no input-size sensitivity (run kig profile with several --payload sizes to measure it)`);
  }
  const costModel: CostModel = { referenceElements: refElements, fixedShare };
  f.set('costModel.referenceElements', sig
    ? `one instance with every variable dimension at its largest: ${sig.inputs.map((i) => `${i.name} ${JSON.stringify(i.shape.map((d) => (d === -1 ? i.maxVariableDim : d)))}`).join(' + ')} = ${refElements} elements`
    : 'no signature: every job costs one unit');
  const maxRequestCostUnits = sig ? requestCostUnits(maxBatch * refElements, costModel) : 1;
  f.set('maxRequestCostUnits', `fixedShare ${fixedShare} + (1 - ${fixedShare}) x maxBatch ${maxBatch} = ${maxRequestCostUnits} units`);
  const profiledRequestCostUnits = options.profiledRequestCostUnits ?? maxRequestCostUnits;
  c.concreteNumber('profiledRequestCostUnits', options.profiledRequestCostUnits);
  c.numberInRange('profiledRequestCostUnits', profiledRequestCostUnits, 0.001, 1_000_000, 'the cost of the payload the profile measured');
  f.set('profiledRequestCostUnits', options.profiledRequestCostUnits !== undefined ? `given ${profiledRequestCostUnits}`
    : `maxRequestCost ${maxRequestCostUnits}: kig profile runs its load steps with its largest payload`);
  const maxJobCostUnits = Math.max(0.001, Math.floor(profiledRequestCostUnits * perCallDeadlineMs / profile.latencyMs.p99 * 1000) / 1000);
  f.set('maxJobCostUnits', `profiledRequestCost ${profiledRequestCostUnits} x perCallDeadline ${perCallDeadlineMs} ms / p99 ${profile.latencyMs.p99} ms = ${maxJobCostUnits} units (dearer jobs: 413)`);
  const drainUnitsPerSecond = round3(drainRatePerSecond * profiledRequestCostUnits);
  f.set('drainUnitsPerSecond', `drainRate ${drainRatePerSecond} jobs/s x profiledRequestCost ${profiledRequestCostUnits} = ${drainUnitsPerSecond} units/s`);
  const costBudgetUnits = Math.max(maxJobCostUnits, floor3(drainUnitsPerSecond * acceptableWaitSeconds));
  f.set('costBudgetUnits', `max(maxJobCost ${maxJobCostUnits}, drainUnits ${drainUnitsPerSecond} units/s x acceptableWait ${acceptableWaitSeconds} s) = ${costBudgetUnits} units (admitted, not yet final)`);

  const keyShare = options.keyShare ?? D.keyShare;
  c.concreteNumber('keyShare', options.keyShare);
  c.numberInRange('keyShare', keyShare, 0.001, 1);
  const specs: QueueTierSpec[] = options.tiers ?? [{ name: 'default', budgetShare: 1, keyShare }];
  c.require(Array.isArray(specs) && specs.length > 0, 'tiers', specs, 'at least one tier', 'list the usage-plan tiers, lowest first');
  const seen = new Set<string>();
  const tiers: QueueTierLimits[] = (Array.isArray(specs) ? specs : []).map((t, i) => {
    c.require(/^[A-Za-z0-9_-]{1,64}$/.test(t.name) && !seen.has(t.name), `tiers[${i}].name`, t.name, 'a unique name of letters, digits, _ or -', 'rename the tier');
    seen.add(t.name);
    const budgetShare = t.budgetShare ?? (options.tiers ? round3((i + 1) / (specs.length + 1)) : 1);
    const share = t.keyShare ?? (options.tiers ? budgetShare : keyShare);
    c.numberInRange(`tiers[${i}].budgetShare`, budgetShare, 0.001, 1);
    c.numberInRange(`tiers[${i}].keyShare`, share, 0.001, 1);
    const budgetUnits = floor3(budgetShare * costBudgetUnits);
    const keyBudgetUnits = floor3(Math.min(share, budgetShare) * costBudgetUnits);
    c.require(keyBudgetUnits >= maxJobCostUnits, `tiers[${i}].keyShare`, share, `a share whose units (${keyBudgetUnits}) hold at least one job of maxJobCost ${maxJobCostUnits}`,
      'raise the key share or the acceptable wait: otherwise the dearest job can never be admitted');
    f.set(`tiers.${t.name}`, `budget ${budgetShare} x ${costBudgetUnits} = ${budgetUnits} units; one key min(${share}, ${budgetShare}) x ${costBudgetUnits} = ${keyBudgetUnits} units`);
    return { name: t.name, budgetUnits, keyBudgetUnits };
  });

  // The synchronous path: a call of cost u takes about p99 x u / profiledRequestCost at the knee.
  const modelTimeoutMs = Math.max(LIMIT_DEFAULTS.modelServerTimeoutFloorSeconds * 1000, Math.ceil(profile.latencyMs.p99 * (options.timeoutFactor ?? LIMIT_DEFAULTS.timeoutFactor)));
  const derivedIntegration = Math.min(D.syncIntegrationTimeoutMs, modelTimeoutMs + LIMIT_DEFAULTS.integrationMarginMs);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? derivedIntegration;
  c.concreteNumber('integrationTimeoutMs', options.integrationTimeoutMs);
  c.intInRange('integrationTimeoutMs', integrationTimeoutMs, 50, D.syncIntegrationTimeoutMs);
  const derivedThreshold = floor3(profiledRequestCostUnits * integrationTimeoutMs / profile.latencyMs.p99);
  c.concreteNumber('syncCostThresholdUnits', options.syncCostThresholdUnits);
  const syncCostThresholdUnits = f.pick('syncCostThresholdUnits', options.syncCostThresholdUnits, derivedThreshold, `profiledRequestCost ${profiledRequestCostUnits} x integrationTimeout ${integrationTimeoutMs} ms`
    + `${options.integrationTimeoutMs === undefined ? ` (min(${D.syncIntegrationTimeoutMs}, max(${LIMIT_DEFAULTS.modelServerTimeoutFloorSeconds} s, p99 x timeoutFactor) + ${LIMIT_DEFAULTS.integrationMarginMs} ms))` : ''}`
    + ` / p99 ${profile.latencyMs.p99} ms = ${derivedThreshold} units: a heavier request's p99 passes the integration timeout at the knee; it belongs on POST /jobs`, 'units');
  c.numberInRange('syncCostThresholdUnits', syncCostThresholdUnits, 0.001, 1_000_000);
  const sync = syncSchemaBounds(sig, costModel, syncCostThresholdUnits);
  c.require(sync !== undefined, 'syncCostThresholdUnits', syncCostThresholdUnits,
    `at least the cost of the smallest request the signature admits (${sig ? requestCostUnits(referenceElements(sig.inputs.map((i) => ({ ...i, maxVariableDim: 1 }))), costModel) : 1} units)`,
    'raise the threshold or the integration timeout: below it POST /predict could serve no request at all');
  const bounds = sync ?? { maxBatchSize: 1, maxVariableDim: 0, maxCostUnits: 0 };
  const narrowedL = sig !== undefined && hasVariableDim(sig) && bounds.maxVariableDim < maxVariableDimOf(sig);
  f.set('syncMaxBatchSize', bounds.maxBatchSize === maxBatch
    ? `the signature's maxBatch ${maxBatch}: its dearest request (${maxRequestCostUnits} units) is within the threshold ${syncCostThresholdUnits}`
    : narrowedL ? `1: one instance at the signature's variable bound already costs more than the threshold ${syncCostThresholdUnits} (see syncMaxVariableDim)`
    : `largest b with cost(b instances at their largest) = ${costModel.fixedShare} + (1 - ${costModel.fixedShare}) x b x ${referenceElementsAt(sig, bounds.maxVariableDim)} / ${refElements} <= threshold ${syncCostThresholdUnits}: ${bounds.maxBatchSize}`);
  f.set('syncMaxVariableDim', !sig || !hasVariableDim(sig) ? 'no variable dimension: 0'
    : bounds.maxVariableDim === maxVariableDimOf(sig) ? `the signature's ${bounds.maxVariableDim}: one instance at it is within the threshold`
      : `one instance at the signature's bound costs more than ${syncCostThresholdUnits} units, so the largest L with cost(1 instance, variable dimensions at L) <= threshold: ${bounds.maxVariableDim}`);
  f.set('syncMaxRequestCostUnits', `cost(${bounds.maxBatchSize} x ${referenceElementsAt(sig, bounds.maxVariableDim)} elements) = ${bounds.maxCostUnits} units <= threshold ${syncCostThresholdUnits}`);
  return {
    costModel, maxRequestCostUnits, profiledRequestCostUnits, maxJobCostUnits, drainUnitsPerSecond, costBudgetUnits, tiers, syncCostThresholdUnits,
    syncMaxBatchSize: bounds.maxBatchSize, syncMaxVariableDim: bounds.maxVariableDim, syncMaxRequestCostUnits: bounds.maxCostUnits,
  };
}

function hasVariableDim(sig: ModelSignature): boolean {
  return sig.inputs.some((i) => i.shape.includes(-1));
}

/** The largest bound of the signature's variable dimensions (each input keeps its own when smaller). */
function maxVariableDimOf(sig: ModelSignature): number {
  return Math.max(0, ...sig.inputs.filter((i) => i.shape.includes(-1)).map((i) => i.maxVariableDim ?? 1));
}

/** Elements of one instance with every variable dimension at min(its own bound, L). */
function referenceElementsAt(sig: ModelSignature | undefined, L: number): number {
  if (!sig) return 1;
  return referenceElements(sig.inputs.map((i) => ({ shape: i.shape, maxVariableDim: Math.min(i.maxVariableDim ?? 1, L || (i.maxVariableDim ?? 1)) })));
}

/**
 * The `/predict` schema bounds that keep every admitted request within `threshold` units.
 *
 * The schema can bound each array on its own (`maxItems`), not a sum over arrays: JSON Schema
 * draft 4, the version API Gateway validates request bodies with, has no keyword that relates the
 * lengths of sibling arrays. So a request the narrowed schema admits has at most B instances, each
 * with every variable dimension at most L, hence at most B x elements(L) elements; the cost is
 * increasing in elements, so its cost is at most cost(B x elements(L)). Choosing B and L with
 * cost(B x elements(L)) <= threshold makes the schema conservative: it never admits a request above
 * the threshold. With fixed shapes, elements = b x elements exactly, so the largest such B refuses
 * exactly the requests above the threshold. With a variable dimension the schema keeps its bound L
 * when one instance at it fits (every sequence a model accepts can still be sent alone) and
 * narrows the batch; a batch of short sequences above B is then refused though cheaper than the
 * threshold: POST /jobs prices it exactly. Only when one instance at the signature's bound is too
 * dear is L narrowed, with B = 1. Undefined when even one instance at L = 1 costs more.
 */
function syncSchemaBounds(sig: ModelSignature | undefined, model: CostModel, threshold: number): { maxBatchSize: number; maxVariableDim: number; maxCostUnits: number } | undefined {
  if (!sig) return threshold >= 1 ? { maxBatchSize: 1, maxVariableDim: 0, maxCostUnits: 1 } : undefined;
  const variable = hasVariableDim(sig);
  const fullL = variable ? maxVariableDimOf(sig) : 0;
  const costOf = (b: number, L: number) => requestCostUnits(b * referenceElementsAt(sig, L), model);
  // Cost grows with b and with L, so the largest fitting value is found by a scan from the top.
  for (let b = sig.maxBatchSize; b >= 1; b--) {
    if (costOf(b, fullL) <= threshold) return { maxBatchSize: b, maxVariableDim: fullL, maxCostUnits: costOf(b, fullL) };
  }
  // Without a variable dimension fullL is 0 and nothing below it is tried.
  for (let L = fullL - 1; L >= 1; L--) {
    if (costOf(1, L) <= threshold) return { maxBatchSize: 1, maxVariableDim: L, maxCostUnits: costOf(1, L) };
  }
  return undefined;
}

/** Least-squares line through points (x, y), of which at least two x differ (so sxx > 0). */
function linearFit(points: ReadonlyArray<readonly [number, number]>): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

function floor3(n: number): number {
  return Math.floor(n * 1000 + 1e-9) / 1000;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
