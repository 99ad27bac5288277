import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, SecurityPosture, TensorDType,
} from '../../lib';
import { applyChecks } from '../checks';

/**
 * A Keras image classifier on a SageMaker real-time endpoint with a bounded job queue, in the
 * regulated posture: every topic, log group, queue, table, bucket and the endpoint's storage volume
 * encrypted with one customer-managed key, a daily backup plan for the job table, access logs for
 * the payload bucket, managed policies instead of inline ones. ml.p3.2xlarge has EBS storage only,
 * so SageMaker accepts the key for its volume (local-NVMe types such as ml.g5 refuse one).
 */
export class SageMakerRegulatedStack extends Stack {
  public readonly service: KerasInferenceService;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on SageMaker behind a guarded API, regulated posture (keras-inference-guard)', ...props });
    this.service = new KerasInferenceService(this, 'Classifier', {
      profile: InferenceProfile.of({
        model: 'efficientnet-b0', hardware: 'ml.p3.2xlarge',
        latencyMs: { p50: 40, p90: 62, p99: 110 }, sustainableConcurrency: 8, throughputPerInstanceRps: 160,
        peakHostMemoryMiB: 6000, peakGpuMemoryMiB: 5000, coldStartSeconds: 150, maxRequestBytes: 2_500_000,
        provenance: { tool: 'kig profile', notes: 'Illustrative figures; measure your own model with `kig profile`.' },
      }),
      compute: InferenceCompute.sageMakerRealtime({
        model: ModelArtifact.fromS3Uri((this.node.tryGetContext('modelS3Uri') as string | undefined) ?? 's3://replace-with-your-model-bucket/efficientnet/model.tar.gz'),
      }),
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 }),
      minInstances: 1,
      maxInstances: 3,
      jobQueue: {},
      security: SecurityPosture.regulated(),
    });
    new CfnOutput(this, 'PredictUrl', { value: `${this.service.api!.api.url}predict`, description: 'POST TF Serving JSON here (SigV4 + x-api-key)' });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new SageMakerRegulatedStack(app, 'KerasSageMakerRegulated');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
