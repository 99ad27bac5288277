import { Annotations, Duration, Names, Stack, Validations, aws_iam as iam, aws_kms as kms, aws_sagemaker as sagemaker, aws_sns as sns } from 'aws-cdk-lib';
import type { AlarmThresholdOverrides } from '../alarms/thresholds';
import { Construct } from 'constructs';
import {
  ProblemCollector, SAGEMAKER_STARTUP_TIMEOUT_MAX_S, SAGEMAKER_STARTUP_TIMEOUT_MIN_S, SAGEMAKER_VOLUME_MAX_GB, SAGEMAKER_VOLUME_MIN_GB,
  ec2Name, gpuInstanceSpec, hasLocalNvme, isGpuInstanceType,
} from '../core';
import { InferenceProfile } from '../profile';
import { instanceMemoryMiB } from '../core/instance-memory';
import { InferenceImage } from './inference-image';
import { ModelArtifact } from './model-artifact';
import { SecurityPosture, postureOf } from '../security/security-posture';
import { acknowledgeCompliance, grantKeyUse } from '../security/compliance';

/** Environment variables that TF Serving containers do NOT read (they belong to the MMS/TorchServe toolkit). */
export const IGNORED_BY_TF_SERVING = ['SAGEMAKER_MODEL_SERVER_TIMEOUT', 'SAGEMAKER_MODEL_SERVER_WORKERS'];

