import { AlarmThresholds } from '../profile';

/** Thresholds that replace derived ones. Each field is optional; a given value wins. */
export interface AlarmThresholdOverrides {
  /** @default - derived (1 %) */
  readonly api5xxRate?: number;
  /** @default - derived (10 %) */
  readonly api4xxRate?: number;
  /** @default - derived (0.8 x integration timeout) */
  readonly apiLatencyP99Ms?: number;
  /** @default - derived (0.9 x integration timeout) */
  readonly integrationLatencyP99Ms?: number;
  /** @default - derived (5 % of stage capacity per minute) */
  readonly throttledPerMinute?: number;
  /** @default - derived (one IP's WAF allowance per minute) */
  readonly wafBlockedPerMinute?: number;
  /** @default - derived (1.5 x profile p99) */
  readonly modelLatencyP99Micros?: number;
  /** @default 1 */
  readonly backend5xxPerMinute?: number;
  /** @default 80 */
  readonly cpuUtilizationPercent?: number;
  /** @default 85 */
  readonly memoryUtilizationPercent?: number;
  /** @default 90 */
  readonly gpuUtilizationPercent?: number;
}

/** Applies overrides: a user value wins over the derived one. */
export function resolveThresholds(derived: AlarmThresholds, overrides: AlarmThresholdOverrides = {}): AlarmThresholds {
  const out: Record<string, number> = { ...derived };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v;
  return out as unknown as AlarmThresholds;
}
