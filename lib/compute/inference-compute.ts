import { Duration, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SecurityPosture } from '../security/security-posture';
import type { AlarmThresholdOverrides } from '../alarms/thresholds';
import { ValidationProblem } from '../core/errors';
import { InferenceLimits, InferenceProfile } from '../profile';
import { IAsyncInferenceBackend, IInferenceBackend, ISyncInferenceBackend } from './backend';
import type { BackendCapabilities } from '../profile/backend-capabilities';
import { EcsCapacity } from './ecs/capacity';
import { EcsInferenceService } from './ecs/ecs-inference-service';
import { ModelServer } from './ecs/model-server';
import { InferenceImage } from './inference-image';
import { ModelArtifact } from './model-artifact';
import { SageMakerAsyncBackend } from './sagemaker-async';
import { SageMakerRealtimeBackend } from './sagemaker-realtime';
import { SageMakerServerlessBackend, SageMakerServerlessSizing } from './sagemaker-serverless';

/** What every compute shape is given when the service builds it. */
export interface ComputeBindOptions {
  /** The measured profile. */
  readonly profile: InferenceProfile;
  /** The limits derived from the profile and this compute's capabilities. */
  readonly limits: InferenceLimits;
  /** Topic the backend's alarms notify. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Alarm threshold overrides.
   * @default - all derived
   */
  readonly alarmThresholds?: AlarmThresholdOverrides;
  /**
   * Security posture of the backend.
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
}

/**
 * The backend a compute choice built. Exactly one of `syncBackend` and `asyncBackend` is set, so the service
 * wires a synchronous backend to `POST /predict` and the job queue, and an asynchronous one to
 * neither: the types carry the difference.
 */
export interface ComputeBinding {
  /** The backend, whichever kind it is (alarms, capabilities, profile). */
  readonly backend: IInferenceBackend;
  /**
   * The backend when it answers synchronously.
   * @default - not synchronous
   */
  readonly syncBackend?: ISyncInferenceBackend;
  /**
   * The backend when it answers through S3 (InvokeEndpointAsync).
   * @default - not asynchronous
   */
  readonly asyncBackend?: IAsyncInferenceBackend;
}

/** Settings every SageMaker compute shape shares. */
export interface SageMakerComputeOptions {
  /** The SavedModel to serve. */
  readonly model: ModelArtifact;
  /**
   * SageMaker instance type.
   * @default - the profile's hardware when it is an `ml.*` type
   */
  readonly instanceType?: string;
  /**
   * Serving image.
   * @default InferenceImage.tensorflowServingDlc()
   */
  readonly image?: InferenceImage;
  /**
   * KMS key for the ML storage volume (EBS-only instance types).
   * @default - a new key on EBS-only instance types; none on local-NVMe types
   */
  readonly kmsKey?: kms.IKey;
  /**
   * Extra container environment.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Model download timeout.
   * @default - 2 x cold start within 60-3600 s
   */
  readonly modelDownloadTimeout?: Duration;
}

/** Settings of a SageMaker asynchronous endpoint. */
export interface SageMakerAsyncComputeOptions extends SageMakerComputeOptions {
  /**
   * How long a request may wait in SageMaker's queue (RequestTTLSeconds, 60-21600 s).
   * @default Duration.minutes(15)
   */
  readonly acceptableWait?: Duration;
  /**
   * Processing time allowed per request (InvocationTimeoutSeconds, 1-3600 s).
   * @default - max(60 s, 3 x the profile's p99)
   */
  readonly invocationTimeout?: Duration;
}

/** Settings of a SageMaker serverless endpoint (CPU only). */
export interface SageMakerServerlessComputeOptions extends SageMakerServerlessSizing {
  /** The SavedModel to serve. */
  readonly model: ModelArtifact;
  /**
   * Serving image; must be a CPU build.
   * @default InferenceImage.tensorflowServingDlc({ gpu: false })
   */
  readonly image?: InferenceImage;
  /**
   * Extra container environment.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** Settings of an ECS service on GPU instances. */
export interface EcsGpuComputeOptions {
  /** The model server container (TF Serving preset or a custom image). */
  readonly modelServer: ModelServer;
  /** EC2 GPU instance type, e.g. `g5.xlarge`. */
  readonly instanceType: string;
  /**
   * Run the CloudWatch agent sidecar that publishes NVIDIA GPU metrics (and alarm on them).
   * @default false
   */
  readonly gpuMetrics?: boolean;
}

/** Settings of an ECS service on Fargate (CPU only). */
export interface FargateComputeOptions {
  /** The model server container (TF Serving preset or a custom image). */
  readonly modelServer: ModelServer;
  /**
   * Task CPU units.
   * @default - the smallest Fargate size that holds the profile's memory
   */
  readonly cpu?: number;
}

/**
 * Where the model runs, chosen with a static factory: `sageMakerRealtime`, `sageMakerAsync`,
 * `ecsGpu`, `fargate` (and the other shapes the library registers here). A choice states its
 * capabilities before anything is built, so the service derives every limit from the profile and
 * these facts, then builds the backend with those limits.
 */
export abstract class InferenceCompute {
  /** A SageMaker real-time endpoint on GPU or CPU instances, at least one instance. */
  public static sageMakerRealtime(options: SageMakerComputeOptions): InferenceCompute {
    return new SageMakerRealtimeCompute(options);
  }

