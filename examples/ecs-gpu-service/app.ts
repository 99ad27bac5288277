import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceCompute, KerasInferenceService, ModelServer, ModelSignature, ModelSource, TensorDType } from '../../lib';
import { applyChecks } from '../checks';
import { EXAMPLE_PROFILE } from '../ecs-gpu/app';

/**
 * ResNet-50 on GPU ECS tasks (g5.xlarge) behind the guarded API in one statement. `examples/ecs-gpu`
 * builds the same service from the parts (and adds an ECS queue worker).
 */
export class EcsGpuServiceStack extends Stack {
  public readonly service: KerasInferenceService;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on GPU ECS behind a guarded API, one statement (keras-inference-guard)', ...props });
    this.service = new KerasInferenceService(this, 'ResNet', {
      profile: EXAMPLE_PROFILE,
      compute: InferenceCompute.ecsGpu({
        modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'resnet50', model: ModelSource.inImage('/models/resnet50') }),
        instanceType: 'g5.xlarge',
      }),
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 }),
      maxInstances: 4,
    });
    new CfnOutput(this, 'PredictUrl', { value: `${this.service.api!.api.url}predict`, description: 'POST TF Serving JSON here, signed with SigV4 and with an x-api-key' });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new EcsGpuServiceStack(app, 'KerasEcsGpuService');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
