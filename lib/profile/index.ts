export * from './inference-profile';
export * from './limits';
export * from './timeout-chain';
export * from './queue-limits';
export * from './derive';
export { limitsProblems } from './private/limits-problems';
export * from './backend-capabilities';
