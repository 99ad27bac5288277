export * from './cfn-yaml';
export * from './components';
export * from './format';
export * from './load';
export * from './review';
export type { PriceTable } from './prices';
export { DEFAULT_PRICES } from './prices';
export type { CostReport, ComponentCost, CostLine } from './cost';
