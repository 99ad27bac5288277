/**
 * Percentile by the nearest-rank method on a sorted copy. Nearest rank (rather than
 * interpolation) always returns a latency that was really observed.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50/p90/p99/max of a list of latencies (ms), rounded to 0.01 ms. */
export function summarizeLatencies(latencies: readonly number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: round2(percentile(sorted, 50)),
    p90: round2(percentile(sorted, 90)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted.length ? sorted[sorted.length - 1] : 0),
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
