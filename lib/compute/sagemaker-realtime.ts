import {
  Annotations, Duration, Names, Stack, aws_apigateway as apigw, aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cloudwatch, aws_iam as iam, aws_kms as kms, aws_sagemaker as sagemaker, Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  ProblemCollector, SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES, SAGEMAKER_STARTUP_TIMEOUT_MAX_S,
  SAGEMAKER_STARTUP_TIMEOUT_MIN_S, SAGEMAKER_VOLUME_MAX_GB, SAGEMAKER_VOLUME_MIN_GB, ec2Name, gpuInstanceSpec, hasLocalNvme, isGpuInstanceType,
} from '../core';
import { ISyncInferenceTarget, SyncTargetBindOptions, SyncTargetBinding } from '../api/target';
import { InferenceLimits, InferenceProfile } from '../profile';
import { InferenceImage } from './inference-image';
import { ModelArtifact } from './model-artifact';

/** Environment variables that TF Serving containers do NOT read (they belong to the MMS/TorchServe toolkit). */
export const IGNORED_BY_TF_SERVING = ['SAGEMAKER_MODEL_SERVER_TIMEOUT', 'SAGEMAKER_MODEL_SERVER_WORKERS'];

/** Props of `SageMakerRealtimeBackend`. */
export interface SageMakerRealtimeBackendProps {
  /** The SavedModel to serve. */
  readonly model: ModelArtifact;
  /** The measured profile of this model on `instanceType`. */
  readonly profile: InferenceProfile;
  /** Limits derived from the profile (`deriveLimits`). */
  readonly limits: InferenceLimits;
  /** SageMaker instance type, e.g. `ml.g5.xlarge`. Must be a GPU type when the image is a GPU build. */
  readonly instanceType: string;
  /**
   * Serving image.
   * @default InferenceImage.tensorflowServingDlc() (TF 2.19 GPU)
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
   * gunicorn workers in the TF Serving container.
   * @default - min(vCPUs, sustainable concurrency)
   */
  readonly modelServerWorkers?: number;
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
}

const VARIANT_NAME = 'AllTraffic';

/**
 * A SageMaker real-time endpoint that serves a Keras SavedModel with TF Serving, with every
 * limit taken from the derived limits: model-server timeouts, workers, bounded batch queue,
 * thread pools, and autoscaling with a hard maximum.
 */
export class SageMakerRealtimeBackend extends Construct implements ISyncInferenceTarget {
  public readonly role: iam.Role;
  public readonly model: sagemaker.CfnModel;
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  public readonly endpoint: sagemaker.CfnEndpoint;
  public readonly endpointName: string;
  public readonly variantName = VARIANT_NAME;
  public readonly scalableTarget: appscaling.ScalableTarget;
  /** KMS key of the storage volume, when the instance type accepts one. */
  public readonly kmsKey?: kms.IKey;
  /** Container environment that was set (for review). */
  public readonly environment: Readonly<Record<string, string>>;
  public readonly instanceType: string;
  private readonly limits: InferenceLimits;
  private readonly profile: InferenceProfile;

  constructor(scope: Construct, id: string, props: SageMakerRealtimeBackendProps) {
    super(scope, id);
    const image = props.image ?? InferenceImage.tensorflowServingDlc();
    const { limits, profile, instanceType } = props;
    this.limits = limits;
    this.profile = profile;
    this.instanceType = instanceType;
    const spec = gpuInstanceSpec(instanceType);
    const nvme = hasLocalNvme(instanceType);
    const startupDefault = Math.min(SAGEMAKER_STARTUP_TIMEOUT_MAX_S, Math.max(SAGEMAKER_STARTUP_TIMEOUT_MIN_S, Math.ceil(profile.coldStartSeconds * 2)));
    const downloadS = props.modelDownloadTimeout?.toSeconds() ?? startupDefault;
    const healthS = props.startupHealthCheckTimeout?.toSeconds() ?? startupDefault;

    const c = new ProblemCollector('SAGEMAKER_PROPS_INVALID', this.node.path);
    c.require(/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType), 'instanceType', instanceType, 'a SageMaker instance type such as ml.g5.xlarge', 'use the ml.-prefixed instance type name');
    const gpuInstance = isGpuInstanceType(instanceType);
    c.require(image.gpu === gpuInstance, 'instanceType', instanceType,
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
      c.require(profile.peakHostMemoryMiB <= spec.memoryMiB, 'profile.peakHostMemoryMiB', profile.peakHostMemoryMiB, `<= ${spec.memoryMiB} MiB on ${instanceType}`, 'pick an instance type with more memory');
    }
    const vcpus = spec?.vcpus ?? 4;
    const workers = props.modelServerWorkers ?? Math.max(1, Math.min(vcpus, profile.sustainableConcurrency));
    c.intInRange('modelServerWorkers', workers, 1, 1024);
    c.intInRange('intraOpParallelism', props.intraOpParallelism, 1, 1024);
    c.intInRange('interOpParallelism', props.interOpParallelism, 1, 1024);
    if (image.tensorflowServing) {
      for (const k of IGNORED_BY_TF_SERVING) {
        c.require(props.environment?.[k] === undefined, `environment.${k}`, props.environment?.[k],
          'unset: the TF Serving container ignores SAGEMAKER_MODEL_SERVER_* (they belong to the MMS/TorchServe toolkit)',
          'use SAGEMAKER_GUNICORN_TIMEOUT_SECONDS / SAGEMAKER_GUNICORN_WORKERS, which this construct already sets from the limits');
      }
    }
    c.require(limits.scaling.minInstances >= 1, 'limits.scaling.minInstances', limits.scaling.minInstances, '>= 1 on a real-time endpoint', 'use the async backend to scale to zero');
    c.require(limits.timeouts.modelServerTimeoutSeconds * 1000 < SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, 'limits.timeouts.modelServerTimeoutSeconds', limits.timeouts.modelServerTimeoutSeconds,
      `< ${SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS / 1000} s (SageMaker's real-time invocation limit)`, 'use the async path for longer requests');
    c.throwIfAny();

