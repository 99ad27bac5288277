export * from './alarm-topic';
export * from './thresholds';
export * from './guard-alarms';
export { ALARM_METADATA_KEY } from './alarm-factory';
export type { AtRest } from './alarm-factory';
export { METRIC_CATALOG } from './metric-catalog';
export type { MetricCatalogEntry, MetricUnit } from './metric-catalog';
