import { InferenceProfile } from './inference-profile';
import { DeriveLimitsOptions, InferenceLimits, deriveLimits } from './limits';
import { QueueLimitOptions, QueueLimits, deriveQueueLimits } from './queue-limits';

/**
 * Turns a measured inference profile into every number the constructs set, with the formula of
 * each (`formulas`). The constructs call these themselves; call them to see the numbers before
 * synthesizing, or to size resources of your own.
 */
export class Limits {
  /**
   * Limits of the synchronous path: timeouts, throttling, usage-plan tiers, WAF, scaling, payload,
   * model-server batching and alarm thresholds.
   *
   * @throws an error naming every invalid option (prop, value, what is allowed, the fix)
   */
  public static derive(profile: InferenceProfile, options: DeriveLimitsOptions = {}): InferenceLimits {
    return deriveLimits(profile, options);
  }

  /**
   * Limits of the bounded job queue: worker deadline and timeout, batch size, visibility timeout,
   * worker concurrency, drain rate, depth budget and Retry-After.
   *
   * @throws an error naming every invalid option (prop, value, what is allowed, the fix)
   */
  public static deriveForQueue(profile: InferenceProfile, options: QueueLimitOptions = {}): QueueLimits {
    return deriveQueueLimits(profile, options);
  }

  private constructor() {}
}
