/**
 * A token bucket as API Gateway describes its throttles: the bucket holds at most `burst` tokens,
 * `rate` tokens are added per second, and each request takes one token or is refused
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
 * A reference independent of the library's formulas: the most requests a greedy caller gets through
 * in `seconds`, starting with a full bucket, simulated step by step in exact integer arithmetic.
 *
 * Each step adds at most one token, and the caller takes every whole token at once, so no token is
 * lost to the cap when `burst` >= 2 (the bucket holds under one token plus one step's worth).
 * `rate` has at most two decimals.
 */
export function tokenBucketMaxAdmitted(rate: number, burst: number, seconds: number): number {
  if (!Number.isInteger(burst) || burst < 2 || !Number.isInteger(seconds) || Math.abs(rate * 100 - Math.round(rate * 100)) > 1e-9) {
    throw new Error(`tokenBucketMaxAdmitted: rate ${rate} (two decimals), burst ${burst} (integer >= 2), seconds ${seconds} (integer)`);
  }
  const centiRate = Math.round(rate * 100);
  const steps = Math.max(1, Math.ceil((centiRate * seconds) / 100));
  // One token = steps x 100 units; one step (seconds / steps) adds centiRate x seconds units.
  const token = steps * 100;
  const perStep = centiRate * seconds;
  const capacity = burst * token;
  let units = capacity;
  let admitted = 0;
  for (let i = 0; i <= steps; i++) {
    if (i > 0) units = Math.min(capacity, units + perStep);
    const whole = Math.floor(units / token);
    admitted += whole;
    units -= whole * token;
  }
  return admitted;
}
