import { Duration, Stack, Validations, aws_ecs as ecs, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ECS_HEALTH_CHECK_MAX_START_PERIOD_S, ProblemCollector } from '../../core';
import { InferenceLimits, InferenceProfile } from '../../profile';

/** An S3 location of a SavedModel. */
export interface ModelS3Location {
  readonly bucket: s3.IBucket;
  /** Key prefix without leading or trailing slash; holds `<version>/saved_model.pb`. */
  readonly keyPrefix: string;
}

/** Where the model server finds the model. */
export abstract class ModelSource {
  /**
   * The SavedModel lives in S3 under `keyPrefix` (`<keyPrefix>/<version>/saved_model.pb`). A
   * short-lived init container copies it to a task volume before the server starts; the task
   * role gets `s3:GetObject` on the prefix and `s3:ListBucket` limited to it.
   */
  public static fromBucket(bucket: s3.IBucket, keyPrefix: string): ModelSource {
    return new S3ModelSource(bucket, keyPrefix.replace(/^\/+|\/+$/g, ''));
  }

  /**
   * The model is baked into the image at `basePath` (TF Serving: `<basePath>/<version>/saved_model.pb`).
   * No init container, no S3 access.
   */
  public static inImage(basePath: string): ModelSource {
    return new ImageModelSource(basePath);
  }

  /** The S3 location, when the model is copied from S3 at start. */
  public abstract readonly s3Location?: ModelS3Location;
  /** Path inside the image, when the model is baked in. */
  public abstract readonly imagePath?: string;
}

class S3ModelSource extends ModelSource {
  public readonly s3Location: ModelS3Location;
  public readonly imagePath = undefined;
  constructor(bucket: s3.IBucket, keyPrefix: string) {
    super();
    this.s3Location = { bucket, keyPrefix };
  }
}

class ImageModelSource extends ModelSource {
  public readonly s3Location = undefined;
  constructor(public readonly imagePath: string) {
    super();
  }
}

/** What the task builder tells a model server when it configures the container. */
export interface ModelServerBindOptions {
  /** The measured profile. */
  readonly profile: InferenceProfile;
  /** Limits derived from the profile. */
  readonly limits: InferenceLimits;
  /** vCPUs the task gets (task CPU units / 1024). */
  readonly vcpus: number;
  /** GPUs reserved for the server container; 0 on CPU capacity. */
  readonly gpuCount: number;
  /** Memory of one of those GPUs (MiB); 0 on CPU capacity. */
  readonly gpuMemoryMiB: number;
  /** Writable scratch volume mounted in the server container (the root filesystem is read-only). */
  readonly scratchPath: string;
  /** Volume the model is copied to when it comes from S3. */
  readonly modelVolumePath: string;
}

/** How to run the model server container. */
export interface ModelServerContainerConfig {
  readonly image: ecs.ContainerImage;
  /** HTTP port the server listens on. */
  readonly port: number;
  /** HTTP path the load balancer health check calls; 200 means ready. */
  readonly healthCheckPath: string;
  /** HTTP path of the prediction call (`POST`). */
  readonly predictPath: string;
  /** Container health check (run inside the container). @default - only the load balancer's HTTP check */
  readonly containerHealthCheck?: ecs.HealthCheck;
  /** @default - the image's entry point */
  readonly entryPoint?: string[];
  /** @default - the image's command */
  readonly command?: string[];
  /** Plain environment variables. cdk-nag AwsSolutions-ECS2 flags any. @default - none */
  readonly environment?: Record<string, string>;
  /** Whether the server runs with a read-only root filesystem (writes go to the scratch volume). */
  readonly readonlyRootFilesystem: boolean;
  /** Non-root user (`uid[:gid]`). @default - the image's user */
  readonly user?: string;
  /** Where the model comes from, if the task must fetch it. @default - nothing to fetch */
  readonly modelSource?: ModelSource;
  /** Directory the model is copied to when it comes from S3. @default - the model volume's root */
  readonly modelCopyPath?: string;
  /** Server flags, for review and tests. */
  readonly flags: string[];
}

