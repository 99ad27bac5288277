/**
 * Names of the environment variables the queue construct sets and the Lambda handlers read.
 * This file imports nothing, so the handlers bundle it without the CDK.
 */
export const HANDLER_ENV = {
  queueUrl: 'KIG_QUEUE_URL',
  queueName: 'KIG_QUEUE_NAME',
  tableName: 'KIG_TABLE_NAME',
  bucketName: 'KIG_BUCKET_NAME',
  depthBudget: 'KIG_DEPTH_BUDGET',
  drainRate: 'KIG_DRAIN_RATE_PER_SECOND',
  resumeFraction: 'KIG_RESUME_FRACTION',
  maxRetryAfter: 'KIG_MAX_RETRY_AFTER_SECONDS',
  depthCacheTtlMs: 'KIG_DEPTH_CACHE_TTL_MS',
  admissionEnvironments: 'KIG_ADMISSION_ENVIRONMENTS',
  maxRequestBytes: 'KIG_MAX_REQUEST_BYTES',
  maxInlineMessageBytes: 'KIG_MAX_INLINE_MESSAGE_BYTES',
  jobTtlSeconds: 'KIG_JOB_TTL_SECONDS',
  costModel: 'KIG_COST_MODEL',
  costBudgetUnits: 'KIG_COST_BUDGET_UNITS',
  drainUnitsPerSecond: 'KIG_DRAIN_UNITS_PER_SECOND',
  maxJobCostUnits: 'KIG_MAX_JOB_COST_UNITS',
  costTiers: 'KIG_COST_TIERS',
  /** `false` when no consumer gives cost units back (an external consumer that does not): admission then holds none. */
  costLedger: 'KIG_COST_LEDGER',
  keyTiers: 'KIG_KEY_TIERS',
  perCallDeadlineMs: 'KIG_PER_CALL_DEADLINE_MS',
  maxReceiveCount: 'KIG_MAX_RECEIVE_COUNT',
  visibilityTimeoutSeconds: 'KIG_VISIBILITY_TIMEOUT_SECONDS',
  backoffBaseSeconds: 'KIG_BACKOFF_BASE_SECONDS',
  resultInlineMaxBytes: 'KIG_RESULT_INLINE_MAX_BYTES',
  backendKind: 'KIG_BACKEND_KIND',
  endpointName: 'KIG_ENDPOINT_NAME',
  backendUrl: 'KIG_BACKEND_URL',
  presignSeconds: 'KIG_PRESIGN_SECONDS',
  deadLetterQueueUrl: 'KIG_DEAD_LETTER_QUEUE_URL',
  reconcileHoldSeconds: 'KIG_RECONCILE_HOLD_SECONDS',
  reconcileMaxMessages: 'KIG_RECONCILE_MAX_MESSAGES',
} as const;
