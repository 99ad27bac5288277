export * from './model-artifact';
export * from './inference-image';
export * from './sagemaker-realtime';
export * from './sagemaker-common';
export * from './sagemaker-async';
export * from './sagemaker-serverless';
export * from './backend';
export * from './inference-compute';