/** Options of the TensorFlow Serving preset. */
export interface TensorflowServingOptions {
  /** TF Serving release, e.g. `2.19.0`. Images: `tensorflow/serving:<version>-gpu` on GPU, `tensorflow/serving:<version>` on CPU. */
  readonly version: string;
  /** Where the SavedModel comes from. */
  readonly model: ModelSource;
  /**
   * Model name in the REST path `/v1/models/<name>:predict`.
   * @default "model"
   */
  readonly modelName?: string;
  /**
   * Image to run (e.g. a copy of `tensorflow/serving` in your own ECR repository).
   * @default - `tensorflow/serving:<version>[-gpu]` through this account's ECR pull-through cache
   * for Docker Hub (see `pullThroughCachePrefix`)
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Repository prefix of the account's ECR pull-through cache rule for Docker Hub
   * (`registry-1.docker.io`). The default image is pulled as
   * `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/tensorflow/serving:<tag>`: ECR fetches it
   * from Docker Hub once, with the rule's credentials, and serves every later pull itself, so a
   * scale-out never meets Docker Hub's per-IP limit on anonymous pulls. Create the rule once per
   * account and Region (README, "TF Serving image on ECS").
   * @default "docker-hub"
   */
  readonly pullThroughCachePrefix?: string;
  /**
   * Share added to the profile's peak GPU memory before it becomes `--per_process_gpu_memory_fraction`.
   * @default 0.2
   */
  readonly gpuMemoryMargin?: number;
  /**
   * `--tensorflow_inter_op_parallelism`: ops of different requests run concurrently.
   * @default - min(vCPUs, profile.sustainableConcurrency)
   */
  readonly interOpParallelism?: number;
  /**
   * `--tensorflow_intra_op_parallelism`: threads inside one op.
   * @default - max(1, floor(vCPUs / interOpParallelism)), so both pools together do not oversubscribe the vCPUs
   */
  readonly intraOpParallelism?: number;
  /**
   * Server-side batching with a bounded batch queue.
   * @default true
   */
  readonly enableBatching?: boolean;
  /**
   * `num_batch_threads`: batches processed in parallel.
   * @default - the vCPUs of the task
   */
  readonly numBatchThreads?: number;
  /**
   * `--rest_api_num_threads`: caps the HTTP handler threads so a flood of connections queues in
   * the socket instead of multiplying work in the server.
   * @default - max(2, 2 x profile.sustainableConcurrency)
   */
  readonly restApiNumThreads?: number;
  /**
   * REST port.
   * @default 8501
   */
  readonly port?: number;
  /**
   * Non-root user the server runs as. The image needs no root; the model and scratch volumes are
   * made readable and writable for it.
   * @default "1000:1000"
   */
  readonly user?: string;
}

/** Options of a custom model server image. */
export interface CustomModelServerOptions {
  readonly image: ecs.ContainerImage;
  /** HTTP port. */
  readonly port: number;
  /** Readiness path for health checks (200 = ready). */
  readonly healthPath: string;
  /**
   * Path of the prediction call.
   * @default "/predict"
   */
  readonly predictPath?: string;
  /**
   * Plain environment variables. cdk-nag AwsSolutions-ECS2 flags them; acknowledge with a reason
   * or pass configuration through `command`.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /** @default - the image's command */
  readonly command?: string[];
  /**
   * Whether the server can run with a read-only root filesystem (a scratch volume is mounted at `/tmp`).
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Non-root user.
   * @default "1000:1000"
   */
  readonly user?: string;
  /** Where the model comes from, if the task must copy it from S3. @default - baked into the image */
  readonly model?: ModelSource;
  /**
   * Command-line health check inside the container.
   * @default - none besides the load balancer's HTTP check
   */
  readonly containerHealthCheckCommand?: string[];
}

/** Numbers of a TF Serving batching parameters file. */
export interface BatchingParameters {
  readonly maxBatchSize: number;
  readonly batchTimeoutMicros: number;
  /** Bound of the batch queue: requests beyond it are refused with 503 (UNAVAILABLE) instead of waiting. */
  readonly maxEnqueuedBatches: number;
  readonly numBatchThreads: number;
}

/**
 * Renders a TF Serving `--batching_parameters_file` (protobuf text format). Throws when a value
 * is not a positive integer: an unbounded or zero queue would defeat the point of the file.
 */