  /**
   * A SageMaker serverless endpoint: CPU only, memory in 1 GB steps, MaxConcurrency (the
   * service's maxInstances, by default derived from the cost ceiling), provisioned concurrency
   * (minInstances, default 0), 4 MB payloads, 60 s per request.
   */
  public static sageMakerServerless(options: SageMakerServerlessComputeOptions): InferenceCompute {
    return new SageMakerServerlessCompute(options);
  }

  /**
   * A SageMaker asynchronous endpoint (inputs and results in S3, scale to zero). It has no
   * synchronous `POST /predict`: callers use InvokeEndpointAsync, granted with
   * `backend.bindAsyncCaller()`; a job queue cannot feed it.
   */
  public static sageMakerAsync(options: SageMakerAsyncComputeOptions): InferenceCompute {
    return new SageMakerAsyncCompute(options);
  }

  /** An ECS service on GPU instances behind an internal load balancer (VPC link from the API). */
  public static ecsGpu(options: EcsGpuComputeOptions): InferenceCompute {
    return new EcsCompute(options.modelServer, EcsCapacity.gpuInstances({ instanceType: options.instanceType }), options.gpuMetrics);
  }

  /** An ECS service on Fargate (CPU only) behind an internal load balancer (VPC link from the API). */
  public static fargate(options: FargateComputeOptions): InferenceCompute {
    return new EcsCompute(options.modelServer, EcsCapacity.fargate(), false, options.cpu);
  }

  /**
   * A local SavedModel directory the request signature can be read from.
   * @default - none (the service then needs an explicit signature)
   */
  public abstract readonly savedModelDirectory?: string;

  /** What the backend will accept and how it will scale, for a model with this profile. */
  public abstract capabilities(profile: InferenceProfile): BackendCapabilities;

  /** Problems of this choice for the profile (wrong hardware, sizes out of range), collected before anything is built. */
  public abstract problems(profile: InferenceProfile): ValidationProblem[];

  /** Builds the backend under `scope` with the derived limits. */
  public abstract bind(scope: Construct, id: string, options: ComputeBindOptions): ComputeBinding;
}

/** The instance type of a SageMaker choice: given, or the profile's `ml.*` hardware. */
function sageMakerInstanceType(options: SageMakerComputeOptions, profile: InferenceProfile): string | undefined {
  return options.instanceType ?? (profile.hardware.startsWith('ml.') ? profile.hardware : undefined);
}

function sageMakerProblems(options: SageMakerComputeOptions, profile: InferenceProfile): ValidationProblem[] {
  return sageMakerInstanceType(options, profile) !== undefined ? [] : [{
    prop: 'instanceType', value: 'undefined', allowed: 'an ml.* instance type',
    fix: `set instanceType (the profile's hardware "${profile.hardware}" is not a SageMaker type)`,
  }];
}

class SageMakerRealtimeCompute extends InferenceCompute {
  public readonly savedModelDirectory?: string;
  constructor(private readonly options: SageMakerComputeOptions) {
    super();
    this.savedModelDirectory = options.model.savedModelDirectory;
  }

