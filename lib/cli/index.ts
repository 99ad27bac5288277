export * from './io';
export { main } from './main';
