/**
 * A Keras model on GPU ECS behind a guarded REST API (sync), plus a queue-driven GPU worker
 * (async). Env-agnostic and without context lookups: it synthesizes offline.
 *
 *   npm run build && npx cdk synth --app "node dist/examples/ecs-gpu/app.js"
 *
 * The async path reuses the shared InferenceQueue (bounded admission, DLQ, job store): ECS GPU
 * tasks consume it instead of a Lambda worker.
 */
import {
  App, CfnOutput, Duration, Stack, StackProps, aws_apigateway as apigw, aws_ecs as ecs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  AlarmTopic, EcsCapacity, EcsInferenceService, EcsQueueWorker, InferenceAlarms, InferenceApi, InferenceProfile, InferenceQueue,
  Limits, ModelServer, ModelSignature, ModelSource, TensorDType, WorkerBackend,
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
  public readonly jobs: InferenceQueue;
  public readonly apiAlarms: InferenceAlarms;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'Keras model on GPU ECS behind a guarded API, with a queue-driven GPU worker (keras-inference-guard)', ...props });
    const limits = Limits.derive(EXAMPLE_PROFILE, { minInstances: 1, maxInstances: 4, backend: EcsInferenceService.capabilitiesFor(EXAMPLE_PROFILE) });
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
    // One 224x224 RGB image per request, as uint8: about 600 KB of JSON.
    const signature = ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.UINT8, shape: [224, 224, 3], maxBatchSize: 1 });
    this.api = new InferenceApi(this, 'Api', { target: this.service, limits, signature });
    // API alarms (5XX, latency, throttling, WAF); the ECS service brings its own task and load balancer alarms.
    this.apiAlarms = new InferenceAlarms(this, 'ApiAlarms', { api: this.api, limits, profile: EXAMPLE_PROFILE, alarmTopic });

    // ---- async: queue -> GPU workers scaling on backlog per task -----------------------------
    // A plain queue + DLQ until the shared InferenceQueue is wired in.
    // The shared bounded queue: admission answers 429 over the backlog budget; ECS GPU tasks consume it.
    this.jobs = new InferenceQueue(this, 'Jobs', {
      profile: EXAMPLE_PROFILE,
      signature,
      backend: WorkerBackend.externalConsumer(),
      limits: { maxInstances: 4 },
      alarmTopic,
    });
    this.jobs.attachToApi(this.api.api.root, {
      requestModel: this.api.requestModel, requestValidator: this.api.requestValidator,
      authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: true,
    });
    this.worker = new EcsQueueWorker(this, 'Worker', {
      profile: EXAMPLE_PROFILE,
      limits,
      modelServer: tfServing,
      capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
      cluster: this.service.cluster,
      queue: this.jobs.queue,
      consumerImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/keras-queue-consumer:1.0.0'),
      acceptableLatency: Duration.minutes(5),
      maxTasks: 4,
      alarmTopic,
    });
    // The consumer follows the job protocol: claim the job record, store the result, then delete the message.
    this.jobs.grantWorker(this.worker.taskDefinition.taskRole);
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
