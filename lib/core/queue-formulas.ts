/**
 * Queue formulas shared by the synth-time derivation (`deriveQueueLimits`) and the Lambda
 * handlers. This file imports nothing, so the handlers bundle it without pulling in the CDK.
 */

/**
 * Time the queue worker keeps back from each invocation after its model calls (ms): for writing the
 * outcome, deleting the message and giving the job's cost units back, with the SDK's retries. A
 * message that would have less left is handed back without a model call. The derivation's
 * `workerMarginSeconds`, which the worker's timeout adds to its model calls, is at least this.
 */
export const WORKER_SAFETY_MARGIN_MS = 2_000;

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
 * The ledger value up to which an admission environment may count jobs on its reading: the jobs
 * admitted when it read (`admitted`) plus the budget left at the depth it read then.
 *
 *   cap = admitted + budget - depth
 *
 * Jobs that left the queue since the reading are not credited, so an old reading only admits less
 * (see `DepthGauge` in the admission handler for the bound this gives).
 */
export function admissionCap(admitted: number, depth: number, depthBudget: number): number {
  return admitted + depthBudget - depth;
}

/**
 * Upper bound of the backlog when a request is rejected: every admission leaves at most
 * `budget + environments - 1` jobs, and a depth read above the budget grows by at most the
 * `environments - 1` jobs that other environments were enqueueing while it was read.
 */
export function rejectionDepthBound(depthRead: number, depthBudget: number, environments: number): number {
  return Math.max(depthRead, depthBudget) + Math.max(0, environments - 1);
}

/**
 * How the handlers price a request, recorded at synth by `deriveQueueLimits` (see its
 * `costModel` formula). Plain data so it travels in an environment variable.
 */
export interface CostModel {
  /**
   * Elements of one reference inference: one instance with every variable dimension at its
   * largest, summed over the inputs.
   */
  readonly referenceElements: number;
  /**
   * Share of one reference inference's time that does not depend on the request's size (request
   * handling, kernel launches), 0..1: measured from the profile's payload sizes, else assumed.
   */
  readonly fixedShare: number;
}

/**
 * Elements a request body carries: the numbers (or booleans) in its `instances`, every variable
 * dimension counted at the length actually sent. A body the schema admitted has only arrays,
 * objects keyed by input name and scalars below `instances`.
 */
export function requestElements(body: unknown): number {
  const instances = (body as { instances?: unknown })?.instances;
  let n = 0;
  // Arrays and objects alike: the values of an array (parsed JSON has no holes) are its elements.
  const walk = (v: unknown): void => {
    if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) walk(x);
    else n++;
  };
  if (Array.isArray(instances)) walk(instances);
  return n;
}

/**
 * Elements of one reference inference: one instance with every variable (-1) dimension at its
 * bound, summed over the inputs.
 */
export function referenceElements(inputs: ReadonlyArray<{ readonly shape: readonly number[]; readonly maxVariableDim?: number }>): number {
  return inputs.reduce((n, i) => n + i.shape.reduce((m, d) => m * (d === -1 ? (i.maxVariableDim ?? 1) : d), 1), 0);
}

/**
 * A request's cost in reference inferences (units), rounded up to a thousandth:
 *
 *   cost = fixedShare + (1 - fixedShare) x elements / referenceElements
 *
 * One instance at its largest shape costs 1; a batch of 8 such instances costs
 * fixedShare + 8 x (1 - fixedShare), since the fixed part is paid once per call.
 */
export function requestCostUnits(elements: number, model: CostModel): number {
  const raw = model.fixedShare + (1 - model.fixedShare) * (elements / model.referenceElements);
  return Math.ceil(raw * 1000 - 1e-9) / 1000;
}


/**
 * Fixed share of a call's time (the part that does not grow with the input) when the profile has
 * no input-size sensitivity to fit it from: a guess, stated as one wherever it is used.
 */
export const DEFAULT_FIXED_COST_SHARE = 0.1;
