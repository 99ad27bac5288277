import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InferenceCompute, InferenceProfileProps, KerasInferenceService, KerasInferenceServiceProps, ModelArtifact, ModelSignature, TensorDType } from '../../lib';
import { profile } from './profiles';

export const SIGNATURE = ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.FLOAT32, shape: [28, 28, 1], maxBatchSize: 8 });

/** A stack with one KerasInferenceService; returns the stack, service and template. */
export function serviceStack(overrides: Partial<KerasInferenceServiceProps> = {}, profileOverrides: Partial<InferenceProfileProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'TestStack');
  const service = new KerasInferenceService(stack, 'Svc', {
    profile: profile(profileOverrides),
    compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://models-bucket/mnist/model.tar.gz') }),
    signature: SIGNATURE,
    maxInstances: 4,
    ...overrides,
  });
  return { app, stack, service, template: Template.fromStack(stack) };
}
