import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceCompute, InferenceProfile, KerasInferenceService, ModelServer, ModelSignature, ModelSource, TensorDType } from '../../lib';
import { applyChecks } from '../checks';

/** A small Keras model (MobileNetV3-Small) on Fargate CPU tasks behind the guarded API, with the bounded job queue. */
export class FargateStack extends Stack {
  public readonly service: KerasInferenceService;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on Fargate behind a guarded API (keras-inference-guard)', ...props });
    const profile = InferenceProfile.of({
      model: 'mobilenetv3-small', hardware: 'fargate-2vcpu-4gb',
      latencyMs: { p50: 18, p90: 30, p99: 55 }, sustainableConcurrency: 2, throughputPerInstanceRps: 45,
      peakHostMemoryMiB: 1_100, peakGpuMemoryMiB: 0, coldStartSeconds: 25, maxRequestBytes: 650_000,
      provenance: { tool: 'kig profile', notes: 'Illustrative figures; measure your own model with `kig profile`.' },
    });
    this.service = new KerasInferenceService(this, 'MobileNet', {
      profile,
      compute: InferenceCompute.fargate({
        modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'mobilenet', model: ModelSource.inImage('/models/mobilenet') }),
      }),
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 }),
      maxInstances: 4,
      jobQueue: {},
    });
    new CfnOutput(this, 'PredictUrl', { value: `${this.service.api!.api.url}predict`, description: 'POST TF Serving JSON here, signed with SigV4 and with an x-api-key' });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new FargateStack(app, 'KerasFargate');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
