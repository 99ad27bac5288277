export * from './model-signature';
