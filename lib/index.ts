export * from './core';
export * from './profile';
export * from './api';
