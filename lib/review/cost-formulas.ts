// The worst-case cost model's formulas: price of a rate, a function, a task or an endpoint per hour, and their types.
import { PriceTable } from './prices';

/** Hours in a month for monthly prices (AWS bills 730 hours a month). */
export const HOURS_PER_MONTH = 730;
/**
 * Assumed size of one API Gateway access-log line with the standard JSON fields (request id, IP,
 * time, method, path, status, latency, response length, error type): about 1 KB.
 */
export const ACCESS_LOG_BYTES_PER_REQUEST = 1_024;
/** Assumed Lambda platform log volume per invocation (START, END and REPORT lines): about 300 bytes. */
export const LAMBDA_LOG_BYTES_PER_INVOCATION = 300;
/** SQS requests per message through a queue: SendMessage, ReceiveMessage, DeleteMessage. */
export const SQS_REQUESTS_PER_MESSAGE = 3;

/** One priced item of a component at its worst case. */
export interface CostLine {
  /** What is priced, e.g. "requests at the stage throttle". */
  readonly item: string;
  /** USD per hour; undefined when unbounded or not priced. */
  readonly perHour?: number;
  /** The formula with its numbers. */
  readonly formula: string;
  /** When nothing bounds the item: the rule whose finding would bound it. */
  readonly unboundedBy?: string;
}

/** Worst-case cost per hour of one component. */
export interface ComponentCost {
  readonly id: string;
  readonly label: string;
  readonly lines: readonly CostLine[];
  /** Sum of the bounded lines; undefined when any line is unbounded. */
  readonly perHour?: number;
}

/** Worst-case cost per hour of a template, with the prices used. */
export interface CostReport {
  readonly region: string;
  readonly asOf: string;
  readonly sources: readonly string[];
  readonly components: readonly ComponentCost[];
  /** Sum over components; undefined when any component is unbounded. */
  readonly perHour?: number;
}

// ---- formulas (unit-tested) --------------------------------------------------------------------

/** Requests at `rps` for one hour, at `perMillion` USD per million. */
export function requestCostPerHour(rps: number, perMillion: number): number {
  return (rps * 3600 * perMillion) / 1e6;
}

/** A web ACL with `rules` rules, per hour, plus `rps` inspected requests. */
export function wafCostPerHour(rules: number, rps: number, p: PriceTable): number {
  return (p.wafWebAclPerMonth + rules * p.wafRulePerMonth) / HOURS_PER_MONTH + requestCostPerHour(rps, p.wafPerMillionRequests);
}

/** Log ingestion of `bytesPerSecond` for an hour. */
export function logCostPerHour(bytesPerSecond: number, p: PriceTable): number {
  return (bytesPerSecond * 3600 / 1e9) * p.logsIngestPerGb;
}

/**
 * Lambda at its concurrency cap for a whole hour, each invocation running its full timeout:
 * duration = cap x memory GB x 3600 s x price per GB-s; requests = cap x 3600 / timeout; logs per invocation.
 */
export function lambdaCostPerHour(cap: number, memoryMb: number, timeoutS: number, p: PriceTable, arm = false): { duration: number; requests: number; logs: number; invocationsPerHour: number } {
  const invocationsPerHour = cap * 3600 / timeoutS;
  return {
    duration: cap * (memoryMb / 1024) * 3600 * (arm ? p.lambdaArmPerGbSecond : p.lambdaPerGbSecond),
    requests: (invocationsPerHour * p.lambdaPerMillionRequests) / 1e6,
    logs: ((invocationsPerHour * LAMBDA_LOG_BYTES_PER_INVOCATION) / 1e9) * p.logsIngestPerGb,
    invocationsPerHour,
  };
}

/**
 * Lambda behind a throttled API Gateway stage and nothing else, for an hour. A token bucket of rate
 * r and burst b admits at most r x T + b requests in any window of T seconds (API Gateway "throttles
 * requests to your API using the token bucket algorithm, where a token counts for a request":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html,
 * and http-api-throttling.html for HTTP APIs), so: invocations <= r x 3600 + b; each runs at most its
 * timeout t, so duration <= invocations x t x memory GB; and, by Little's law, concurrent executions
 * <= r x t (+ b while the burst drains). The same pages call throttles "best-effort ... targets rather
 * than guaranteed request ceilings": the bound is the cost at the throttle target, like the API's own line.
 */
export function throttledLambdaCostPerHour(rps: number, burst: number, memoryMb: number, timeoutS: number, p: PriceTable, arm = false): { duration: number; requests: number; logs: number; invocationsPerHour: number; concurrency: number } {
  const invocationsPerHour = rps * 3600 + burst;
  return {
    duration: invocationsPerHour * timeoutS * (memoryMb / 1024) * (arm ? p.lambdaArmPerGbSecond : p.lambdaPerGbSecond),
    requests: (invocationsPerHour * p.lambdaPerMillionRequests) / 1e6,
    logs: ((invocationsPerHour * LAMBDA_LOG_BYTES_PER_INVOCATION) / 1e9) * p.logsIngestPerGb,
    invocationsPerHour,
    concurrency: rps * timeoutS + burst,
  };
}

/** Fargate tasks at their maximum count: tasks x (vCPU x price + GB x price). */
export function fargateCostPerHour(tasks: number, cpuUnits: number, memoryMiB: number, p: PriceTable): number {
  return tasks * ((cpuUnits / 1024) * p.fargatePerVcpuHour + (memoryMiB / 1024) * p.fargatePerGbHour);
}

/** SageMaker serverless at MaxConcurrency for an hour: concurrency x memory GB x 3600 s x price per GB-s. */
export function sageMakerServerlessCostPerHour(maxConcurrency: number, memoryMb: number, p: PriceTable): number {
  return maxConcurrency * (memoryMb / 1024) * 3600 * p.sageMakerServerlessPerGbSecond;
}

export const usd = (v: number) => `$${v < 0.01 ? v.toFixed(4) : v.toFixed(2)}`;
