export * from './capacity';
export * from './model-server';
export * from './task-size';
export * from './integration';
export * from './alarms';
export * from './inference-task-base';
export * from './ecs-inference-service';
export * from './ecs-queue-worker';
