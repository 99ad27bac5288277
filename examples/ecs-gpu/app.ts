/**
 * A Keras model on GPU ECS behind a guarded REST API (sync), plus a queue-driven GPU worker
 * (async). Env-agnostic and without context lookups: it synthesizes offline.
 *
 *   npx ts-node examples/ecs-gpu/app.ts
 *
 * The REST API here is deliberately minimal (throttling, access logs, request validation, IAM
 * auth, WAF); the library's InferenceApi replaces it. The plain queue + DLQ stands in for the
 * shared InferenceQueue.
 */
import {
  App, Duration, RemovalPolicy, Stack, StackProps, Validations, aws_apigateway as apigw, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_s3 as s3, aws_sns as sns, aws_sqs as sqs, aws_wafv2 as wafv2, aws_ecs as ecs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  EcsCapacity, EcsInferenceService, EcsQueueWorker, InferenceProfile, ModelServer, ModelSource, deriveLimits,
} from '../../lib';

/** Numbers measured for ResNet-50 (Keras, SavedModel) on one g5.xlarge. */
export const EXAMPLE_PROFILE = InferenceProfile.of({
  model: 'resnet50',
  hardware: 'g5.xlarge',
  latencyMs: { p50: 38, p90: 61, p99: 95 },
  sustainableConcurrency: 8,
  throughputPerInstanceRps: 120,
  peakHostMemoryMiB: 5_200,
  peakGpuMemoryMiB: 7_400,
  coldStartSeconds: 75,
  maxRequestBytes: 650_000,
  provenance: { tool: 'kig profile', notes: 'batch 8, float32 224x224x3 JSON instances' },
});

/** A small Keras model (MobileNetV3-Small) measured on a 2 vCPU / 4 GiB Fargate task. */
export const EXAMPLE_CPU_PROFILE = InferenceProfile.of({
  model: 'mobilenetv3-small',
  hardware: 'fargate-2vcpu-4gb',
  latencyMs: { p50: 18, p90: 30, p99: 55 },
  sustainableConcurrency: 2,
  throughputPerInstanceRps: 45,
  peakHostMemoryMiB: 1_100,
  peakGpuMemoryMiB: 0,
  coldStartSeconds: 25,
  maxRequestBytes: 650_000,
});

/** The example stack: one sync service and one async worker sharing a cluster. */
export class EcsGpuExampleStack extends Stack {
  public readonly service: EcsInferenceService;
  public readonly worker: EcsQueueWorker;
  public readonly api: apigw.RestApi;
  public readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const limits = deriveLimits(EXAMPLE_PROFILE, { minInstances: 1, maxInstances: 4, backendName: 'ECS service' });
    const topicKey = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Alarm topic encryption' });
    // CloudWatch alarms and Auto Scaling notifications publish to the encrypted topic.
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      resources: ['*'],
    }));
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      principals: [new iam.ArnPrincipal(`arn:${this.partition}:iam::${this.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`)],
      resources: ['*'],
    }));
    const alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true });
    const modelBucket = s3.Bucket.fromBucketName(this, 'ModelBucket', 'example-keras-models');
    const tfServing = ModelServer.tensorflowServing({
      version: '2.19.0',
      modelName: 'resnet50',
      model: ModelSource.fromBucket(modelBucket, 'resnet50/savedmodel'),
    });

    // ---- sync: API -> VPC link -> internal ALB -> TF Serving on g5.xlarge --------------------
    this.service = new EcsInferenceService(this, 'Inference', {
      profile: EXAMPLE_PROFILE,
      limits,
      modelServer: tfServing,
      capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
      gpuMetrics: true,
      alarmTopic,
    });

    // ---- async: queue -> GPU workers scaling on backlog per task -----------------------------
    const dlq = new sqs.Queue(this, 'DeadLetterQueue', {
      enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      visibilityTimeout: Duration.seconds(limits.timeouts.modelServerTimeoutSeconds * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
    });
    Validations.of(dlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'this queue is the dead-letter queue of the inference queue; a DLQ of a DLQ would only hide poison messages' });
    this.worker = new EcsQueueWorker(this, 'Worker', {
      profile: EXAMPLE_PROFILE,
      limits,
      modelServer: tfServing,
      capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
      cluster: this.service.cluster,
      queue: this.queue,
      consumerImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/keras-queue-consumer:1.0.0'),
      acceptableLatency: Duration.minutes(5),
      maxTasks: 4,
      alarmTopic,
    });

    // ---- a minimal guarded REST API (replaced by InferenceApi) -------------------------------
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigw.RestApi(this, 'Api', {
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: limits.throttle.rateLimit,
        throttlingBurstLimit: limits.throttle.burstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const binding = this.service.bindSync(this, {
      integrationTimeout: Duration.millis(limits.timeouts.integrationTimeoutMs),
      contentType: 'application/json',
    });
    const validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const model = this.api.addModel('PredictRequest', {
      contentType: 'application/json',
      schema: {
        type: apigw.JsonSchemaType.OBJECT,
        required: ['instances'],
        properties: { instances: { type: apigw.JsonSchemaType.ARRAY, maxItems: limits.modelServer.maxBatchSize } },
      },
    });
    const predict = this.api.root.addResource('predict').addMethod('POST', binding.integration, {
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidator: validator,
      requestModels: { 'application/json': model },
      methodResponses: binding.methodResponses,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'the account-level API Gateway logging role needs exactly this AWS managed policy; it only writes API logs',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'callers authenticate with SigV4 (AWS_IAM authorization), not Cognito user pools',
    });

    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'EcsGpuExampleWebAcl', sampledRequestsEnabled: true },
      rules: [{
        name: 'RatePerIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: limits.waf.rateLimitPerIp, aggregateKeyType: 'IP', evaluationWindowSec: limits.waf.windowSeconds } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'RatePerIp', sampledRequestsEnabled: true },
      }],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });

    // Example callers: one role allowed to invoke the prediction method.
    const caller = new iam.Role(this, 'PredictCaller', { assumedBy: new iam.AccountRootPrincipal(), description: 'May call POST /predict' });
    predict.grantExecute(caller);
  }
}

/** Options of `buildEcsServiceStack`. */
export interface EcsServiceStackOptions {
  /** @default "KerasEcsService" */
  readonly stackId?: string;
  /** GPU instances (default) or Fargate. */
  readonly fargate?: boolean;
}

/**
 * One ECS inference service in its own stack and nothing else: the unit a synth-time benchmark
 * measures (`bench/` can call it in a loop with fresh Apps).
 */
export function buildEcsServiceStack(app: App, options: EcsServiceStackOptions = {}): Stack {
  const stack = new Stack(app, options.stackId ?? 'KerasEcsService');
  const fargate = options.fargate ?? false;
  const profile = fargate ? EXAMPLE_CPU_PROFILE : EXAMPLE_PROFILE;
  new EcsInferenceService(stack, 'Inference', {
    profile,
    modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'resnet50', model: ModelSource.inImage('/models/resnet50') }),
    capacity: fargate ? EcsCapacity.fargate() : EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
    maxTasks: 4,
  });
  return stack;
}

/** Builds the example app; tests and benchmarks call it with their own App. */
export function buildApp(app: App = new App()): App {
  new EcsGpuExampleStack(app, 'KerasEcsGpuExample');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
