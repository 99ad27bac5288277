/** Reads handler settings from environment variables set by the construct. Fails fast at init when one is missing. */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set; the construct sets it`);
  return v;
}

/** A numeric setting. */
export function numberEnv(name: string, fallback?: number): number {
  const raw = process.env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const n = Number(requireEnv(name));
  if (!Number.isFinite(n)) throw new Error(`environment variable ${name} = ${JSON.stringify(raw)} is not a number`);
  return n;
}

/** The names of the environment variables, shared by the construct and the handlers. */
export const ENV = {
  queueUrl: 'KIG_QUEUE_URL',
  queueName: 'KIG_QUEUE_NAME',
  tableName: 'KIG_TABLE_NAME',
  bucketName: 'KIG_BUCKET_NAME',
  requestSchema: 'KIG_REQUEST_SCHEMA',
  depthBudget: 'KIG_DEPTH_BUDGET',
  drainRate: 'KIG_DRAIN_RATE_PER_SECOND',
  resumeFraction: 'KIG_RESUME_FRACTION',
  maxRetryAfter: 'KIG_MAX_RETRY_AFTER_SECONDS',
  depthCacheTtlMs: 'KIG_DEPTH_CACHE_TTL_MS',
  admissionEnvironments: 'KIG_ADMISSION_ENVIRONMENTS',
  maxRequestBytes: 'KIG_MAX_REQUEST_BYTES',
  maxInlineMessageBytes: 'KIG_MAX_INLINE_MESSAGE_BYTES',
  jobTtlSeconds: 'KIG_JOB_TTL_SECONDS',
  perCallDeadlineMs: 'KIG_PER_CALL_DEADLINE_MS',
  maxReceiveCount: 'KIG_MAX_RECEIVE_COUNT',
  visibilityTimeoutSeconds: 'KIG_VISIBILITY_TIMEOUT_SECONDS',
  backoffBaseSeconds: 'KIG_BACKOFF_BASE_SECONDS',
  resultInlineMaxBytes: 'KIG_RESULT_INLINE_MAX_BYTES',
  backendKind: 'KIG_BACKEND_KIND',
  endpointName: 'KIG_ENDPOINT_NAME',
  backendUrl: 'KIG_BACKEND_URL',
  presignSeconds: 'KIG_PRESIGN_SECONDS',
} as const;