export function tensorflowServingBatchingConfig(p: BatchingParameters): string {
  const c = new ProblemCollector('MODEL_SERVER_INVALID', 'batching parameters');
  c.intInRange('maxBatchSize', p.maxBatchSize, 1, 1_000_000);
  c.intInRange('batchTimeoutMicros', p.batchTimeoutMicros, 0, 60_000_000);
  c.intInRange('maxEnqueuedBatches', p.maxEnqueuedBatches, 1, 1_000_000, 'bound the batch queue');
  c.intInRange('numBatchThreads', p.numBatchThreads, 1, 1_024);
  c.throwIfAny();
  return [
    `max_batch_size { value: ${p.maxBatchSize} }`,
    `batch_timeout_micros { value: ${p.batchTimeoutMicros} }`,
    `max_enqueued_batches { value: ${p.maxEnqueuedBatches} }`,
    `num_batch_threads { value: ${p.numBatchThreads} }`,
    '',
  ].join('\n');
}

/** Inputs of `tensorflowServingFlags`. */
export interface TensorflowServingFlagInputs {
  readonly profile: InferenceProfile;
  readonly limits: InferenceLimits;
  readonly vcpus: number;
  readonly gpuCount: number;
  readonly gpuMemoryMiB: number;
  readonly modelName: string;
  readonly modelBasePath: string;
  readonly port: number;
  readonly batchingFile?: string;
  readonly gpuMemoryMargin: number;
  readonly interOpParallelism?: number;
  readonly intraOpParallelism?: number;
  readonly restApiNumThreads?: number;
}

/**
 * The `tensorflow_model_server` flags derived from a profile and its limits. Pure; throws one
 * error listing every problem (e.g. a model that does not fit in the GPU memory).
 */
export function tensorflowServingFlags(i: TensorflowServingFlagInputs): string[] {
  const c = new ProblemCollector('MODEL_SERVER_INVALID', `TF Serving for ${i.profile.model}`);
  const vcpus = Math.max(1, Math.floor(i.vcpus));
  const inter = i.interOpParallelism ?? Math.max(1, Math.min(vcpus, i.profile.sustainableConcurrency));
  const intra = i.intraOpParallelism ?? Math.max(1, Math.floor(vcpus / inter));
  const restThreads = i.restApiNumThreads ?? Math.max(2, 2 * i.profile.sustainableConcurrency);
  c.intInRange('interOpParallelism', inter, 1, 1_024);
  c.intInRange('intraOpParallelism', intra, 1, 1_024);
  c.intInRange('restApiNumThreads', restThreads, 1, 10_000);
  c.numberInRange('gpuMemoryMargin', i.gpuMemoryMargin, 0, 1);
  const flags = [
    '--port=8500',
    `--rest_api_port=${i.port}`,
    `--model_name=${i.modelName}`,
    `--model_base_path=${i.modelBasePath}`,
    // The server abandons a request before API Gateway and the load balancer give up on it.
    `--rest_api_timeout_in_ms=${i.limits.timeouts.modelServerTimeoutSeconds * 1000}`,
    `--rest_api_num_threads=${restThreads}`,
    `--tensorflow_intra_op_parallelism=${intra}`,
    `--tensorflow_inter_op_parallelism=${inter}`,
    // The model is copied once at start; polling the filesystem would only cost CPU.
    '--file_system_poll_wait_seconds=0',
  ];
  if (i.gpuCount > 0) {
    const gpuTotal = i.gpuMemoryMiB;
    const fraction = Math.ceil(((i.profile.peakGpuMemoryMiB * (1 + i.gpuMemoryMargin)) / gpuTotal) * 100) / 100;
    c.require(fraction <= 1, 'profile.peakGpuMemoryMiB', i.profile.peakGpuMemoryMiB,
      `peak x (1 + margin ${i.gpuMemoryMargin}) <= one GPU's memory (${gpuTotal} MiB); TF Serving sizes its allocator per GPU`,
      'use a GPU with more memory, lower gpuMemoryMargin, or re-profile a smaller batch size');
    // Without a fraction TensorFlow grabs all GPU memory; with it, a leak or an oversized batch
    // fails inside the server instead of starving the driver and the other processes.
    flags.push(`--per_process_gpu_memory_fraction=${Math.max(0.05, Math.min(1, fraction)).toFixed(2)}`);
  }
  if (i.batchingFile !== undefined) {
    flags.push('--enable_batching=true', `--batching_parameters_file=${i.batchingFile}`);
  }
  c.throwIfAny('the TF Serving settings derived from the profile are invalid');
  return flags;
}

