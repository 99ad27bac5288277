export * from './alarm-topic';
export * from './thresholds';
export * from './inference-alarms';
