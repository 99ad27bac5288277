export * from './target';
export * from './content-length';
export * from './inference-api';