/**
 * An image pulled through the account's ECR pull-through cache. The task execution role may read
 * the cached repository and import the upstream image into it on the first pull (ECR user guide,
 * "IAM permissions required to sync an upstream registry with an Amazon ECR private registry":
 * ecr:BatchImportUpstreamImage, and ecr:CreateRepository for the first pull of a repository).
 */
class PullThroughCacheImage extends ecs.ContainerImage {
  constructor(private readonly prefix: string, private readonly upstreamRepository: string, private readonly tag: string) {
    super();
  }

  public bind(scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    const stack = Stack.of(scope);
    const repositoryName = `${this.prefix}/${this.upstreamRepository}`;
    const role = containerDefinition.taskDefinition.obtainExecutionRole();
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: repositoryName })],
    }));
    // ecr:GetAuthorizationToken has no resource-level permissions.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken has no resource-level permissions; image reads are limited to the pull-through cache repository of TF Serving',
    });
    return { imageName: `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${repositoryName}:${this.tag}` };
  }
}

/** Quotes a string for a POSIX shell. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A model server: the container that answers `POST <predictPath>`. Use a preset
 * (`ModelServer.tensorflowServing`) or any HTTP server image (`ModelServer.custom`).
 */
export abstract class ModelServer {
  /**
   * TensorFlow Serving, configured from the profile and limits: request timeout, thread pools,
   * GPU memory fraction and a generated batching file with a bounded queue.
   */
  public static tensorflowServing(options: TensorflowServingOptions): ModelServer {
    return new TensorflowServing(options);
  }

  /** Any HTTP model server image. */
  public static custom(options: CustomModelServerOptions): ModelServer {
    return new CustomModelServer(options);
  }

  /** Name used in messages and construct descriptions. */
  public abstract readonly name: string;

  /** Configures the server container for one task. */
  public abstract bind(options: ModelServerBindOptions): ModelServerContainerConfig;
}

class TensorflowServing extends ModelServer {
  public readonly name = 'TensorFlow Serving';
  constructor(private readonly o: TensorflowServingOptions) {
    super();
    const c = new ProblemCollector('MODEL_SERVER_INVALID', 'ModelServer.tensorflowServing');
    c.require(/^\d+\.\d+(\.\d+)?$/.test(o.version), 'version', o.version, 'a TF Serving release such as "2.19.0"', 'pin a release: floating tags make deployments unrepeatable');
    c.require(o.modelName === undefined || /^[A-Za-z0-9_.-]{1,64}$/.test(o.modelName), 'modelName', o.modelName, 'letters, digits, _ . -', 'rename the model');
    // CreatePullThroughCacheRule: ecrRepositoryPrefix is 2-30 characters of this pattern.
    c.require(o.pullThroughCachePrefix === undefined || (/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(o.pullThroughCachePrefix) && o.pullThroughCachePrefix.length >= 2 && o.pullThroughCachePrefix.length <= 30),
      'pullThroughCachePrefix', o.pullThroughCachePrefix, 'an ECR repository prefix of 2-30 lower-case characters', 'use the prefix of your pull-through cache rule, e.g. "docker-hub"');
    c.throwIfAny();
  }

