import { deriveLimits } from '../../lib/profile';
import { ceilInt, floorInt } from '../../lib/core/rounding';
import { profile } from '../support/profiles';

/** Derived integers are exact where binary floating point is not (180 x 60 x 0.7 = 7559.999...). */
test('the scaling target of 180 req/s at 70 % is 7560 per minute, not 7559', () => {
  expect(180 * 60 * 0.7).toBeLessThan(7560);
  expect(deriveLimits(profile({ throughputPerInstanceRps: 180 })).scaling.targetInvocationsPerInstancePerMinute).toBe(7560);
});

test('a 43.2 req/s tier at half duty has a daily quota of 1866240, not 1866241', () => {
  // 3 instances x 180 req/s x 0.8 headroom = 432 req/s; the basic tier gets 10 % (a minimum fleet of 3
  // and requests of even cost keep the tiers under the per-key ceiling).
  const l = deriveLimits(profile({ throughputPerInstanceRps: 180, latencyMs: { p50: 20, p90: 20, p99: 20 } }), { minInstances: 3, maxInstances: 3 });
  const basic = l.usagePlanTiers.find((t) => t.name === 'basic')!;
  expect(basic.rateLimit).toBe(43.2);
  expect(43.2 * 86_400 * 0.5).toBeGreaterThan(1_866_240);
  expect(basic.quotaPerDay).toBe(1_866_240);
});

test('floorInt and ceilInt still round real fractions', () => {
  expect([floorInt(2.5), ceilInt(2.5), floorInt(-0.5), ceilInt(7559.4)]).toEqual([2, 3, -1, 7560]);
});
