export * from './core';
export * from './profile';
export * from './api';
export * from './nag';
export * from './review';
