import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { requireOptional } from '../core/optional-dependency';
import { LoadTarget, ProbeResult, StepRequest, ticker, waitUntil } from './load';
import { StepRecorder } from './recorder';

/** Options of `SageMakerEndpointTarget`. */
export interface SageMakerEndpointTargetOptions {
  readonly endpointName: string;
  /** @default - the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /** Endpoint URL override. @default - AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, AWS_ENDPOINT_URL, or the regional endpoint */
  readonly endpointUrl?: string;
  /** @default "application/json" */
  readonly contentType?: string;
  /** Highest concurrency the run will use; sizes the socket pool. */
  readonly maxConcurrency: number;
  /** @default 30 */
  readonly requestTimeoutSeconds?: number;
}

/**
 * Loads a deployed SageMaker endpoint through InvokeEndpoint. autocannon cannot sign requests
 * with SigV4, so this target keeps `concurrency` SDK calls in flight itself: a closed loop, like
 * autocannon's, where each worker sends its next request when the previous one is answered.
 */
export class SageMakerEndpointTarget implements LoadTarget {
  public readonly description: string;
  private readonly client: SageMakerRuntimeClient;
  private readonly sdk: typeof import('@aws-sdk/client-sagemaker-runtime');

  constructor(private readonly options: SageMakerEndpointTargetOptions) {
    // Loaded lazily, and an optional peer dependency: importing the library does not load the SDK.
    this.sdk = requireOptional<typeof import('@aws-sdk/client-sagemaker-runtime')>('@aws-sdk/client-sagemaker-runtime', 'kig profile --sagemaker-endpoint');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const https = require('https') as typeof import('https');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const http = require('http') as typeof import('http');
    const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME ?? process.env.AWS_ENDPOINT_URL;
    // One socket per worker: the SDK's default pool (50) would otherwise cap the concurrency.
    const sockets = Math.max(1, options.maxConcurrency);
    this.client = new this.sdk.SageMakerRuntimeClient({
      ...(options.region ? { region: options.region } : {}),
      ...(endpoint ? { endpoint } : {}),
      maxAttempts: 1, // a retried request would hide the error and inflate the latency
      // Handler options (not an instance): the SDK builds its own NodeHttpHandler from them.
      requestHandler: {
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: sockets }),
        requestTimeout: (options.requestTimeoutSeconds ?? 30) * 1000,
      },
    });
    this.description = `SageMaker endpoint ${options.endpointName}${endpoint ? ` at ${endpoint}` : ''}`;
  }

  public async probe(body: Buffer, timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    try {
      const out = await this.invoke(body, AbortSignal.timeout(timeoutMs));
      return { kind: 'answer', status: 200, latencyMs: performance.now() - started, body: Buffer.from(out.Body ?? new Uint8Array()).toString('utf8', 0, 2000) };
    } catch (e) {
      return this.toProbe(e, started);
    }
  }

  public async runStep(step: StepRequest): Promise<StepRecorder> {
    const recorder = new StepRecorder(step.concurrency, step.warmupMs);
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    step.signal?.addEventListener('abort', onAbort, { once: true });
    const stopTicking = ticker(() => step.onTick?.(recorder));
    const worker = async () => {
      while (!stop.signal.aborted) {
        const started = performance.now();
        try {
          await this.invoke(step.body, stop.signal);
          recorder.answer(200, performance.now() - started);
        } catch (e) {
          if (stop.signal.aborted) break; // cut off by the end of the step, not an error of the server
          const r = this.toProbe(e, started);
          if (r.kind === 'answer') recorder.answer(r.status, r.latencyMs);
          else recorder.error();
        }
      }
    };
    const workers = Array.from({ length: step.concurrency }, worker);
    await waitUntil(step.warmupMs + step.durationSeconds * 1000, step.signal);
    recorder.end();
    stop.abort();
    await Promise.all(workers);
    stopTicking();
    step.signal?.removeEventListener('abort', onAbort);
    return recorder;
  }

  public close(): void {
    this.client.destroy();
  }

  private invoke(body: Buffer, abortSignal: AbortSignal) {
    return this.client.send(new this.sdk.InvokeEndpointCommand({
      EndpointName: this.options.endpointName,
      Body: body,
      ContentType: this.options.contentType ?? 'application/json',
      Accept: 'application/json',
    }), { abortSignal });
  }

  private toProbe(e: unknown, started: number): ProbeResult {
    const err = e as { $metadata?: { httpStatusCode?: number }; message?: string; name?: string; code?: string; cause?: { code?: string } };
    const status = err.$metadata?.httpStatusCode;
    if (status !== undefined) return { kind: 'answer', status, latencyMs: performance.now() - started, body: `${err.name ?? 'Error'}: ${err.message ?? ''}` };
    // Network errors reach us wrapped by the SDK ("AWS SDK error wrapper for Error: connect
    // ECONNREFUSED ..."): report the socket error itself, as the HTTP target does.
    const message = (err.message ?? String(e)).replace(/^AWS SDK error wrapper for (Error: )?/, '');
    const code = err.code ?? err.cause?.code ?? /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
    return { kind: 'error', message, code };
  }
}
