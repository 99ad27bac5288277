import { StepRecorder } from './recorder';

/** One measured load step, as a target runs it. */
export interface StepRequest {
  readonly concurrency: number;
  /** Measured seconds, after the warm-up. */
  readonly durationSeconds: number;
  /** Warm-up before measuring (ms). */
  readonly warmupMs: number;
  readonly body: Buffer;
  /** Stops the step early (Ctrl-C); what was measured so far is kept. */
  readonly signal?: AbortSignal;
  /** Called about every 250 ms while the step runs. */
  readonly onTick?: (recorder: StepRecorder) => void;
}

/** The outcome of one single request (reachability check, cold start poll). */
export type ProbeResult =
  | { readonly kind: 'answer'; readonly status: number; readonly latencyMs: number; readonly body: string }
  | { readonly kind: 'error'; readonly message: string; readonly code?: string };

/** Something the profiler can load: a URL through autocannon, or a SageMaker endpoint through the SDK. */
export interface LoadTarget {
  /** Human-readable target for messages and the report. */
  readonly description: string;
  /** Sends one request and waits for its answer. */
  probe(body: Buffer, timeoutMs: number): Promise<ProbeResult>;
  /** Runs one step at a fixed concurrency and returns its recorder, ended. */
  runStep(step: StepRequest): Promise<StepRecorder>;
  /** Frees connections. */
  close(): void;
}

/** Waits until the deadline or the abort signal, whichever comes first. */
export function waitUntil(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Calls `fn` every 250 ms until the returned stop function is called. */
export function ticker(fn: () => void): () => void {
  const t = setInterval(fn, 250);
  t.unref();
  return () => clearInterval(t);
}
