/**
 * A Keras model on GPU ECS behind a guarded REST API (sync), plus a queue-driven GPU worker
 * (async). Env-agnostic and without context lookups: it synthesizes offline.
 *
 *   npm run build && npx cdk synth --app "node dist/examples/ecs-gpu/app.js"
 *
 * The plain queue + DLQ stands in for the shared InferenceQueue.
 */
import {
  App, CfnOutput, Duration, Stack, StackProps, Validations, aws_ecs as ecs, aws_s3 as s3, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  AlarmTopic, EcsCapacity, EcsInferenceService, EcsQueueWorker, InferenceApi, InferenceProfile, ModelServer, ModelSignature,
  ModelSource, TensorDType, deriveLimits,
} from '../../lib';
import { applyChecks } from '../checks';

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
  provenance: { tool: 'kig profile', notes: 'one uint8 224x224x3 JSON instance per request, server-side batching up to 8' },
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

/** The example stack: one sync service behind the guarded API and one async worker, sharing a cluster. */
export class EcsGpuExampleStack extends Stack {
  public readonly service: EcsInferenceService;
  public readonly worker: EcsQueueWorker;
  public readonly api: InferenceApi;
  public readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on GPU ECS behind a guarded API, with a queue-driven GPU worker (keras-inference-guard)', ...props });
    const limits = deriveLimits(EXAMPLE_PROFILE, { minInstances: 1, maxInstances: 4, backendName: 'ECS service' });
    const alarmTopic = new AlarmTopic(this, 'AlarmTopic').topic;
    const modelBucket = s3.Bucket.fromBucketName(this, 'ModelBucket', 'example-keras-models');
    const tfServing = ModelServer.tensorflowServing({
      version: '2.19.0',
      modelName: 'resnet50',
      // s3://example-keras-models/resnet50/savedmodel/1/saved_model.pb, copied to the task at start.
      model: ModelSource.fromBucket(modelBucket, 'resnet50/savedmodel'),
    });

    // ---- sync: guarded API -> VPC link v2 -> internal ALB -> TF Serving on g5.xlarge ----------
    this.service = new EcsInferenceService(this, 'Inference', {
      profile: EXAMPLE_PROFILE,
      limits,
      modelServer: tfServing,
      capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
      gpuMetrics: true,
      alarmTopic,
    });
    this.api = new InferenceApi(this, 'Api', {
      target: this.service,
      limits,
      // One 224x224 RGB image per request, as uint8: about 600 KB of JSON.
      signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 }),
    });

    // ---- async: queue -> GPU workers scaling on backlog per task -----------------------------
    // A plain queue + DLQ until the shared InferenceQueue is wired in.
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
    new CfnOutput(this, 'PredictUrl', { value: `${this.api.api.url}predict`, description: 'POST TF Serving JSON ({"instances": [...]}) here, signed with SigV4 and with an x-api-key' });
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
  applyChecks(app);
  new EcsGpuExampleStack(app, 'KerasEcsGpuExample');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
