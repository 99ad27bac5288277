/**
 * What a ```ts documentation block may assume, by the name its marker gives
 * (`<!-- doc-test: prelude stack profile -->` on the line before the fence). Blocks are
 * type-checked, not run, so a prelude declares a name and its type. Types are written as
 * `import('…')` types so they never collide with a block's own import lines.
 */
const KIG = "import('keras-inference-guard')";
const CDK = "import('aws-cdk-lib')";

export const TS_PRELUDES: Readonly<Record<string, string>> = {
  /** Every public name of the package, and App, Stack, Duration, aws_apigateway as apigw: for fragments without import lines. */
  imports: '',
  /** Python blocks run where profile.json, export/ and model.keras exist; a TypeScript block is only compiled, so it needs nothing. */
  files: '',
  stack: `declare const stack: ${CDK}.Stack;`,
  profile: `declare const profile: ${KIG}.InferenceProfile;`,
  model: `declare const model: ${KIG}.ModelArtifact;`,
  signature: `declare const signature: ${KIG}.ModelSignature;`,
  backend: `declare const backend: ${KIG}.SageMakerRealtimeBackend;`,
  api: `declare const api: ${KIG}.InferenceApi;`,
  maxInstances: 'declare const maxInstances: number;',
  serviceProps: `declare const serviceProps: ${KIG}.KerasInferenceServiceProps;`,
};

/** The `imports` prelude: an import line of every public name of the package, plus the CDK names fragments use. */
export function importsPrelude(publicNames: readonly string[]): string {
  return [
    `import { ${publicNames.join(', ')} } from 'keras-inference-guard';`,
    "import { App, Stack, Duration, aws_apigateway as apigw } from 'aws-cdk-lib';",
  ].join('\n');
}
