import { HandlerError, RequestProblem } from './errors';

/** The parts of an API Gateway REST (v1) Lambda proxy event the handlers read. */
export interface ProxyEvent {
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string | undefined> | null;
  readonly pathParameters?: Record<string, string | undefined> | null;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly path?: string;
    readonly identity?: { readonly apiKeyId?: string | null; readonly sourceIp?: string };
    readonly authorizer?: { readonly principalId?: string; readonly claims?: { readonly sub?: string } } | null;
  };
}

/** An API Gateway Lambda proxy result. */
export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const BASE_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The response for a handler error: status from the class, JSON body, Retry-After when set. */
export function errorResponse(e: HandlerError, requestId?: string): ProxyResult {
  const body: { error: string; message: string; problems?: readonly RequestProblem[]; retryAfterSeconds?: number; requestId?: string } = {
    error: e.code, message: e.message,
  };
  if (e.problems) body.problems = e.problems;
  if (e.retryAfterSeconds !== undefined) body.retryAfterSeconds = e.retryAfterSeconds;
  if (requestId) body.requestId = requestId;
  const headers: Record<string, string> = e.retryAfterSeconds !== undefined ? { 'Retry-After': String(e.retryAfterSeconds) } : {};
  return json(e.statusCode, body, headers);
}

/** A header value, looked up case-insensitively (API Gateway keeps the client's spelling). */
export function header(event: ProxyEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    // API Gateway sends strings; a malformed event's number or object is read as text, never thrown on.
    if (k.toLowerCase() === wanted) return v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return undefined;
}

/** The authenticated caller, used to scope idempotency keys so two tenants never share a job. */
export function callerScope(event: ProxyEvent): string {
  const ctx = event.requestContext;
  const found = [ctx?.authorizer?.principalId, ctx?.authorizer?.claims?.sub, ctx?.identity?.apiKeyId].find((v) => typeof v === 'string' && v !== '');
  return found ?? 'anonymous';
}
