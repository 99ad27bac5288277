import { round2 } from './stats';
import { KneeResult, StepResult } from './types';

/** Defaults of the knee search, documented in `kig profile --help`. */
export const KNEE_DEFAULTS = {
  /**
   * A step must add at least 10 % throughput over the step before it ...
   */
  minGain: 0.1,
  /**
   * ... and at least a quarter of what perfect scaling would add: going from 2 to 4 in flight
   * must add 25 % throughput, from 6 to 8 at least 10 % (the floor above). Below that a step
   * mostly buys queueing: by Little's law latency then grows by more than 60 %. Scaling the
   * bar with the step also keeps the gap between two requests on one connection (client and
   * server event loops, slower on a busy host) from reading as growth past a saturated server.
   */
  minEfficiency: 0.25,
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
  /** @default KNEE_DEFAULTS.minEfficiency */
  readonly minEfficiency?: number;
}

/** The rule `findKnee` applies, in words (written into the profile and the report). */
export function kneeRule(boundMs: number, minGain: number, minEfficiency: number = KNEE_DEFAULTS.minEfficiency): string {
  return `highest concurrency c such that every step up to c has error rate 0 and p99 <= ${round2(boundMs)} ms, `
    + `and each step's throughput is above the step before it by at least max(${Math.round(minGain * 100)} %, `
    + `${minEfficiency} x the relative concurrency increase)`;
}

/** Throughput gain a step from concurrency `from` to `to` must show. */
export function requiredGain(from: number, to: number, minGain: number, minEfficiency: number): number {
  return Math.max(minGain, minEfficiency * (to / from - 1));
}

/**
 * Finds the knee of a stepped-concurrency run: walking up from the lowest concurrency, the last
 * step that (a) had no errors, (b) kept p99 within the bound and (c) still grew throughput over
 * the step before by at least max(minGain, minEfficiency x the relative concurrency increase). The walk stops at the first step that fails any test, so
 * noise in a later step cannot pull the knee past a saturated one.
 *
 * Returns undefined when even the least loaded step fails (errors or p99 over the bound).
 */
export function findKnee(steps: readonly StepResult[], options: KneeOptions = {}): KneeResult | undefined {
  const sorted = [...steps].filter((s) => s.ok > 0 || s.errorRate > 0).sort((a, b) => a.concurrency - b.concurrency);
  if (sorted.length === 0) return undefined;
  const first = sorted[0];
  const minGain = options.minGain ?? KNEE_DEFAULTS.minGain;
  const minEfficiency = options.minEfficiency ?? KNEE_DEFAULTS.minEfficiency;
  const bound = options.latencyBoundMs ?? round2(KNEE_DEFAULTS.latencyBoundFactor * first.latencyMs.p99);
  const rule = kneeRule(bound, minGain, minEfficiency);
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
    const need = requiredGain(knee.concurrency, step.concurrency, minGain, minEfficiency);
    if (gain < need) {
      stoppedBecause = `concurrency ${step.concurrency} added ${round2(gain * 100)} % throughput over concurrency ${knee.concurrency} (needed ${round2(need * 100)} %)`;
      break;
    }
    knee = step;
  }
  const saturation = Math.max(...sorted.filter(clean).map((s) => s.throughputRps));
  // Service time: the lowest p50 of the steps up to the knee. Below the knee requests do not
  // queue, so each step's p50 is the service time plus noise; the lowest is the least disturbed.
  const serviceMs = Math.min(...sorted.filter((s) => s.concurrency <= knee.concurrency).map((s) => s.latencyMs.p50));
  return {
    concurrency: knee.concurrency,
    throughputRps: knee.throughputRps,
    saturationThroughputRps: saturation,
    // Little's law N = X x R, with R the unqueued service time.
    estimatedParallelism: Math.round(saturation * (serviceMs / 1000) * 10) / 10,
    latencyBoundMs: bound,
    minGain,
    minEfficiency,
    rule,
    stoppedBecause,
  };
}