/** Props shared by the SageMaker backends. */
export interface SageMakerBackendCommonProps {
  /** The SavedModel to serve. */
  readonly model: ModelArtifact;
  /** The measured profile of this model on `instanceType`. */
  readonly profile: InferenceProfile;
  /** SageMaker instance type, e.g. `ml.g5.xlarge`. Must be a GPU type when the image is a GPU build. */
  readonly instanceType: string;
  /**
   * Serving image.
   * @default InferenceImage.tensorflowServingDlc() (TF Serving 2.20 GPU)
   */
  readonly image?: InferenceImage;
  /**
   * ML storage volume size (GB). Not allowed on instance types with local NVMe storage (g4dn, g5, g6, p4d, ...).
   * @default - SageMaker's default
   */
  readonly volumeSizeGb?: number;
  /**
   * Time allowed to download the model (60-3600 s).
   * @default - 2 x the profile's cold start, within 60-3600 s
   */
  readonly modelDownloadTimeout?: Duration;
  /**
   * Time allowed for the container to pass its first /ping (60-3600 s).
   * @default - 2 x the profile's cold start, within 60-3600 s
   */
  readonly startupHealthCheckTimeout?: Duration;
  /**
   * KMS key for the ML storage volume. Only for EBS-only instance types: SageMaker refuses a key on
   * instance types with local NVMe storage, whose volumes a hardware module encrypts.
   * @default - a new key with rotation on EBS-only instance types; none on local-NVMe types
   */
  readonly kmsKey?: kms.IKey;
  /**
   * TF intra-op thread pool size.
   * @default - vCPUs of the instance
   */
  readonly intraOpParallelism?: number;
  /**
   * TF inter-op thread pool size.
   * @default 2 (1 on instances with 2 vCPUs or fewer)
   */
  readonly interOpParallelism?: number;
  /**
   * Extra container environment. Cannot contain `SAGEMAKER_MODEL_SERVER_*` for TF Serving images.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Endpoint name (lower-case letters, digits and hyphens).
   * @default - generated from the construct path
   */
  readonly endpointName?: string;
  /**
   * Topic the backend's alarms notify (on ALARM and OK).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm threshold overrides; a given value wins over the derived one.
   * @default - all derived
   */
  readonly alarmThresholds?: AlarmThresholdOverrides;
  /**
   * Security posture: the regulated one encrypts the storage volume (EBS-only instance types), topics
   * and buckets with its customer-managed key and turns inline policies into managed ones.
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
}

/** Resolved values of the common props. */
export interface CommonSettings {
  readonly vcpus: number;
  readonly downloadS: number;
  readonly healthS: number;
}

/** Checks the props every SageMaker backend shares; records problems in `c`. */
export function checkCommonProps(c: ProblemCollector, props: SageMakerBackendCommonProps, image: InferenceImage): CommonSettings {
  const { profile, instanceType } = props;
  const spec = gpuInstanceSpec(instanceType);
  const nvme = hasLocalNvme(instanceType);
  const startupDefault = Math.min(SAGEMAKER_STARTUP_TIMEOUT_MAX_S, Math.max(SAGEMAKER_STARTUP_TIMEOUT_MIN_S, Math.ceil(profile.coldStartSeconds * 2)));
  const downloadS = props.modelDownloadTimeout?.toSeconds() ?? startupDefault;
  const healthS = props.startupHealthCheckTimeout?.toSeconds() ?? startupDefault;
  c.require(/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType), 'instanceType', instanceType, 'a SageMaker instance type such as ml.g5.xlarge', 'use the ml.-prefixed instance type name');
  c.require(image.gpu === isGpuInstanceType(instanceType), 'instanceType', instanceType,
    image.gpu ? `a GPU instance type (ml.g4dn, ml.g5, ml.g6, ml.p*) because the image ${image.description} is a GPU build` : `a CPU instance type because the image ${image.description} is a CPU build`,
    image.gpu ? 'pick a GPU instance type, or use a CPU image (InferenceImage.tensorflowServingDlc({ gpu: false }))' : 'use a GPU image on a GPU instance type, or pick a CPU instance type');
  c.intInRange('volumeSizeGb', props.volumeSizeGb, SAGEMAKER_VOLUME_MIN_GB, SAGEMAKER_VOLUME_MAX_GB);
  c.require(!(nvme && props.volumeSizeGb !== undefined), 'volumeSizeGb', props.volumeSizeGb, `unset on ${instanceType}, which has local NVMe storage of a fixed size`, 'remove volumeSizeGb, or pick an EBS-only instance type');
  c.require(!(nvme && props.kmsKey !== undefined), 'kmsKey', props.kmsKey?.node.path, `unset on ${instanceType}: SageMaker refuses KmsKeyId on instance types with local NVMe storage (encrypted by a hardware module)`, 'remove kmsKey, or pick an EBS-only instance type such as ml.p3.2xlarge');
  c.intInRange('modelDownloadTimeout', downloadS, SAGEMAKER_STARTUP_TIMEOUT_MIN_S, SAGEMAKER_STARTUP_TIMEOUT_MAX_S, 'give the model download 60-3600 s');
  c.intInRange('startupHealthCheckTimeout', healthS, SAGEMAKER_STARTUP_TIMEOUT_MIN_S, SAGEMAKER_STARTUP_TIMEOUT_MAX_S, 'give the container 60-3600 s to pass /ping');
  c.require(healthS >= Math.ceil(profile.coldStartSeconds), 'startupHealthCheckTimeout', `${healthS} s`, `>= the profile's cold start (${profile.coldStartSeconds} s)`, 'raise the timeout, or the endpoint never becomes healthy');
  if (spec) {
    c.require(profile.peakGpuMemoryMiB <= spec.gpus * spec.gpuMemoryMiB, 'profile.peakGpuMemoryMiB', profile.peakGpuMemoryMiB, `<= ${spec.gpus} x ${spec.gpuMemoryMiB} MiB on ${instanceType}`, 'pick a larger GPU instance type');
  }
  // Host memory on every instance type whose memory is known, CPU ones included.
  const hostMiB = instanceMemoryMiB(instanceType);
  if (hostMiB !== undefined) {
    c.require(profile.peakHostMemoryMiB <= hostMiB, 'profile.peakHostMemoryMiB', profile.peakHostMemoryMiB, `<= ${hostMiB} MiB on ${instanceType}`, 'pick an instance type with more memory');
  }
  const vcpus = spec?.vcpus ?? 4;
  c.intInRange('intraOpParallelism', props.intraOpParallelism, 1, 1024);
  c.intInRange('interOpParallelism', props.interOpParallelism, 1, 1024);
  if (image.tensorflowServing) {
    for (const k of IGNORED_BY_TF_SERVING) {
      c.require(props.environment?.[k] === undefined, `environment.${k}`, props.environment?.[k],
        'unset: the TF Serving container ignores SAGEMAKER_MODEL_SERVER_* (they belong to the MMS/TorchServe toolkit)',
        'remove it: the construct bounds TF Serving with SAGEMAKER_TFS_* (thread pools, batch threads and a bounded batch queue) and SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS');
    }
  }
  return { vcpus, downloadS, healthS };
}

