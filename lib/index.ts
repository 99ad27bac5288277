export * from './core';
export * from './profile';
export * from './api';
export * from './queue';
