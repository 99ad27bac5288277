export * from './inference-profile';
export * from './limits';
export * from './timeout-chain';
export * from './queue-limits';
export * from './derive';
export * from './backend-capabilities';
