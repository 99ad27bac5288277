import {
  Duration, Stack, aws_apigateway as apigw, aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cloudwatch, aws_iam as iam, aws_kms as kms, aws_sagemaker as sagemaker,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProblemCollector, SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES, gpuInstanceSpec } from '../core';
import { ISyncInferenceTarget, SyncTargetBindOptions, SyncTargetBinding } from '../api/target';
import { InferenceLimits, InferenceProfile } from '../profile';
import { InferenceImage } from './inference-image';
import { METRIC_CATALOG, MetricCatalogEntry, catalogMetric } from '../alarms/metric-catalog';
import { SageMakerBackendCommonProps, checkCommonProps, createSageMakerModel, tfServingEnvironment, warnOnHardwareMismatch } from './sagemaker-common';

/** Props of `SageMakerRealtimeBackend`. */
export interface SageMakerRealtimeBackendProps extends SageMakerBackendCommonProps {
  /** Limits derived from the profile (`deriveLimits`). */
  readonly limits: InferenceLimits;
}

const VARIANT_NAME = 'AllTraffic';

/** vCPUs, GPUs and memory of an instance type. */
export interface InstanceHardware {
  /** vCPUs. @default - unknown instance type */
  readonly vcpus?: number;
  /** GPUs. @default - unknown instance type */
  readonly gpus?: number;
  /** Host memory in MiB. @default - unknown instance type */
  readonly memoryMiB?: number;
}

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
  /** The measured profile every limit was derived from. */
  public readonly profile: InferenceProfile;

  constructor(scope: Construct, id: string, props: SageMakerRealtimeBackendProps) {
    super(scope, id);
    const image = props.image ?? InferenceImage.tensorflowServingDlc();
    const { limits, profile, instanceType } = props;
    this.profile = profile;
    this.instanceType = instanceType;
    const c = new ProblemCollector('SAGEMAKER_PROPS_INVALID', this.node.path);
    const { vcpus, downloadS, healthS } = checkCommonProps(c, props, image);
    c.require(limits.scaling.minInstances >= 1, 'limits.scaling.minInstances', limits.scaling.minInstances, '>= 1 on a real-time endpoint', 'use the async backend to scale to zero');
    c.require(limits.timeouts.modelServerTimeoutSeconds * 1000 < SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, 'limits.timeouts.modelServerTimeoutSeconds', limits.timeouts.modelServerTimeoutSeconds,
      `< ${SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS / 1000} s (SageMaker's real-time invocation limit)`, 'use the async path for longer requests');
    c.throwIfAny();
    warnOnHardwareMismatch(this, profile, instanceType);

    const environment = image.tensorflowServing ? tfServingEnvironment({
      nginxReadTimeoutSeconds: limits.timeouts.nginxReadTimeoutSeconds,
      vcpus,
      concurrency: profile.sustainableConcurrency,
      intraOpParallelism: props.intraOpParallelism,
      interOpParallelism: props.interOpParallelism,
      batching: limits.modelServer.maxBatchSize > 1 ? limits.modelServer : undefined,
    }) : {};
    const parts = createSageMakerModel(this, props, image, environment);
    this.role = parts.role;
    this.model = parts.model;
    this.environment = parts.environment;
    this.kmsKey = parts.kmsKey;

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

    this.endpointName = parts.endpointName;
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

  private metric(entry: MetricCatalogEntry, label: string, statistic?: string): cloudwatch.Metric {
    return catalogMetric(entry, { EndpointName: this.endpoint.attrEndpointName, VariantName: VARIANT_NAME }, { label, statistic });
  }

  /** `AWS/SageMaker Invocations`, Sum per minute. */
  public metricInvocations(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smInvocations, 'Invocations'); }
  /** `AWS/SageMaker InvocationsPerInstance`, Sum per minute (the scaling metric). */
  public metricInvocationsPerInstance(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smInvocationsPerInstance, 'Invocations per instance'); }
  /** `AWS/SageMaker Invocation5XXErrors`, Sum per minute. */
  public metricInvocation5xxErrors(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smInvocation5xx, '5XX errors'); }
  /** `AWS/SageMaker Invocation4XXErrors`, Sum per minute. */
  public metricInvocation4xxErrors(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smInvocation4xx, '4XX errors'); }
  /** `AWS/SageMaker ModelLatency` (microseconds), p99 per minute. */
  public metricModelLatencyP99(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smModelLatency, 'Model latency p99 (us)', 'p99'); }
  /** `/aws/sagemaker/Endpoints CPUUtilization` (0-100 x vCPUs), Average per minute. */
  public metricCpuUtilization(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smCpu, 'CPU %'); }
  /** `/aws/sagemaker/Endpoints MemoryUtilization` (0-100), Average per minute. */
  public metricMemoryUtilization(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smMemory, 'Memory %'); }
  /** `/aws/sagemaker/Endpoints GPUUtilization` (0-100 x GPUs), Average per minute. */
  public metricGpuUtilization(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smGpu, 'GPU %'); }
  /**
   * `/aws/sagemaker/Endpoints GPUMemoryUtilization` (0-100 x GPUs), Average per minute. Graphed,
   * not alarmed: TF Serving reserves nearly all GPU memory at start (see the README).
   */
  public metricGpuMemoryUtilization(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smGpuMemory, 'GPU memory %'); }

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

  /** vCPUs, GPUs and memory (MiB) of the instance type, when known (to scale utilization thresholds). */
  public get hardware(): InstanceHardware {
    const spec = gpuInstanceSpec(this.instanceType);
    return { vcpus: spec?.vcpus, gpus: spec?.gpus, memoryMiB: spec?.memoryMiB };
  }
}
