export * from './keras-inference-service';
export * from './inference-alarms';
