import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, TensorDType } from '../../lib';
import { applyChecks } from '../checks';

/**
 * A small Keras model on a SageMaker Serverless endpoint behind the guarded API, with the bounded
 * job queue: CPU only, memory and MaxConcurrency derived from the profile and a cost ceiling.
 */
export class SageMakerServerlessStack extends Stack {
  public readonly service: KerasInferenceService;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on a SageMaker Serverless endpoint behind a guarded API (keras-inference-guard)', ...props });
    const profile = InferenceProfile.of({
      model: 'mnist-cnn', hardware: 'ml.c5.xlarge',
      latencyMs: { p50: 25, p90: 40, p99: 60 }, sustainableConcurrency: 4, throughputPerInstanceRps: 60,
      peakHostMemoryMiB: 1400, peakGpuMemoryMiB: 0, coldStartSeconds: 40, maxRequestBytes: 120_000,
      provenance: { tool: 'kig profile', notes: 'Illustrative figures measured on CPU; measure your own model with `kig profile`.' },
    });
    this.service = new KerasInferenceService(this, 'Mnist', {
      profile,
      compute: InferenceCompute.sageMakerServerless({
        model: ModelArtifact.fromS3Uri((this.node.tryGetContext('modelS3Uri') as string | undefined) ?? 's3://replace-with-your-model-bucket/mnist-cnn/model.tar.gz'),
        // MaxConcurrency = floor($1.50 / (2 GB x $0.00002 x 3600 s)) = 10 concurrent invocations.
        maxCostPerHourUsd: 1.5,
      }),
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.FLOAT32, shape: [28, 28, 1], maxBatchSize: 8 }),
      jobQueue: {},
    });
    new CfnOutput(this, 'PredictUrl', { value: `${this.service.api!.api.url}predict`, description: 'POST TF Serving JSON ({"instances": [...]}) here, signed with SigV4 and with an x-api-key' });
    new CfnOutput(this, 'MaxConcurrency', { value: String(this.service.limits.scaling.maxInstances), description: this.service.limits.formulas['scaling.maxInstances'] });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new SageMakerServerlessStack(app, 'KerasSageMakerServerless');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
