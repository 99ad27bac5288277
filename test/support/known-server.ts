import { KneeResult, StepResult } from '../../lib/profiler';

/**
 * A server with a known shape: P slots, each request holds one for S ms (test/support/model-server.ts
 * `--concurrency P --service-ms S`). What a profile of it must satisfy however loaded the machine
 * is, and how far it is from the ideal (knee = P, saturation = P / S) on a quiet one.
 */
export interface KnownServer {
  readonly P: number;
  readonly S: number;
}

/** The profile document fields these checks read. */
export interface ProfiledRun {
  readonly steps: StepResult[];
  readonly knee: KneeResult;
}

/**
 * Facts that hold on a busy machine too, since load only slows things down: no request is faster
 * than S; with c requests in flight at most min(c, P) are served at once, so no step exceeds
 * min(c, P) / S requests per second (plus one round of requests at the edges of the measured
 * window); steps come in increasing concurrency; throughput grows up to the knee; the knee is a
 * measured step and the fastest clean step bounds it. Returns what does not hold (empty when all do).
 */
export function physicalViolations(run: ProfiledRun, server: KnownServer, stepSeconds: number): string[] {
  const problems: string[] = [];
  const { steps, knee } = run;
  const concurrency = steps.map((s) => s.concurrency);
  if (concurrency.some((c, i) => i > 0 && c <= concurrency[i - 1])) problems.push(`steps not in increasing concurrency: ${concurrency.join(',')}`);
  for (const s of steps) {
    const served = Math.min(s.concurrency, server.P);
    // Timers may fire up to 1 ms early by rounding; nothing else can make a request faster than S.
    if (s.latencyMs.p50 < server.S - 1) problems.push(`concurrency ${s.concurrency}: p50 ${s.latencyMs.p50} ms is below the service time ${server.S} ms`);
    const ceiling = (served / (server.S / 1000)) * (1 + server.S / 1000 / stepSeconds) * 1.05;
    if (s.throughputRps > ceiling) problems.push(`concurrency ${s.concurrency}: ${s.throughputRps} req/s is above what ${served} slots of ${server.S} ms can serve (${Math.round(ceiling)})`);
  }
  if (!concurrency.includes(knee.concurrency)) problems.push(`knee ${knee.concurrency} is not a measured step`);
  const upToKnee = steps.filter((s) => s.concurrency <= knee.concurrency).map((s) => s.throughputRps);
  if (upToKnee.some((x, i) => i > 0 && x <= upToKnee[i - 1])) problems.push(`throughput does not grow up to the knee: ${upToKnee.join(', ')}`);
  if (knee.throughputRps > knee.saturationThroughputRps) problems.push(`knee throughput ${knee.throughputRps} above saturation ${knee.saturationThroughputRps}`);
  if (!(knee.estimatedParallelism > 0)) problems.push(`estimated parallelism ${knee.estimatedParallelism}`);
  return problems;
}

/** Accuracy against the ideal, for the benchmark: relative errors of the knee, the estimated parallelism and the saturation throughput. */
export function accuracy(run: ProfiledRun, server: KnownServer): { kneeError: number; parallelismError: number; saturationError: number; expectedRps: number } {
  const expectedRps = server.P / (server.S / 1000);
  const rel = (measured: number, expected: number) => (measured - expected) / expected;
  return {
    kneeError: rel(run.knee.concurrency, server.P),
    parallelismError: rel(run.knee.estimatedParallelism, server.P),
    saturationError: rel(run.knee.saturationThroughputRps, expectedRps),
    expectedRps,
  };
}
