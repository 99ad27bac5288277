export * from './errors';
export * from './validation';
export * from './aws-limits';
export * from './instance-types';
