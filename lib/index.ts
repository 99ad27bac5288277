export * from './core';
export * from './profile';
export * from './api';
export * from './compute';
export * from './alarms';
export * from './patterns';
export * from './compute/ecs';
export * from './queue';
