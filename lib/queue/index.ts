export * from './inference-queue';
export * from './worker-backend';
export * from './formulas';
export * from '../profile/queue-limits';
