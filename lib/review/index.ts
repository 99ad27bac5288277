export * from './cfn-yaml';
export * from './components';
export * from './format';
export * from './load';
export * from './review';
