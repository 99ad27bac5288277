import { App, CfnOutput, Stack, StackProps, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  InferenceProfile, InferenceQueue, KerasInferenceService, ModelArtifact, ModelSignature, TensorDType, WorkerBackend,
} from '../../lib';
import { applyChecks } from '../checks';

/**
 * A Keras image classifier on a SageMaker real-time endpoint, served two ways behind one guarded
 * API: `POST /predict` synchronously, and `POST /jobs` + `GET /jobs/{id}` through a bounded queue
 * for bursts and batch jobs. Both paths share the endpoint and its instance ceiling.
 */
export class SageMakerQueueStack extends Stack {
  public readonly service: KerasInferenceService;
  public readonly jobs: InferenceQueue;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model behind a guarded API with a bounded async job queue (keras-inference-guard)', ...props });
    const profile = InferenceProfile.of({
      model: 'efficientnet-b0', hardware: 'ml.g5.xlarge',
      latencyMs: { p50: 45, p90: 70, p99: 120 }, sustainableConcurrency: 8, throughputPerInstanceRps: 150,
      peakHostMemoryMiB: 6000, peakGpuMemoryMiB: 5000, coldStartSeconds: 150, maxRequestBytes: 2_500_000,
      provenance: { tool: 'kig profile', notes: 'Illustrative figures; measure your own model with `kig profile`.' },
    });
    const signature = ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 });
    const maxInstances = 3;
    this.service = new KerasInferenceService(this, 'Classifier', {
      profile,
      model: ModelArtifact.fromS3Uri((this.node.tryGetContext('modelS3Uri') as string | undefined) ?? 's3://replace-with-your-model-bucket/efficientnet/model.tar.gz'),
      signature,
      minInstances: 1,
      maxInstances,
    });
    this.jobs = new InferenceQueue(this, 'Jobs', {
      profile,
      signature,
      backend: WorkerBackend.sageMakerEndpoint(this.service.backend),
      // Same ceiling as the endpoint, so the workers never plan for capacity the endpoint cannot have.
      limits: { maxInstances, acceptableWaitSeconds: 600 },
      alarmTopic: this.service.alarmTopic,
    });
    // The same request model, validator and authorization as /predict.
    this.jobs.attachToApi(this.service.api.api.root, {
      requestModel: this.service.api.requestModel,
      requestValidator: this.service.api.requestValidator,
      authorizationType: apigw.AuthorizationType.IAM,
      apiKeyRequired: true,
    });
    new CfnOutput(this, 'JobsUrl', { value: `${this.service.api.api.url}jobs`, description: 'POST TF Serving JSON here (SigV4 + x-api-key); poll the returned statusUrl' });
    new CfnOutput(this, 'DepthBudget', { value: String(this.jobs.limits.depthBudget), description: 'Jobs waiting or in flight before POST /jobs answers 429' });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new SageMakerQueueStack(app, 'KerasSageMakerQueue');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
