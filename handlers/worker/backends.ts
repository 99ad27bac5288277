import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { PermanentModelError, TransientModelError } from '../shared/errors';

/** A model answer. */
export interface ModelOutput {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** Where the worker sends a job. `signal` aborts the call at the worker's deadline. */
export interface ModelBackend {
  invoke(body: Uint8Array, contentType: string, signal: AbortSignal): Promise<ModelOutput>;
}

/**
 * SageMaker runtime errors that mean the input itself was refused: retrying the same input
 * fails the same way and burns another model call. Source: the sagemaker-runtime SDK model
 * (ModelError 424, ValidationError 400).
 */
const SAGEMAKER_PERMANENT = new Set(['ModelError', 'ValidationError']);

/** A SageMaker real-time endpoint, called with InvokeEndpoint. */
export class SageMakerBackend implements ModelBackend {
  constructor(private readonly client: SageMakerRuntimeClient, private readonly endpointName: string) {}

  public async invoke(body: Uint8Array, contentType: string, signal: AbortSignal): Promise<ModelOutput> {
    try {
      const out = await this.client.send(new InvokeEndpointCommand({
        EndpointName: this.endpointName, Body: body, ContentType: contentType, Accept: 'application/json',
      }), { abortSignal: signal });
      return { body: out.Body ?? new Uint8Array(), contentType: out.ContentType ?? 'application/octet-stream' };
    } catch (e) {
      throw classify(e, signal);
    }
  }
}

/** A model server reached over HTTP (an ECS service behind a load balancer). */
export class HttpBackend implements ModelBackend {
  constructor(private readonly url: string) {}

  public async invoke(body: Uint8Array, contentType: string, signal: AbortSignal): Promise<ModelOutput> {
    let res: Response;
    try {
      res = await fetch(this.url, { method: 'POST', body, headers: { 'Content-Type': contentType, 'Accept': 'application/json' }, signal });
    } catch (e) {
      throw classify(e, signal);
    }
    const out = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    if (res.ok) return { body: out, contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
    const text = Buffer.from(out).toString('utf8').slice(0, 1_000);
    // 408 and 429 are the server asking for a later retry; other 4xx refuse the input.
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      throw new PermanentModelError(`Http${res.status}`, text || res.statusText, res.status);
    }
    throw new TransientModelError(`Http${res.status}`, text || res.statusText, res.status);
  }
}

/** Sorts an SDK or network failure into retry / do not retry. Unknown failures are retried. */
export function classify(e: unknown, signal?: AbortSignal): Error {
  if (e instanceof PermanentModelError || e instanceof TransientModelError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (signal?.aborted || err?.name === 'AbortError' || err?.name === 'TimeoutError') {
    return new TransientModelError('ModelTimeout', 'The model call was aborted at the worker deadline.');
  }
  const status = err?.$metadata?.httpStatusCode;
  if (err?.name && SAGEMAKER_PERMANENT.has(err.name)) return new PermanentModelError(err.name, err.message ?? err.name, status);
  return new TransientModelError(err?.name ?? 'Error', err?.message ?? String(e), status);
}
