import * as http from 'http';
import { requireOptional } from '../core/optional-dependency';
import * as https from 'https';
import { LoadTarget, ProbeResult, StepRequest, ticker } from './load';
import { StepRecorder } from './recorder';

/** Options of `HttpTarget`. */
export interface HttpTargetOptions {
  /** Full URL requests are POSTed to. */
  readonly url: string;
  /** @default "application/json" */
  readonly contentType?: string;
  /** Seconds before a request counts as an error (timeout). @default 30 */
  readonly requestTimeoutSeconds?: number;
}

/**
 * Loads an HTTP model server with autocannon. autocannon (maintained by the Node.js performance
 * working group's authors, used by Fastify's own benchmarks) keeps exactly `concurrency`
 * keep-alive connections busy, which is the closed-loop load a knee search needs; its
 * 'response' events give each answer's status and latency, which the profiler records itself
 * at sub-millisecond resolution (autocannon's histogram rounds to whole milliseconds).
 */
export class HttpTarget implements LoadTarget {
  public readonly description: string;
  private readonly url: URL;

  constructor(private readonly options: HttpTargetOptions) {
    this.url = new URL(options.url);
    this.description = options.url;
  }

  public probe(body: Buffer, timeoutMs: number): Promise<ProbeResult> {
    const lib = this.url.protocol === 'https:' ? https : http;
    const started = performance.now();
    return new Promise((resolve) => {
      const req = lib.request(this.url, {
        method: 'POST',
        headers: { 'content-type': this.options.contentType ?? 'application/json', 'content-length': body.length },
        timeout: timeoutMs,
        agent: false,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => { if (chunks.length < 64) chunks.push(c); });
        res.on('end', () => resolve({ kind: 'answer', status: res.statusCode ?? 0, latencyMs: performance.now() - started, body: Buffer.concat(chunks).toString('utf8', 0, 2000) }));
        res.on('error', (e) => resolve({ kind: 'error', message: e.message, code: (e as NodeJS.ErrnoException).code }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => resolve({ kind: 'error', message: e.message, code: (e as NodeJS.ErrnoException).code }));
      req.end(body);
    });
  }

  public runStep(step: StepRequest): Promise<StepRecorder> {
    // Loaded lazily, and an optional peer dependency: the library's constructs must not pull the load generator in.
    const autocannon = requireOptional<typeof import('autocannon')>('autocannon', 'kig profile');
    const recorder = new StepRecorder(step.concurrency, step.warmupMs);
    return new Promise((resolve, reject) => {
      if (step.signal?.aborted) {
        recorder.end();
        return resolve(recorder);
      }
      const instance = autocannon({
        url: this.options.url,
        method: 'POST',
        body: step.body,
        headers: { 'content-type': this.options.contentType ?? 'application/json' },
        connections: step.concurrency,
        duration: (step.warmupMs / 1000) + step.durationSeconds,
        timeout: this.options.requestTimeoutSeconds ?? 30,
        // autocannon checks its stop flag once per sample interval: 100 ms keeps Ctrl-C and the
        // end of a step prompt without measurable overhead.
        sampleInt: 100,
      }, (err) => {
        stopTicking();
        step.signal?.removeEventListener('abort', onAbort);
        recorder.end();
        if (err) reject(err);
        else resolve(recorder);
      });
      // The instance emits (client, statusCode, bytes, responseTime ms) for every answer.
      (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => recorder.answer(status, ms));
      instance.on('reqError', () => recorder.error());
      const stopTicking = ticker(() => step.onTick?.(recorder));
      const onAbort = () => {
        recorder.end();
        instance.stop();
      };
      step.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  public close(): void {
    // autocannon closes its own connections at the end of each step.
  }
}
