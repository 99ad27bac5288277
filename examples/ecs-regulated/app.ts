import { App, CfnOutput, Stack, StackProps, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceCompute, KerasInferenceService, ModelServer, ModelSignature, ModelSource, SecurityPosture, TensorDType } from '../../lib';
import { applyChecks } from '../checks';
import { EXAMPLE_PROFILE } from '../ecs-gpu/app';

/** Placeholder certificate; deploy with `-c certificateArn=... -c domainName=...` (a public ACM certificate: API Gateway verifies it). */
export const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

/**
 * ResNet-50 on GPU ECS tasks behind the guarded API with a bounded job queue, in the regulated
 * posture: the internal load balancer serves HTTPS with an ACM certificate, keeps access logs and
 * deletion protection; the queue's functions run in the service's VPC; every log group, topic,
 * queue, table and bucket uses one customer-managed key; the job table has a backup plan.
 * The stack names its Region: ALB access log delivery is granted per Region.
 */
export class EcsRegulatedStack extends Stack {
  public readonly service: KerasInferenceService;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on GPU ECS behind a guarded API, regulated posture (keras-inference-guard)', env: { region: 'us-east-1' }, ...props });
    const certificateArn = (this.node.tryGetContext('certificateArn') as string | undefined) ?? PLACEHOLDER_CERTIFICATE_ARN;
    this.service = new KerasInferenceService(this, 'ResNet', {
      profile: EXAMPLE_PROFILE,
      compute: InferenceCompute.ecsGpu({
        modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'resnet50', model: ModelSource.inImage('/models/resnet50') }),
        instanceType: 'g5.xlarge',
      }),
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 }),
      maxInstances: 4,
      jobQueue: {},
      security: SecurityPosture.regulated({
        loadBalancerCertificate: acm.Certificate.fromCertificateArn(this, 'LoadBalancerCertificate', certificateArn),
        loadBalancerDomainName: (this.node.tryGetContext('domainName') as string | undefined) ?? 'inference.internal.example.com',
      }),
    });
    new CfnOutput(this, 'PredictUrl', { value: `${this.service.api!.api.url}predict`, description: 'POST TF Serving JSON here, signed with SigV4 and with an x-api-key' });
  }
}

/** Builds the example app; used by `cdk synth -a`, the tests and the benchmarks. */
export function buildApp(app: App = new App()): App {
  applyChecks(app);
  new EcsRegulatedStack(app, 'KerasEcsRegulated');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