  public bind(b: ModelServerBindOptions): ModelServerContainerConfig {
    const modelName = this.o.modelName ?? 'model';
    const port = this.o.port ?? 8501;
    const basePath = this.o.model.imagePath ?? `${b.modelVolumePath}/${modelName}`;
    const enableBatching = this.o.enableBatching ?? true;
    const batchingFile = enableBatching ? `${b.scratchPath}/batching_parameters.txt` : undefined;
    const flags = tensorflowServingFlags({
      profile: b.profile,
      limits: b.limits,
      vcpus: b.vcpus,
      gpuCount: b.gpuCount,
      gpuMemoryMiB: b.gpuMemoryMiB,
      modelName,
      modelBasePath: basePath,
      port,
      batchingFile,
      gpuMemoryMargin: this.o.gpuMemoryMargin ?? 0.2,
      interOpParallelism: this.o.interOpParallelism,
      intraOpParallelism: this.o.intraOpParallelism,
      restApiNumThreads: this.o.restApiNumThreads,
    });
    const image = this.o.image ?? new PullThroughCacheImage(this.o.pullThroughCachePrefix ?? 'docker-hub', 'tensorflow/serving', `${this.o.version}${b.gpuCount > 0 ? '-gpu' : ''}`);
    const serve = `exec /usr/bin/tensorflow_model_server ${flags.map(shQuote).join(' ')}`;
    // The batching file is written to the scratch volume from the first positional argument, so
    // its content travels in the command (reviewable in the template) rather than in plain
    // environment variables, and the root filesystem can stay read-only.
    const script = batchingFile !== undefined
      ? `printf '%s' "$0" > ${shQuote(batchingFile)} && ${serve}`
      : serve;
    const command = batchingFile !== undefined
      ? [script, tensorflowServingBatchingConfig({
        maxBatchSize: b.limits.modelServer.maxBatchSize,
        batchTimeoutMicros: b.limits.modelServer.batchTimeoutMicros,
        maxEnqueuedBatches: b.limits.modelServer.maxEnqueuedBatches,
        numBatchThreads: this.o.numBatchThreads ?? Math.max(1, Math.floor(b.vcpus)),
      })]
      : [script];
    const statusPath = `/v1/models/${modelName}`;
    return {
      image,
      port,
      healthCheckPath: statusPath,
      predictPath: `/v1/models/${modelName}:predict`,
      // The image has bash but no curl: read the model status over /dev/tcp and require AVAILABLE.
      containerHealthCheck: {
        command: ['CMD-SHELL', `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET ${statusPath} HTTP/1.0\\r\\n\\r\\n" >&3 && grep -q AVAILABLE <&3'`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(Math.min(ECS_HEALTH_CHECK_MAX_START_PERIOD_S, Math.ceil(b.profile.coldStartSeconds * 1.5) + 30)),
      },
      entryPoint: ['/bin/sh', '-c'],
      command,
      readonlyRootFilesystem: true,
      user: this.o.user ?? '1000:1000',
      modelSource: this.o.model.s3Location ? this.o.model : undefined,
      modelCopyPath: `${b.modelVolumePath}/${modelName}`,
      flags,
    };
  }
}

class CustomModelServer extends ModelServer {
  public readonly name = 'custom model server';
  constructor(private readonly o: CustomModelServerOptions) {
    super();
    const c = new ProblemCollector('MODEL_SERVER_INVALID', 'ModelServer.custom');
    c.intInRange('port', o.port, 1, 65_535);
    c.require(o.healthPath.startsWith('/'), 'healthPath', o.healthPath, 'a path starting with /', 'use e.g. "/ping"');
    // The first segment becomes the static path override of the API's private integration (no encoding applies to it).
    c.require(o.predictPath === undefined || /^\/[A-Za-z0-9._~-]+(\/.*)?$/.test(o.predictPath), 'predictPath', o.predictPath,
      'a path starting with / whose first segment has only letters, digits, ".", "_", "~" and "-"', 'use e.g. "/predict" or "/v1/models/m:predict"');
    c.throwIfAny();
  }

  public bind(b: ModelServerBindOptions): ModelServerContainerConfig {
    return {
      image: this.o.image,
      port: this.o.port,
      healthCheckPath: this.o.healthPath,
      predictPath: this.o.predictPath ?? '/predict',
      containerHealthCheck: this.o.containerHealthCheckCommand
        ? {
          command: this.o.containerHealthCheckCommand,
          interval: Duration.seconds(30),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.seconds(Math.min(ECS_HEALTH_CHECK_MAX_START_PERIOD_S, Math.ceil(b.profile.coldStartSeconds * 1.5) + 30)),
        }
        : undefined,
      command: this.o.command,
      environment: this.o.environment,
      readonlyRootFilesystem: this.o.readonlyRootFilesystem ?? true,
      user: this.o.user ?? '1000:1000',
      modelSource: this.o.model?.s3Location ? this.o.model : undefined,
      flags: this.o.command ?? [],
    };
  }
}