    if (ec2Name(profile.hardware) !== ec2Name(instanceType)) {
      Annotations.of(this).addWarningV2('keras-inference-guard:profileHardwareMismatch',
        `The profile was measured on ${profile.hardware} but the endpoint runs on ${instanceType}: every derived limit assumes the profiled hardware. Re-profile on ${instanceType}.`);
    }

    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Least-privilege execution role of the inference endpoint (no AmazonSageMakerFullAccess)',
    });
    const stack = Stack.of(this);
    // SageMaker writes container logs and metrics on the model's behalf.
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/sagemaker/Endpoints/*`],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'], resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints', 'AWS/SageMaker'] } },
    }));
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken and cloudwatch:PutMetricData have no resource-level permissions; PutMetricData is restricted to the SageMaker namespaces by condition' });
    Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*]`, reason: 'SageMaker names the endpoint log group after the endpoint at creation time; the grant is limited to the /aws/sagemaker/Endpoints prefix' });

    const imageConfig = image.bind(this, this.role);
    const modelConfig = props.model.bind(this, this.role);

    const environment: Record<string, string> = { ...(image.tensorflowServing ? this.tfServingEnvironment(workers, vcpus, props) : {}), ...(props.environment ?? {}) };
    this.environment = environment;

    this.model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: { image: imageConfig.imageUri, modelDataUrl: modelConfig.s3Url, environment },
      // The model needs no network: SageMaker downloads the artifact and image for it.
      enableNetworkIsolation: true,
    });
    // The model is validated against the role's permissions at creation: wait for the policy too.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) this.model.node.addDependency(policy);

    if (props.kmsKey) {
      this.kmsKey = props.kmsKey;
    } else if (!nvme) {
      this.kmsKey = new kms.Key(this, 'VolumeKey', { enableKeyRotation: true, description: `ML storage volume key of ${this.node.path}` });
    }
    this.kmsKey?.grantEncryptDecrypt(this.role);

    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      kmsKeyId: this.kmsKey?.keyArn,
      productionVariants: [{
        variantName: VARIANT_NAME,
        modelName: this.model.attrModelName,
        instanceType,
        initialInstanceCount: limits.scaling.minInstances,
        initialVariantWeight: 1,
        volumeSizeInGb: props.volumeSizeGb,
        modelDataDownloadTimeoutInSeconds: downloadS,
        containerStartupHealthCheckTimeoutInSeconds: healthS,
      }],
    });

    this.endpointName = props.endpointName ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
    new ProblemCollector('SAGEMAKER_PROPS_INVALID', this.node.path).require(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(this.endpointName), 'endpointName', this.endpointName, 'letters, digits and single hyphens, at most 63 characters', 'choose another endpoint name');
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      endpointName: this.endpointName,
    });

    this.scalableTarget = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpoint.attrEndpointName}/variant/${VARIANT_NAME}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: limits.scaling.minInstances,
      // The cost ceiling under attack: the fleet never grows past this.
      maxCapacity: limits.scaling.maxInstances,
    });
    this.scalableTarget.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      // SageMakerVariantInvocationsPerInstance is per MINUTE per instance.
      targetValue: limits.scaling.targetInvocationsPerInstancePerMinute,
      scaleOutCooldown: Duration.seconds(limits.scaling.scaleOutCooldownSeconds),
      scaleInCooldown: Duration.seconds(limits.scaling.scaleInCooldownSeconds),
    });
  }

  private tfServingEnvironment(workers: number, vcpus: number, props: SageMakerRealtimeBackendProps): Record<string, string> {
    const l = this.limits;
    const env: Record<string, string> = {
      // The TF Serving container reads these (not SAGEMAKER_MODEL_SERVER_*).
      SAGEMAKER_GUNICORN_TIMEOUT_SECONDS: String(l.timeouts.modelServerTimeoutSeconds),
      SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS: String(l.timeouts.nginxReadTimeoutSeconds),
      SAGEMAKER_GUNICORN_WORKERS: String(workers),
      // Bounded thread pools: left at 0 TF sizes both to every core and a burst oversubscribes the host.
      SAGEMAKER_TFS_INTRA_OP_PARALLELISM: String(props.intraOpParallelism ?? vcpus),
      SAGEMAKER_TFS_INTER_OP_PARALLELISM: String(props.interOpParallelism ?? (vcpus <= 2 ? 1 : 2)),
    };
    if (l.modelServer.maxBatchSize > 1) {
      Object.assign(env, {
        SAGEMAKER_TFS_ENABLE_BATCHING: 'true',
        SAGEMAKER_TFS_MAX_BATCH_SIZE: String(l.modelServer.maxBatchSize),
        SAGEMAKER_TFS_BATCH_TIMEOUT_MICROS: String(l.modelServer.batchTimeoutMicros),
        // Bounded batch queue: beyond it TF Serving rejects at once instead of queueing past the deadline.
        SAGEMAKER_TFS_MAX_ENQUEUED_BATCHES: String(l.modelServer.maxEnqueuedBatches),
        SAGEMAKER_TFS_NUM_BATCH_THREADS: String(vcpus),
      });
    }
    return env;
  }

  /** Integrates `POST /predict` directly with SageMaker runtime InvokeEndpoint (no Lambda). */
  public bindSync(scope: Construct, options: SyncTargetBindOptions): SyncTargetBinding {
    const stack = Stack.of(this);
    const role = new iam.Role(scope, 'InvokeEndpointRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway call InvokeEndpoint on one endpoint',
    });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['sagemaker:InvokeEndpoint'],
      // Endpoint ARNs are lower-case; the endpoint name is set lower-case above.
      resources: [`arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:endpoint/${this.endpointName}`],
    }));
    const retryAfterThrottled = String(Math.max(1, Math.ceil(this.profile.latencyMs.p99 / 1000)));
    const retryAfterNotReady = String(Math.max(1, Math.ceil(this.profile.coldStartSeconds)));
    const errorBody = (code: string) => `#set($m = $input.path('$.Message'))#if("$!m" == "")#set($m = $input.path('$.message'))#end
{"error": "${code}", "message": "$util.escapeJavaScript($m)", "requestId": "$context.requestId"}`;
    const integration = new apigw.AwsIntegration({
      service: 'runtime.sagemaker',
      path: `endpoints/${this.endpointName}/invocations`,
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: role,
        timeout: options.integrationTimeout,
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestParameters: { 'integration.request.header.Content-Type': `'${options.contentType}'`, 'integration.request.header.Accept': "'application/json'" },
        requestTemplates: { [options.contentType]: '$input.body' },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': '$input.body' } },
          {
            // ValidationError is the caller's mistake; a throttling error also arrives as 400 and is turned into 429.
            selectionPattern: '400', statusCode: '400',
            responseTemplates: { 'application/json': `#if($input.body.contains("Throttl"))#set($context.responseOverride.status = 429)#set($context.responseOverride.header.Retry-After = "${retryAfterThrottled}")#end\n${errorBody('BadRequest')}` },
          },
          { selectionPattern: '424', statusCode: '424', responseTemplates: { 'application/json': errorBody('ModelError') } },
          {
            // ModelNotReadyException: the model is still loading; retry after a cold start.
            selectionPattern: '429', statusCode: '503',
            responseParameters: { 'method.response.header.Retry-After': `'${retryAfterNotReady}'` },
            responseTemplates: { 'application/json': errorBody('ModelNotReady') },
          },
          {
            selectionPattern: '503', statusCode: '503',
            responseParameters: { 'method.response.header.Retry-After': `'${retryAfterThrottled}'` },
            responseTemplates: { 'application/json': errorBody('ServiceUnavailable') },
          },
          // Every other non-2xx status is a backend failure: never a 200.
          { selectionPattern: '(1\\d{2}|3\\d{2}|4(0[1-9]|1\\d|2[0-35-8]|[3-9]\\d)|5(0[0-24-9]|[1-9]\\d))', statusCode: '502', responseTemplates: { 'application/json': errorBody('BackendError') } },
        ],
      },
    });
    const json = { 'application/json': apigw.Model.EMPTY_MODEL };
    return {
      integration,
      methodResponses: [
        { statusCode: '200', responseModels: json },
        { statusCode: '400', responseModels: json, responseParameters: { 'method.response.header.Retry-After': false } },
        { statusCode: '424', responseModels: json },
        { statusCode: '429', responseModels: json, responseParameters: { 'method.response.header.Retry-After': true } },
        { statusCode: '503', responseModels: json, responseParameters: { 'method.response.header.Retry-After': true } },
        { statusCode: '502', responseModels: json },
      ],
      maxPayloadBytes: SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES,
      backendTimeoutMs: SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS,
      backendName: 'SageMaker real-time endpoint',
    };
  }

  private metric(namespace: string, metricName: string, statistic: string, label: string, period = Duration.minutes(1)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace, metricName, statistic, period, label,
      dimensionsMap: { EndpointName: this.endpoint.attrEndpointName, VariantName: VARIANT_NAME },
    });
  }

  /** `AWS/SageMaker Invocations`, Sum per minute. */
  public metricInvocations(): cloudwatch.Metric { return this.metric('AWS/SageMaker', 'Invocations', 'Sum', 'Invocations'); }
  /** `AWS/SageMaker InvocationsPerInstance`, Sum per minute (the scaling metric). */
  public metricInvocationsPerInstance(): cloudwatch.Metric { return this.metric('AWS/SageMaker', 'InvocationsPerInstance', 'Sum', 'Invocations per instance'); }
  /** `AWS/SageMaker Invocation5XXErrors`, Sum per minute. */
  public metricInvocation5xxErrors(): cloudwatch.Metric { return this.metric('AWS/SageMaker', 'Invocation5XXErrors', 'Sum', '5XX errors'); }
  /** `AWS/SageMaker Invocation4XXErrors`, Sum per minute. */
  public metricInvocation4xxErrors(): cloudwatch.Metric { return this.metric('AWS/SageMaker', 'Invocation4XXErrors', 'Sum', '4XX errors'); }
  /** `AWS/SageMaker ModelLatency` (microseconds), p99 per minute. */
  public metricModelLatencyP99(): cloudwatch.Metric { return this.metric('AWS/SageMaker', 'ModelLatency', 'p99', 'Model latency p99 (us)'); }
  /** `/aws/sagemaker/Endpoints CPUUtilization` (0-100 x vCPUs), Average per minute. */
  public metricCpuUtilization(): cloudwatch.Metric { return this.metric('/aws/sagemaker/Endpoints', 'CPUUtilization', 'Average', 'CPU %'); }
  /** `/aws/sagemaker/Endpoints MemoryUtilization` (0-100), Average per minute. */
  public metricMemoryUtilization(): cloudwatch.Metric { return this.metric('/aws/sagemaker/Endpoints', 'MemoryUtilization', 'Average', 'Memory %'); }
  /** `/aws/sagemaker/Endpoints GPUUtilization` (0-100 x GPUs), Average per minute. */
  public metricGpuUtilization(): cloudwatch.Metric { return this.metric('/aws/sagemaker/Endpoints', 'GPUUtilization', 'Average', 'GPU %'); }
  /** `/aws/sagemaker/Endpoints GPUMemoryUtilization` (0-100 x GPUs), Average per minute. */
  public metricGpuMemoryUtilization(): cloudwatch.Metric { return this.metric('/aws/sagemaker/Endpoints', 'GPUMemoryUtilization', 'Average', 'GPU memory %'); }

  /**
   * In-service instances, as `Invocations / InvocationsPerInstance` (SageMaker publishes no
   * instance-count metric). Missing when there is no traffic, which is when the count does not matter.
   */
  public metricInstanceCount(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(ipi > 0, inv / ipi, 0)',
      usingMetrics: { inv: this.metricInvocations(), ipi: this.metricInvocationsPerInstance() },
      label: 'Instances (estimated)',
      period: Duration.minutes(1),
    });
  }

  /** Number of vCPUs and GPUs of the instance type, when known (to scale utilization thresholds). */
  public get hardware(): { vcpus?: number; gpus?: number } {
    const spec = gpuInstanceSpec(this.instanceType);
    return { vcpus: spec?.vcpus, gpus: spec?.gpus };
  }
}
