import { App, Annotations, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, TensorDType,
} from '../../lib';
import { applyChecks } from '../checks';
import profileJson from './profile.json';

/** Where the model comes from: `-c modelDir=./export` packs a local SavedModel; `-c modelS3Uri=s3://...` uses one in S3. */
export const PLACEHOLDER_MODEL_URI = 's3://replace-with-your-model-bucket/mnist-cnn/model.tar.gz';

/** A Keras MNIST classifier on a SageMaker GPU endpoint behind the guarded API. */
export class SageMakerRealtimeGpuStack extends Stack {
  public readonly service: KerasInferenceService;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on a SageMaker real-time GPU endpoint behind a guarded API (keras-inference-guard)', ...props });
    const modelDir = this.node.tryGetContext('modelDir') as string | undefined;
    const modelUri = (this.node.tryGetContext('modelS3Uri') as string | undefined) ?? PLACEHOLDER_MODEL_URI;
    if (!modelDir && modelUri === PLACEHOLDER_MODEL_URI) {
      Annotations.of(this).addInfo(`Model location is a placeholder (${PLACEHOLDER_MODEL_URI}). Deploy with -c modelDir=<SavedModel dir> or -c modelS3Uri=s3://<bucket>/<key>.`);
    }
    this.service = new KerasInferenceService(this, 'Mnist', {
      // The profile `kig profile` wrote for this model (InferenceProfile.fromFile reads one from disk).
      profile: InferenceProfile.fromJson(profileJson, 'examples/sagemaker-realtime-gpu/profile.json'),
      compute: InferenceCompute.sageMakerRealtime({ model: modelDir ? ModelArtifact.fromSavedModelDirectory(modelDir) : ModelArtifact.fromS3Uri(modelUri) }),
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.FLOAT32, shape: [28, 28, 1], maxBatchSize: 8 }),
      minInstances: 1,
      maxInstances: 4,
    });
    new CfnOutput(this, 'PredictUrl', { value: `${this.service.api!.api.url}predict`, description: 'POST TF Serving JSON ({"instances": [...]}) here, signed with SigV4 and with an x-api-key' });
    new CfnOutput(this, 'Dashboard', { value: this.service.dashboard.dashboardName });
  }
}

/** Builds the example app; used by `cdk synth`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new SageMakerRealtimeGpuStack(app, 'KerasSageMakerRealtimeGpu');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
