/**
 * The one error hierarchy of the handlers. Each class decides the HTTP status an API handler
 * answers with, and whether a worker retries the message. Handlers map errors in one place
 * (`errorResponse` for the API handlers, `classify` for the worker), never ad hoc.
 */

/** A problem with one part of a request, as listed in a 400 body. */
export interface RequestProblem {
  /** JSON pointer or header name. */
  readonly path: string;
  readonly message: string;
}

/** Base class: an error that becomes an HTTP answer. */
export abstract class HandlerError extends Error {
  public abstract readonly statusCode: number;
  /** Stable, machine-readable error code for clients. */
  public readonly code: string;
  /** Seconds the client should wait before retrying, sent as Retry-After. */
  public readonly retryAfterSeconds?: number;
  public readonly problems?: readonly RequestProblem[];

  protected constructor(code: string, message: string, extra: { retryAfterSeconds?: number; problems?: readonly RequestProblem[] } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.problems = extra.problems;
  }
}

/** The caller's mistake (4xx). Not retried: the same request fails the same way. */
export class ClientError extends HandlerError {
  constructor(public readonly statusCode: number, code: string, message: string, problems?: readonly RequestProblem[]) {
    super(code, message, { problems });
  }
}

/** The backlog is over budget (429): retry after the estimated drain time. */
export class BacklogFullError extends HandlerError {
  public readonly statusCode = 429;
  constructor(retryAfterSeconds: number) {
    super('BacklogFull', 'The job queue is over its budget; retry after the time given in Retry-After.', { retryAfterSeconds });
  }
}

/**
 * The caller's API key, or its usage-plan tier, holds its share of the queue's cost budget (429):
 * other callers are still admitted; this one retries after its held units can drain.
 */
export class ShareFullError extends HandlerError {
  public readonly statusCode = 429;
  constructor(limit: 'key' | 'tier', tier: string, limitUnits: number, retryAfterSeconds: number) {
    super(limit === 'key' ? 'KeyShareFull' : 'TierShareFull',
      limit === 'key'
        ? `Your jobs already hold this API key's share of the job queue (${limitUnits} cost units, tier ${tier}); retry after the time given in Retry-After.`
        : `Jobs of tier ${tier} already hold the tier's share of the job queue (${limitUnits} cost units); retry after the time given in Retry-After.`,
      { retryAfterSeconds });
  }
}

/** A request with the same idempotency key is still being admitted (409): retry shortly. */
export class IdempotencyConflictError extends HandlerError {
  public readonly statusCode = 409;
  constructor() {
    super('IdempotencyKeyInProgress', 'A request with this Idempotency-Key is still being admitted; retry shortly.', { retryAfterSeconds: 1 });
  }
}

/** A dependency (SQS, DynamoDB, S3) failed or throttled (503): retry later. */
export class DependencyUnavailableError extends HandlerError {
  public readonly statusCode = 503;
  constructor(public readonly dependency: string, cause?: unknown) {
    super('DependencyUnavailable', `${dependency} is unavailable; retry later.`, { retryAfterSeconds: 2 });
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

// ---- worker side ----------------------------------------------------------------------------

/** The model call failed in a way that may pass on a later try: throttling, 5xx, timeout, network. */
export class TransientModelError extends Error {
  constructor(public readonly code: string, message: string, public readonly statusCode?: number) {
    super(message);
    this.name = 'TransientModelError';
  }
}

/** The model rejected the input (4xx, SageMaker ModelError): the job fails, it is not retried. */
export class PermanentModelError extends Error {
  constructor(public readonly code: string, message: string, public readonly statusCode?: number) {
    super(message);
    this.name = 'PermanentModelError';
  }
}

/** Wraps a failure of a dependency (SQS, DynamoDB, S3) as a 503, leaving handler errors untouched. */
export function dependencyError(dependency: string, e: unknown): HandlerError {
  if (e instanceof HandlerError) return e;
  return new DependencyUnavailableError(dependency, e);
}
