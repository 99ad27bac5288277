import { findKnee, KNEE_DEFAULTS, StepResult } from '../../lib/profiler';

function step(concurrency: number, throughputRps: number, p99: number, errorRate = 0, p50 = p99 * 0.8): StepResult {
  return {
    concurrency, durationSeconds: 1, ok: Math.round(throughputRps), non2xx: errorRate > 0 ? 1 : 0, errors: 0, throughputRps,
    latencyMs: { p50, p90: p99 * 0.9, p99, max: p99 }, errorRate, statusCounts: { 200: Math.round(throughputRps) },
  };
}

describe('findKnee', () => {
  // A server with 4 slots of 25 ms: 40 req/s per slot, 160 req/s at saturation.
  const ideal = [step(1, 40, 26, 0, 25), step(2, 80, 26, 0, 25), step(4, 160, 27, 0, 25), step(8, 162, 52, 0, 50), step(16, 161, 102, 0, 100)];

  test('picks the last step that still grows throughput enough', () => {
    const k = findKnee(ideal)!;
    expect(k.concurrency).toBe(4);
    expect(k.throughputRps).toBe(160);
    expect(k.saturationThroughputRps).toBe(162);
    expect(k.stoppedBecause).toBe('concurrency 8 added 1.25 % throughput over concurrency 4 (needed 25 %)');
  });

  test('estimates the parallelism by Little\'s law from the lowest p50 up to the knee', () => {
    expect(findKnee(ideal)!.estimatedParallelism).toBeCloseTo(162 * 0.025, 1);
  });

  test('the default latency bound is 3 x the p99 of the first step', () => {
    expect(findKnee(ideal)!.latencyBoundMs).toBe(KNEE_DEFAULTS.latencyBoundFactor * 26);
  });

  test('stops at a step whose p99 exceeds the bound even if throughput grew', () => {
    const k = findKnee(ideal, { latencyBoundMs: 26.5 })!;
    expect(k.concurrency).toBe(2);
    expect(k.stoppedBecause).toMatch(/p99 27 ms > bound 26.5 ms/);
  });

  test('stops at the first step with errors, and does not look past it', () => {
    const steps = [step(1, 40, 26), step(2, 80, 26), step(4, 150, 27, 0.02), step(8, 300, 27)];
    const k = findKnee(steps)!;
    expect(k.concurrency).toBe(2);
    expect(k.stoppedBecause).toMatch(/error rate 2 %/);
    expect(k.saturationThroughputRps).toBe(300);
  });

  test('the bar is max(minGain, minEfficiency x relative concurrency increase)', () => {
    expect(findKnee(ideal, { minGain: 0.001, minEfficiency: 0 })!.concurrency).toBe(8);
    // 4 -> 8 adding 20 %: enough for a 10 % floor alone, not for a quarter of perfect scaling
    const partial = [step(1, 40, 26), step(2, 80, 26), step(4, 160, 27), step(8, 192, 40)];
    expect(findKnee(partial)!.concurrency).toBe(4);
    expect(findKnee(partial, { minEfficiency: 0.1 })!.concurrency).toBe(8);
    // a small step (6 -> 8) only needs the 10 % floor
    const fine = [step(2, 80, 26), step(4, 160, 26), step(6, 240, 27), step(8, 270, 30)];
    expect(findKnee(fine)!.concurrency).toBe(8);
    expect(findKnee(fine, { minGain: 0.15 })!.concurrency).toBe(6);
  });

  test('no knee when the least loaded step already fails', () => {
    expect(findKnee([step(1, 40, 26, 0.5), step(2, 80, 26)])).toBeUndefined();
    expect(findKnee([step(1, 40, 26)], { latencyBoundMs: 10 })).toBeUndefined();
    expect(findKnee([])).toBeUndefined();
  });

  test('steps are sorted by concurrency before the walk', () => {
    expect(findKnee([...ideal].reverse())!.concurrency).toBe(4);
  });

  test('the rule is written out in words', () => {
    expect(findKnee(ideal)!.rule).toMatch(/error rate 0 and p99 <= 78 ms.*by at least max\(10 %, 0.25 x the relative concurrency increase\)/);
  });
});
