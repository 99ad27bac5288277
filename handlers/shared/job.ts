import { createHash } from 'crypto';

/** Status of a job, as stored and as returned by `GET /jobs/{id}`. */
export const JobStatus = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  /** Failed on every delivery; the message is in the dead-letter queue and can be redriven. */
  DEAD_LETTERED: 'DEAD_LETTERED',
} as const;
export type JobStatus = typeof JobStatus[keyof typeof JobStatus];

/** Job ids are UUIDs: random ones, ids derived from an idempotency key, or API Gateway request ids (direct integration). */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An Idempotency-Key: 1..128 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * The SQS message body. `body` carries the request inline (admission), `request` carries it as
 * JSON (direct API Gateway integration), `payloadKey` points at the S3 claim-check object.
 */
export interface JobMessage {
  readonly v: 1;
  readonly jobId: string;
  readonly contentType?: string;
  readonly body?: string;
  readonly request?: unknown;
  readonly payloadKey?: string;
}

/** Parses a message body; undefined when it is not a job message (a poison message). */
export function parseJobMessage(text: string): JobMessage | undefined {
  try {
    const m = JSON.parse(text) as Partial<JobMessage>;
    if (typeof m !== 'object' || m === null || typeof m.jobId !== 'string' || !JOB_ID_PATTERN.test(m.jobId.toLowerCase())) return undefined;
    if (m.body === undefined && m.request === undefined && m.payloadKey === undefined) return undefined;
    return { ...m, jobId: m.jobId.toLowerCase() } as JobMessage;
  } catch {
    return undefined;
  }
}

/**
 * The job id for an idempotency key: a UUID-shaped SHA-256 of the caller scope and the key, so the
 * same caller with the same key always gets the same job, and two callers never collide.
 */
export function jobIdForKey(scope: string, key: string): string {
  const h = createHash('sha256').update(`${scope}\n${key}`).digest('hex');
  // Version nibble 8 (custom, RFC 9562) and the RFC variant bits, so the id passes UUID checks.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** SHA-256 of a request body, to tell a retry from a reuse of the key with another body. */
export function requestHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** S3 key of a claim-check payload. */
export function payloadKey(jobId: string): string {
  return `payloads/${jobId}`;
}

/** S3 key of a large result. */
export function resultKey(jobId: string): string {
  return `results/${jobId}`;
}
