import { App, CfnOutput, Duration, Stack, StackProps, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact } from '../../lib';
import { applyChecks } from '../checks';

/** A heavy Keras model (image segmentation) on a SageMaker asynchronous endpoint that scales to zero. */
export class SageMakerAsyncStack extends Stack {
  public readonly service: KerasInferenceService;
  /** The role a client assumes to start async inferences. */
  public readonly clientRole: iam.Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on a SageMaker asynchronous endpoint with backlog scaling (keras-inference-guard)', ...props });
    const profile = InferenceProfile.of({
      model: 'unet-segmentation', hardware: 'ml.g5.2xlarge',
      latencyMs: { p50: 2400, p90: 3100, p99: 4200 }, sustainableConcurrency: 4, throughputPerInstanceRps: 1.6,
      peakHostMemoryMiB: 9000, peakGpuMemoryMiB: 14_000, coldStartSeconds: 240, maxRequestBytes: 25_000_000,
      provenance: { tool: 'kig profile', notes: 'Illustrative figures; measure your own model with `kig profile`.' },
    });
    // One statement: the endpoint, backlog scaling from zero, alarms and a dashboard. No synchronous
    // POST /predict: callers upload inputs to S3 and call InvokeEndpointAsync.
    this.service = new KerasInferenceService(this, 'Segmentation', {
      profile,
      compute: InferenceCompute.sageMakerAsync({
        model: ModelArtifact.fromS3Uri((this.node.tryGetContext('modelS3Uri') as string | undefined) ?? 's3://replace-with-your-model-bucket/unet/model.tar.gz'),
        instanceType: 'ml.g5.2xlarge',
        acceptableWait: Duration.minutes(30),
      }),
      minInstances: 0,
      maxInstances: 3,
    });
    this.clientRole = new iam.Role(this, 'ClientRole', { assumedBy: new iam.AccountRootPrincipal(), description: 'Starts async inferences: uploads inputs and calls InvokeEndpointAsync' });
    const target = this.service.asyncBackend!.bindAsyncCaller(this.clientRole);
    // The client role's grants get the same policy handling as the service's own roles.
    this.service.security.applyTo(this.clientRole);
    new CfnOutput(this, 'EndpointName', { value: target.endpointName });
    new CfnOutput(this, 'InputPrefix', { value: `s3://${target.inputBucketName}/${target.inputPrefix}` });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new SageMakerAsyncStack(app, 'KerasSageMakerAsync');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
