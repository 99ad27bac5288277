export * from './inference-queue';
export * from './worker-backend';
export * from '../core/queue-formulas';
