import { round2 } from './stats';
import { KneeResult, StepResult } from './types';

/** Defaults of the knee search, documented in `kig profile --help`. */
export const KNEE_DEFAULTS = {
  /**
   * A step must add at least 10 % throughput over the step before it. Doubling the requests in
   * flight for less than that only adds queueing delay; 10 % (not less) keeps the HTTP
   * round-trip gap of a saturated server (slots idle while a reply travels) from reading as growth.
   */
  minGain: 0.1,
  /**
   * Without --latency-bound-ms the bound is 3 x the p99 of the least loaded step: queueing may at
   * most triple the unloaded tail latency. The same factor sets the model-server timeout
   * (deriveLimits `timeoutFactor`), so the knee stays inside that timeout.
   */
  latencyBoundFactor: 3,
} as const;

/** Options of `findKnee`. */
export interface KneeOptions {
  /** @default - KNEE_DEFAULTS.latencyBoundFactor x the p99 of the least loaded step */
  readonly latencyBoundMs?: number;
  /** @default KNEE_DEFAULTS.minGain */
  readonly minGain?: number;
}

/** The rule `findKnee` applies, in words (written into the profile and the report). */
export function kneeRule(boundMs: number, minGain: number): string {
  return `highest concurrency c such that every step up to c has error rate 0 and p99 <= ${round2(boundMs)} ms, `
    + `and each step's throughput is at least ${Math.round(minGain * 100)} % above the step before it`;
}

/**
 * Finds the knee of a stepped-concurrency run: walking up from the lowest concurrency, the last
 * step that (a) had no errors, (b) kept p99 within the bound and (c) still grew throughput by at
 * least `minGain` over the step before. The walk stops at the first step that fails any test, so
 * noise in a later step cannot pull the knee past a saturated one.
 *
 * Returns undefined when even the least loaded step fails (errors or p99 over the bound).
 */
export function findKnee(steps: readonly StepResult[], options: KneeOptions = {}): KneeResult | undefined {
  const sorted = [...steps].filter((s) => s.ok > 0 || s.errorRate > 0).sort((a, b) => a.concurrency - b.concurrency);
  if (sorted.length === 0) return undefined;
  const first = sorted[0];
  const minGain = options.minGain ?? KNEE_DEFAULTS.minGain;
  const bound = options.latencyBoundMs ?? round2(KNEE_DEFAULTS.latencyBoundFactor * first.latencyMs.p99);
  const rule = kneeRule(bound, minGain);
  const clean = (s: StepResult) => s.errorRate === 0 && s.ok > 0;
  if (!clean(first) || first.latencyMs.p99 > bound) return undefined;

  let knee = first;
  let stoppedBecause = 'every measured step passed: raise --concurrency to look further';
  for (const step of sorted.slice(1)) {
    if (!clean(step)) {
      stoppedBecause = `concurrency ${step.concurrency} had error rate ${round2(step.errorRate * 100)} %`;
      break;
    }
    if (step.latencyMs.p99 > bound) {
      stoppedBecause = `concurrency ${step.concurrency} had p99 ${step.latencyMs.p99} ms > bound ${round2(bound)} ms`;
      break;
    }
    const gain = knee.throughputRps > 0 ? step.throughputRps / knee.throughputRps - 1 : Infinity;
    if (gain < minGain) {
      stoppedBecause = `concurrency ${step.concurrency} added ${round2(gain * 100)} % throughput (< ${Math.round(minGain * 100)} %)`;
      break;
    }
    knee = step;
  }
  const saturation = Math.max(...sorted.filter(clean).map((s) => s.throughputRps));
  return {
    concurrency: knee.concurrency,
    throughputRps: knee.throughputRps,
    saturationThroughputRps: saturation,
    // Little's law N = X x R, with R the unqueued service time seen at the least loaded step.
    estimatedParallelism: Math.round(saturation * (first.latencyMs.p50 / 1000) * 10) / 10,
    latencyBoundMs: bound,
    minGain,
    rule,
    stoppedBecause,
  };
}
