export * from './keras-inference-service';
