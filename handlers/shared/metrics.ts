/**
 * CloudWatch Embedded Metric Format. One log line becomes metric data points without an API call
 * on the request path (PutMetricData would add latency, an API rate quota and another IAM grant),
 * and without a metric filter. The document: a root `_aws` with `Timestamp` (ms since the epoch) and
 * `CloudWatchMetrics` (each directive a `Namespace`, `Dimensions` as arrays of the root's member names,
 * and `Metrics` with `Name` and `Unit`), the dimension and metric values as root members
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * CloudWatch publishes the metric with exactly the dimension sets a directive lists, which is what
 * the alarms on these metrics name (lib/alarms/metric-catalog.ts).
 */
export function emfLine(namespace: string, dimensions: Record<string, string>, metrics: Record<string, number>, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: namespace,
        Dimensions: [Object.keys(dimensions)],
        Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })),
      }],
    },
    ...dimensions,
    ...metrics,
  });
}

/** Names of the metrics the admission function publishes. */
export const ADMISSION_METRICS = {
  namespace: 'KerasInferenceGuard/Queue',
  dimension: 'QueueName',
  admitted: 'JobsAdmitted',
  rejected: 'JobsRejected',
  /** Dimension naming the usage-plan tier, beside QueueName. */
  tierDimension: 'Tier',
  /** Jobs refused because their API key held its share of the budget (per tier). */
  keyAtShare: 'JobsRejectedKeyAtShare',
  /** Jobs refused because their tier held its share of the budget. */
  tierAtShare: 'JobsRejectedTierAtShare',
  /** Cost units the tier holds after an admission (Maximum per period: the tier's budget use). */
  tierUnitsHeld: 'TierCostUnitsHeld',
} as const;

/** Names of the metric the dead-letter reconciler publishes when it repairs the admission ledger. */
export const RECONCILER_METRICS = {
  namespace: ADMISSION_METRICS.namespace,
  dimension: ADMISSION_METRICS.dimension,
  /** Cost units the ledger held that no job held, set back to zero by a repair (auditLedger). */
  ledgerUnitsRepaired: 'LedgerUnitsRepaired',
} as const;

/**
 * Writes one log line as is. The Lambda Node.js runtime prefixes `console.log` output with a
 * timestamp, request id and level, which would stop CloudWatch from reading an Embedded Metric
 * Format line; standard output is forwarded unchanged.
 */
export function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}