/** Warns when the profile was measured on other hardware than the endpoint runs on. */
export function warnOnHardwareMismatch(scope: Construct, profile: InferenceProfile, instanceType: string): void {
  if (ec2Name(profile.hardware) !== ec2Name(instanceType)) {
    Annotations.of(scope).addWarningV2('keras-inference-guard:profileHardwareMismatch',
      `The profile was measured on ${profile.hardware} but the endpoint runs on ${instanceType}: every derived limit assumes the profiled hardware. Re-profile on ${instanceType}.`);
  }
}

/** Settings of the SageMaker TF Serving container. */
export interface TfServingSettings {
  /** nginx proxy read timeout (s): the longest the container waits for TF Serving. */
  readonly nginxReadTimeoutSeconds: number;
  readonly vcpus: number;
  /** Requests one instance serves at once (the profile's sustainable concurrency). */
  readonly concurrency: number;
  readonly intraOpParallelism?: number;
  readonly interOpParallelism?: number;
  /** Batching; without it every request is its own batch of one (the queue stays bounded). */
  readonly batching?: { readonly maxBatchSize: number; readonly batchTimeoutMicros: number; readonly maxEnqueuedBatches: number };
}

/**
 * Environment of the SageMaker TF Serving container: only the variables its `serve.py` reads
 * when there is no `inference.py` (aws/deep-learning-containers
 * tensorflow/inference/docker/build_artifacts/sagemaker/serve.py, tfs_utils.py). Without an
 * `inference.py` nginx proxies straight to TF Serving and gunicorn never starts, so
 * `SAGEMAKER_GUNICORN_*` would do nothing. Concurrency is bounded by TF Serving's batching
 * scheduler, which the container configures from `SAGEMAKER_TFS_*`: `num_batch_threads` batches
 * run at once, at most `max_enqueued_batches` wait, and further requests are refused at once
 * (UNAVAILABLE, a 5xx from the endpoint) instead of queueing past their deadline.
 */
export function tfServingEnvironment(s: TfServingSettings): Record<string, string> {
  const batching = s.batching ?? { maxBatchSize: 1, batchTimeoutMicros: 0, maxEnqueuedBatches: Math.max(1, s.concurrency) };
  return {
    // serve.py sets nginx's proxy_read_timeout from this (default 60 s).
    SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS: String(s.nginxReadTimeoutSeconds),
    // Bounded thread pools: left at 0 TF sizes both to every core and a burst oversubscribes the host.
    SAGEMAKER_TFS_INTRA_OP_PARALLELISM: String(s.intraOpParallelism ?? s.vcpus),
    SAGEMAKER_TFS_INTER_OP_PARALLELISM: String(s.interOpParallelism ?? (s.vcpus <= 2 ? 1 : 2)),
    SAGEMAKER_TFS_ENABLE_BATCHING: 'true',
    SAGEMAKER_TFS_MAX_BATCH_SIZE: String(batching.maxBatchSize),
    SAGEMAKER_TFS_BATCH_TIMEOUT_MICROS: String(batching.batchTimeoutMicros),
    // Bounded batch queue: beyond it TF Serving rejects at once instead of queueing past the deadline.
    SAGEMAKER_TFS_MAX_ENQUEUED_BATCHES: String(batching.maxEnqueuedBatches),
    // Batches in flight: enough for the measured concurrency, no more.
    SAGEMAKER_TFS_NUM_BATCH_THREADS: String(Math.max(1, Math.ceil(s.concurrency / batching.maxBatchSize))),
  };
}

/** The role, model and volume key every SageMaker backend creates. */
export interface SageMakerModelParts {
  readonly role: iam.Role;
  readonly model: sagemaker.CfnModel;
  readonly environment: Readonly<Record<string, string>>;
  readonly kmsKey?: kms.IKey;
  readonly endpointName: string;
}

/** What `createSageMakerModel` reads: the common props, with no instance type on serverless endpoints. */
export interface SageMakerModelSettings {
  readonly model: ModelArtifact;
  /** Instance type; without one (serverless) there is no storage volume and so no volume key. */
  readonly instanceType?: string;
  readonly kmsKey?: kms.IKey;
  readonly environment?: Record<string, string>;
  readonly endpointName?: string;
  readonly security?: SecurityPosture;
}

