import { round2, summarizeLatencies } from './stats';
import { StepResult } from './types';

/**
 * Collects the answers of one step. Answers that complete during the warm-up (connection set-up,
 * the server's first queue fill) are not counted, so a short step still measures steady state.
 */
export class StepRecorder {
  private readonly started = performance.now();
  private readonly latencies: number[] = [];
  private readonly statusCounts: Record<string, number> = {};
  private ok = 0;
  private non2xx = 0;
  private errors = 0;
  private warmup = 0;
  private endedAt?: number;

  constructor(public readonly concurrency: number, private readonly warmupMs: number) {}

  /** Milliseconds since the step started. */
  public get elapsedMs(): number {
    return (this.endedAt ?? performance.now()) - this.started;
  }

  /** Good answers per second so far in the measured window (for the progress display). */
  public get currentRps(): number {
    const window = (this.elapsedMs - this.warmupMs) / 1000;
    return window > 0 ? this.ok / window : 0;
  }

  /** Records an HTTP answer. */
  public answer(status: number, latencyMs: number): void {
    if (performance.now() - this.started < this.warmupMs) {
      this.warmup += 1;
      return;
    }
    this.statusCounts[String(status)] = (this.statusCounts[String(status)] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      this.ok += 1;
      this.latencies.push(latencyMs);
    } else {
      this.non2xx += 1;
    }
  }

  /** Records a request that got no HTTP answer (refused, reset, timed out). */
  public error(): void {
    if (performance.now() - this.started < this.warmupMs) {
      this.warmup += 1;
      return;
    }
    this.errors += 1;
  }

  public end(): void {
    this.endedAt ??= performance.now();
  }

  public result(): StepResult {
    this.end();
    const durationSeconds = Math.max(0.001, (this.elapsedMs - this.warmupMs) / 1000);
    const all = this.ok + this.non2xx + this.errors;
    return {
      concurrency: this.concurrency,
      durationSeconds: round2(durationSeconds),
      ok: this.ok,
      non2xx: this.non2xx,
      errors: this.errors,
      throughputRps: round2(this.ok / durationSeconds),
      latencyMs: summarizeLatencies(this.latencies),
      errorRate: all === 0 ? 0 : Math.round((this.non2xx + this.errors) / all * 10_000) / 10_000,
      statusCounts: { ...this.statusCounts },
      warmupRequests: this.warmup,
    };
  }
}
