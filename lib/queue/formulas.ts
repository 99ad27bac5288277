/**
 * Queue formulas shared by the synth-time derivation (`deriveQueueLimits`) and the Lambda
 * handlers. This file imports nothing, so the handlers bundle it without pulling in the CDK.
 */

/**
 * Seconds a rejected client should wait before retrying: the estimated time for the workers to
 * drain the backlog back down to `resumeFraction` of the budget.
 *
 *   retryAfter = clamp(1, maxSeconds, ceil((depth - resumeFraction x budget) / drainRate))
 *
 * Draining to a fraction of the budget (not to the budget itself) gives hysteresis: clients told
 * to come back do not all arrive at the moment the queue has exactly one free slot.
 */
export function retryAfterSeconds(depth: number, depthBudget: number, drainRatePerSecond: number, resumeFraction: number, maxSeconds: number): number {
  const excess = Math.max(0, depth - resumeFraction * depthBudget);
  const seconds = drainRatePerSecond > 0 ? Math.ceil(excess / drainRatePerSecond) : maxSeconds;
  return Math.min(Math.max(1, maxSeconds), Math.max(1, seconds));
}

/**
 * Visibility timeout (s) a transiently failed message gets before its next delivery:
 * exponential in the receive count, capped, with "equal jitter" so retries of one burst spread.
 *
 *   backoff(n) = min(cap, base x 2^(n-1)) x (0.5 + 0.5 x random)   (at least 1 s)
 */
export function retryBackoffSeconds(receiveCount: number, baseSeconds: number, capSeconds: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(receiveCount));
  const exp = Math.min(capSeconds, baseSeconds * 2 ** Math.min(n - 1, 30));
  return Math.max(1, Math.min(capSeconds, Math.round(exp * (0.5 + 0.5 * random()))));
}

/**
 * How many jobs one admission environment may enqueue on a cached depth reading before it must
 * read the depth again: its fair share of the remaining budget.
 *
 *   share = max(1, floor((budget - depth) / environments))   when depth < budget, else 0
 *
 * Every environment that reads the same depth admits at most its share, so all together admit at
 * most the remaining budget plus one each (the `max(1, ...)`): the documented slack is the
 * admission function's reserved concurrency.
 */
export function admissionShare(depth: number, depthBudget: number, environments: number): number {
  if (depth >= depthBudget) return 0;
  return Math.max(1, Math.floor((depthBudget - depth) / Math.max(1, environments)));
}
