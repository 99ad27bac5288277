import { App, Stack } from 'aws-cdk-lib';
import { InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, SecurityPosture, TensorDType } from '../../lib';

const stack = new Stack(new App(), 'Regulated');
new KerasInferenceService(stack, 'Classifier', {
  profile: InferenceProfile.fromFile('profile.json'),
  compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://my-bucket/model.tar.gz'), instanceType: 'ml.p3.2xlarge' }),
  signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 }),
  jobQueue: {},
  // ECS compute also needs the load balancer's certificate (a public CA: API Gateway verifies it):
  // SecurityPosture.regulated({ loadBalancerCertificate: acm.Certificate.fromCertificateArn(...), loadBalancerDomainName: 'inference.example.com' })
  security: SecurityPosture.regulated(),
});
