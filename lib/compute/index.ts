export * from './model-artifact';
export * from './inference-image';
export * from './sagemaker-realtime';