  public capabilities(profile: InferenceProfile): BackendCapabilities { return SageMakerRealtimeBackend.capabilitiesFor(profile); }
  public problems(profile: InferenceProfile): ValidationProblem[] { return sageMakerProblems(this.options, profile); }

  public bind(scope: Construct, id: string, o: ComputeBindOptions): ComputeBinding {
    const backend = new SageMakerRealtimeBackend(scope, id, {
      ...this.options, instanceType: sageMakerInstanceType(this.options, o.profile)!,
      profile: o.profile, limits: o.limits, alarmTopic: o.alarmTopic, alarmThresholds: o.alarmThresholds, security: o.security,
    });
    return { backend, syncBackend: backend };
  }
}

class SageMakerAsyncCompute extends InferenceCompute {
  public readonly savedModelDirectory?: string;
  constructor(private readonly options: SageMakerAsyncComputeOptions) {
    super();
    this.savedModelDirectory = options.model.savedModelDirectory;
  }

  public capabilities(profile: InferenceProfile): BackendCapabilities { return SageMakerAsyncBackend.capabilitiesFor(profile); }
  public problems(profile: InferenceProfile): ValidationProblem[] { return sageMakerProblems(this.options, profile); }

  public bind(scope: Construct, id: string, o: ComputeBindOptions): ComputeBinding {
    const backend = new SageMakerAsyncBackend(scope, id, {
      ...this.options, instanceType: sageMakerInstanceType(this.options, o.profile)!, profile: o.profile,
      // The one instance ceiling: the limits' scaling range.
      minInstances: o.limits.scaling.minInstances, maxInstances: o.limits.scaling.maxInstances,
      alarmTopic: o.alarmTopic, alarmThresholds: o.alarmThresholds, security: o.security,
    });
    return { backend, asyncBackend: backend };
  }
}

class EcsCompute extends InferenceCompute {
  public readonly savedModelDirectory?: string = undefined;
  constructor(private readonly modelServer: ModelServer, private readonly capacity: EcsCapacity, private readonly gpuMetrics?: boolean, private readonly cpu?: number) {
    super();
  }

  public capabilities(profile: InferenceProfile): BackendCapabilities { return EcsInferenceService.capabilitiesFor(profile); }
  public problems(): ValidationProblem[] { return []; }

  public bind(scope: Construct, id: string, o: ComputeBindOptions): ComputeBinding {
    const backend = new EcsInferenceService(scope, id, {
      profile: o.profile, limits: o.limits, modelServer: this.modelServer, capacity: this.capacity, gpuMetrics: this.gpuMetrics, cpu: this.cpu,
      alarmTopic: o.alarmTopic, alarmThresholds: o.alarmThresholds, security: o.security,
    });
    return { backend, syncBackend: backend };
  }
}

class SageMakerServerlessCompute extends InferenceCompute {
  public readonly savedModelDirectory?: string;
  constructor(private readonly options: SageMakerServerlessComputeOptions) {
    super();
    this.savedModelDirectory = options.model.savedModelDirectory;
  }

  public capabilities(profile: InferenceProfile): BackendCapabilities { return SageMakerServerlessBackend.capabilitiesFor(profile, this.options); }
  public problems(profile: InferenceProfile): ValidationProblem[] { return SageMakerServerlessBackend.problemsFor(profile, this.options); }

  public bind(scope: Construct, id: string, o: ComputeBindOptions): ComputeBinding {
    const backend = new SageMakerServerlessBackend(scope, id, { ...this.options, profile: o.profile, limits: o.limits, alarmTopic: o.alarmTopic, alarmThresholds: o.alarmThresholds, security: o.security });
    return { backend, syncBackend: backend };
  }
}
