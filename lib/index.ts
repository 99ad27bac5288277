export * from './core';
export * from './profile';