/**
 * How the model's container is isolated from the network. Instance-based endpoints (real-time,
 * asynchronous) run it with network isolation: SageMaker downloads the artifact and the image for
 * it. Serverless endpoints refuse a network-isolated model: the Serverless Inference guide lists
 * network isolation, with VPC configuration and GPUs, among the features they do not support
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html, feature exclusions),
 * so the endpoint would fail to create.
 */
export enum ModelNetworkIsolation {
  /** EnableNetworkIsolation: true (real-time and asynchronous endpoints). */
  ISOLATED = 'ISOLATED',
  /** EnableNetworkIsolation left unset (serverless endpoints, which do not support it). */
  NOT_SUPPORTED = 'NOT_SUPPORTED',
}

/**
 * Creates the least-privilege execution role, binds image and model artifact, and creates the
 * model (network-isolated unless `isolation` says the endpoint kind does not support it) and, on
 * EBS-only instance types, the volume key.
 */
export function createSageMakerModel(scope: Construct, props: SageMakerModelSettings, image: InferenceImage, derivedEnv: Record<string, string>,
  isolation: ModelNetworkIsolation = ModelNetworkIsolation.ISOLATED): SageMakerModelParts {
  const role = new iam.Role(scope, 'ExecutionRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Least-privilege execution role of the inference endpoint (no AmazonSageMakerFullAccess)',
  });
  const stack = Stack.of(scope);
  // SageMaker writes container logs and metrics on the model's behalf.
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/sagemaker/Endpoints/*`],
  }));
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'], resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints', 'AWS/SageMaker'] } },
  }));
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken and cloudwatch:PutMetricData have no resource-level permissions; PutMetricData is restricted to the SageMaker namespaces by condition' });
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*]', reason: 'SageMaker names the endpoint log group after the endpoint at creation time; the grant is limited to the /aws/sagemaker/Endpoints prefix' });

  const imageConfig = image.bind(scope, role);
  const modelConfig = props.model.bind(scope, role);
  const environment = { ...derivedEnv, ...(props.environment ?? {}) };
  const model = new sagemaker.CfnModel(scope, 'Model', {
    executionRoleArn: role.roleArn,
    primaryContainer: { image: imageConfig.imageUri, modelDataUrl: modelConfig.s3Url, environment },
    // The model needs no network: SageMaker downloads the artifact and image for it.
    enableNetworkIsolation: isolation === ModelNetworkIsolation.ISOLATED ? true : undefined,
  });
  // The model is validated against the role's permissions at creation: wait for the policy too.
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) model.node.addDependency(policy);

  const security = postureOf(props.security, scope);
  let kmsKey = props.kmsKey;
  if (!kmsKey && props.instanceType !== undefined && !hasLocalNvme(props.instanceType)) {
    kmsKey = security.encryptionKey(scope) ?? new kms.Key(scope, 'VolumeKey', { enableKeyRotation: true, description: `ML storage volume key of ${scope.node.path}` });
  }
  if (!kmsKey) {
    // Source: SageMaker API reference, CreateEndpointConfig, KmsKeyId: "Local storage volumes are
    // encrypted using a hardware module on the instance. You can't request a KmsKeyId when using an
    // instance type with local storage ... the call to CreateEndpointConfig fails."
    acknowledgeCompliance(scope, 'SageMakerEndpointConfigurationKMSKeyConfigured', props.instanceType !== undefined
      ? `${props.instanceType} has local NVMe instance storage, which a hardware module on the instance encrypts; SageMaker rejects a KmsKeyId for instance types with local storage (CreateEndpointConfig fails), so no key can be set`
      : 'A serverless endpoint runs on capacity SageMaker manages, with no ML storage volume attached to an instance of this account; KmsKeyId encrypts that volume, so there is nothing for a key to encrypt');
  }
  grantKeyUse(kmsKey, role);

  const endpointName = props.endpointName ?? Names.uniqueResourceName(scope, { maxLength: 63, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  const c = new ProblemCollector('SAGEMAKER_PROPS_INVALID', scope.node.path);
  c.require(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(endpointName), 'endpointName', endpointName, 'letters, digits and hyphens, at most 63 characters', 'choose another endpoint name');
  c.throwIfAny();
  return { role, model, environment, kmsKey, endpointName };
}
