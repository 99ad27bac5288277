/**
 * What a compute shape accepts and how it behaves, known before it is built: the limits are
 * derived from the profile plus these facts, so nothing downstream names a concrete backend.
 */
export interface BackendCapabilities {
  /** Name of the backend, for messages and formulas (e.g. "SageMaker real-time endpoint"). */
  readonly name: string;
  /** Largest request body the backend accepts (bytes). */
  readonly maxPayloadBytes: number;
  /**
   * Hard timeout of one invocation (ms): the API integration timeout must stay at or below it.
   * @default - none (the model-server timeout is the only deadline)
   */
  readonly invocationTimeoutMs?: number;
  /**
   * Idle timeout of a load balancer on the path (ms); the integration timeout must be lower.
   * @default - no load balancer
   */
  readonly loadBalancerIdleTimeoutMs?: number;
  /** Whether callers get the answer on the same connection. An asynchronous backend is only reached through a queue or an async API. */
  readonly synchronous: boolean;
  /** Whether the backend may run with no capacity at all (a request then waits for a cold start). */
  readonly scalesToZero: boolean;
  /** What one scaling unit is ("instance", "task", "concurrent invocation"), for messages. */
  readonly scalingUnit: string;
  /**
   * Requests per second one scaling unit serves.
   * @default - the profile's throughputPerInstanceRps
   */
  readonly throughputPerUnitRps?: number;
  /**
   * Requests one scaling unit works on at once.
   * @default - the profile's sustainableConcurrency
   */
  readonly concurrencyPerUnit?: number;
  /**
   * Largest number of scaling units the backend supports.
   * @default 10000
   */
  readonly maxUnits?: number;
  /**
   * Seconds from "more capacity needed" to "capacity serves".
   * @default - the profile's coldStartSeconds
   */
  readonly coldStartSeconds?: number;
  /**
   * Whether every unit up to the maximum serves on demand, without waiting for a scaling policy
   * (SageMaker serverless provisions concurrency per request). Per-key limits are then sized on
   * the maximum, not the minimum.
   * @default false
   */
  readonly capacityOnDemand?: boolean;
  /**
   * Default of the instance ceiling when the user sets none (the cost ceiling under attack).
   * @default 2
   */
  readonly defaultMaxUnits?: number;
  /**
   * How the default ceiling was chosen, when the backend derives it.
   * @default - the library default
   */
  readonly defaultMaxUnitsFormula?: string;
}
