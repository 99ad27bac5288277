export * from './rule';
export * from './rules';
export * from './evaluate';
export * from './inference-guard-checks';
export * from './extended-timeout';
export * from './rules-markdown';
export * from './template/template-model';
