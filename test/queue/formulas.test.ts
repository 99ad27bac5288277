/** The queue formulas against values worked out by hand (the arithmetic beside each), on cases that do not divide exactly. */
import { admissionCap, rejectionDepthBound, retryAfterSeconds, retryBackoffSeconds } from '../../lib/core/queue-formulas';

describe('retryAfterSeconds = clamp(1, max, ceil((depth - resume x budget) / drain))', () => {
  test.each([
    // depth, budget, drain/s, resume, max -> seconds
    [107, 100, 8, 0.5, 60, 8], // (107 - 50) / 8 = 7.125 -> rounded up to 8
    [101, 100, 3, 0.25, 60, 26], // (101 - 25) / 3 = 25.33 -> 26
    [100, 100, 3, 0.25, 60, 25], // (100 - 25) / 3 = 25 exactly
    [60, 100, 4, 0.5, 60, 3], // (60 - 50) / 4 = 2.5 -> 3
    [51, 100, 10, 0.5, 60, 1], // (51 - 50) / 10 = 0.1 -> 1
    [50, 100, 10, 0.5, 60, 1], // nothing above the resume level -> at least 1
    [0, 100, 10, 0.5, 60, 1], // empty queue -> at least 1
    [1000, 100, 10, 0.5, 60, 60], // (1000 - 50) / 10 = 95 -> capped at 60
    [651, 100, 10, 0.5, 60, 60], // (651 - 50) / 10 = 60.1 -> 61 -> capped at 60
    [649, 100, 10, 0.5, 60, 60], // (649 - 50) / 10 = 59.9 -> 60
    [641, 100, 10, 0.5, 60, 60], // (641 - 50) / 10 = 59.1 -> 60
    [639, 100, 10, 0.5, 60, 59], // (639 - 50) / 10 = 58.9 -> 59
    [100, 100, 0, 0.5, 60, 60], // nothing drains -> the cap
    [0, 100, 0, 0.5, 60, 60], // nothing drains, even with nothing queued -> the cap
    [100, 100, -1, 0.5, 60, 60], // a negative rate is no drain
    [1000, 100, 1, 0.5, 0, 1], // a cap below 1 s still says 1 s
    [103, 100, 0.5, 1, 300, 6], // (103 - 100) / 0.5 = 6
    [104, 100, 1.5, 1, 300, 3], // (104 - 100) / 1.5 = 2.67 -> 3
  ])('depth %d, budget %d, drain %d/s, resume %d, max %d s -> %d s', (depth, budget, drain, resume, max, expected) => {
    expect(retryAfterSeconds(depth, budget, drain, resume, max)).toBe(expected);
  });
});

describe('retryBackoffSeconds = max(1, min(cap, round(min(cap, base x 2^(n-1)) x (0.5 + 0.5 x random))))', () => {
  test.each([
    // receive count, base, cap, random -> seconds
    [1, 3, 100, 1, 3], // 3 x 2^0 x 1 = 3
    [1, 3, 100, 0, 2], // 3 x 0.5 = 1.5 -> rounds to 2
    [2, 3, 100, 0, 3], // 3 x 2 x 0.5 = 3
    [3, 3, 100, 0.5, 9], // 12 x 0.75 = 9
    [4, 3, 100, 0.3, 16], // 24 x 0.65 = 15.6 -> 16
    [4, 3, 100, 0.1, 13], // 24 x 0.55 = 13.2 -> 13
    [6, 3, 50, 1, 50], // 3 x 32 = 96 -> capped at 50
    [6, 3, 50, 0, 25], // min(50, 96) x 0.5 = 25
    [0, 3, 100, 1, 3], // a count below 1 counts as 1
    [2.9, 3, 100, 1, 6], // a fractional count is floored: n = 2 -> 6
    [1, 1, 100, 0, 1], // 1 x 0.5 = 0.5 -> rounds to 1 (and never below 1)
    [1, 0.4, 100, 0, 1], // 0.4 x 0.5 = 0.2 -> 0 -> at least 1
    [40, 3, 1000, 1, 1000], // 2^(n-1) is capped at 2^30: still far above the cap
  ])('count %d, base %d s, cap %d s, random %d -> %d s', (n, base, cap, random, expected) => {
    expect(retryBackoffSeconds(n, base, cap, () => random)).toBe(expected);
  });

  test('without a random source it stays within [half, whole] of the exponential step', () => {
    for (let i = 0; i < 20; i++) {
      const s = retryBackoffSeconds(3, 4, 100); // 4 x 2^2 = 16 -> 8..16
      expect(s).toBeGreaterThanOrEqual(8);
      expect(s).toBeLessThanOrEqual(16);
    }
  });
});

describe('admission bound', () => {
  test.each([
    // admitted, depth, budget -> cap = admitted + budget - depth
    [0, 0, 100, 100],
    [500, 95, 100, 505],
    [500, 120, 100, 480],
    [7, 3, 13, 17],
  ])('admissionCap(%d admitted, depth %d, budget %d) = %d', (admitted, depth, budget, expected) => {
    expect(admissionCap(admitted, depth, budget)).toBe(expected);
  });

  test.each([
    // depth read, budget, environments -> max(depth, budget) + max(0, environments - 1)
    [40, 100, 8, 107],
    [150, 100, 8, 157],
    [150, 100, 1, 150],
    [100, 100, 3, 102],
    [10, 100, 0, 100], // no environment is no slack, not negative slack
  ])('rejectionDepthBound(depth %d, budget %d, %d environments) = %d', (depth, budget, envs, expected) => {
    expect(rejectionDepthBound(depth, budget, envs)).toBe(expected);
  });
});
