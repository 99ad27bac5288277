import {
  Duration, aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cloudwatch, aws_iam as iam, aws_kms as kms, aws_sagemaker as sagemaker,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProblemCollector, SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES, gpuInstanceSpec } from '../core';
import { SyncTargetBindOptions, SyncTargetBinding } from '../api/target';
import { InferenceLimits, InferenceProfile, limitsProblems, recordProfile } from '../profile';
import { resolveThresholds } from '../alarms/thresholds';
import { buildGuardAlarms, graph } from '../alarms/guard-alarm-builder';
import { sageMakerEndpointInvokeIntegration, sageMakerWorkerTarget } from './private/sagemaker-invoke';
import { GuardAlarms } from '../alarms/guard-alarms';
import { ISyncInferenceBackend, SyncWorkerTarget } from './backend';
import type { BackendCapabilities } from '../profile/backend-capabilities';
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
export class SageMakerRealtimeBackend extends Construct implements ISyncInferenceBackend {
  /**
   * What a real-time endpoint accepts and how it scales, for a model with this profile: 6 MB
   * payload, 60 s invocation limit, at least one instance, the profile's throughput per instance.
   */
  public static capabilitiesFor(profile: InferenceProfile): BackendCapabilities {
    return {
      name: 'SageMaker real-time endpoint',
      maxPayloadBytes: SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES,
      invocationTimeoutMs: SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS,
      synchronous: true,
      scalesToZero: false,
      scalingUnit: 'instance',
      throughputPerUnitRps: profile.throughputPerInstanceRps,
      concurrencyPerUnit: profile.sustainableConcurrency,
      coldStartSeconds: profile.coldStartSeconds,
    };
  }

  /** The model's execution role (least privilege). */
  public readonly role: iam.Role;
  /** The SageMaker model (network-isolated). */
  public readonly model: sagemaker.CfnModel;
  /** The endpoint configuration with its one variant. */
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  /** The endpoint. */
  public readonly endpoint: sagemaker.CfnEndpoint;
  /** The endpoint name (lower case). */
  public readonly endpointName: string;
  /** The variant name, a metric dimension. */
  public readonly variantName = VARIANT_NAME;
  /** The variant's instance count, between the limits' minimum and maximum. */
  public readonly scalableTarget: appscaling.ScalableTarget;
  /** KMS key of the storage volume, when the instance type accepts one. */
  public readonly kmsKey?: kms.IKey;
  /** Container environment that was set (for review). */
  public readonly environment: Readonly<Record<string, string>>;
  /** The instance type. */
  public readonly instanceType: string;
  /** The measured profile every limit was derived from. */
  public readonly profile: InferenceProfile;
  /** What the endpoint accepts and how it scales. */
  public readonly capabilities: BackendCapabilities;
  /** Invocation errors, model latency, CPU, memory and GPU utilization, and scaling at the maximum. */
  public readonly alarms: GuardAlarms;
  /** The limits the endpoint was built with. */
  public readonly limits: InferenceLimits;

  constructor(scope: Construct, id: string, props: SageMakerRealtimeBackendProps) {
    super(scope, id);
    const image = props.image ?? InferenceImage.tensorflowServingDlc();
    const { limits, profile, instanceType } = props;
    this.profile = profile;
    this.instanceType = instanceType;
    this.limits = limits;
    this.capabilities = SageMakerRealtimeBackend.capabilitiesFor(profile);
    const c = new ProblemCollector('SAGEMAKER_PROPS_INVALID', this.node.path);
    const { vcpus, downloadS, healthS } = checkCommonProps(c, props, image);
    // Limits built or edited by hand: every number checked once; the fit to this backend only on sound numbers.
    const limitProblems = limitsProblems(limits);
    c.addAll(limitProblems);
    if (limitProblems.length === 0) {
      c.require(limits.scaling.minInstances >= 1, 'limits.scaling.minInstances', limits.scaling.minInstances, '>= 1 on a real-time endpoint', 'use the async backend to scale to zero');
      c.require(limits.timeouts.modelServerTimeoutSeconds * 1000 < SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, 'limits.timeouts.modelServerTimeoutSeconds', limits.timeouts.modelServerTimeoutSeconds,
        `< ${SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS / 1000} s (SageMaker's real-time invocation limit)`, 'use the async path for longer requests');
    }
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
    recordProfile(this.endpoint, this.profile);

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
    this.alarms = this.createAlarms(props);
  }

  private createAlarms(props: SageMakerRealtimeBackendProps): GuardAlarms {
    const { limits, profile } = this;
    const t = resolveThresholds(limits.alarms, props.alarmThresholds);
    const p99 = profile.latencyMs.p99;
    const GE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const none = (basis: string) => ({ value: 0, basis });
    const { vcpus, gpus, memoryMiB } = this.hardware;
    const nCpu = vcpus ?? 1;
    const nGpu = gpus ?? 1;
    // At the scaling target an instance serves this share of its measured throughput.
    const load = Math.min(1, limits.scaling.targetInvocationsPerInstancePerMinute / (profile.throughputPerInstanceRps * 60));
    const loadBasis = `at the scaling target an instance runs at ${Math.round(load * 100)} % of its measured throughput`;
    const scope = new Construct(this, 'Alarms');
    return buildGuardAlarms(scope, [
      { id: 'Backend5xx', saturation: true, spec: { metric: this.metricInvocation5xxErrors(), threshold: t.backend5xxPerMinute, unit: 'Count', comparison: GE, evaluationPeriods: 5, datapointsToAlarm: 3, description: `SageMaker Invocation5XXErrors >= ${t.backend5xxPerMinute} per minute.`, atRest: none('the profiled model answers every request') } },
      { id: 'ModelLatencyP99', spec: { metric: this.metricModelLatencyP99(), threshold: t.modelLatencyP99Micros, unit: 'Microseconds', evaluationPeriods: 5, datapointsToAlarm: 3, description: `SageMaker ModelLatency p99 above ${t.modelLatencyP99Micros} us (1.5 x the profiled p99): the model is slower than measured.`, atRest: { value: p99 * 1000, basis: `the profiled p99 (${p99} ms) in microseconds` } } },
      { id: 'CpuUtilization', spec: { metric: this.metricCpuUtilization(), threshold: t.cpuUtilizationPercent * nCpu, unit: 'Percent', scale: nCpu, evaluationPeriods: 5, datapointsToAlarm: 3, description: `Endpoint CPU above ${t.cpuUtilizationPercent} % of ${nCpu} vCPUs.`, atRest: { value: load * 100 * nCpu, basis: `${loadBasis}; at most that share of every vCPU` } } },
      {
        id: 'MemoryUtilization',
        spec: {
          metric: this.metricMemoryUtilization(), threshold: t.memoryUtilizationPercent, unit: 'Percent', evaluationPeriods: 5, datapointsToAlarm: 3,
          description: `Endpoint memory above ${t.memoryUtilizationPercent} %: close to an out-of-memory restart.`,
          atRest: memoryMiB !== undefined
            ? { value: (profile.peakHostMemoryMiB / memoryMiB) * 100, basis: `profiled peak host memory ${profile.peakHostMemoryMiB} MiB of ${memoryMiB} MiB` }
            : { value: 0, basis: `not stated: ${this.instanceType} is not in the instance table` },
        },
      },
      { id: 'GpuUtilization', spec: { metric: this.metricGpuUtilization(), threshold: t.gpuUtilizationPercent * nGpu, unit: 'Percent', scale: nGpu, evaluationPeriods: 5, datapointsToAlarm: 3, description: `Endpoint GPU above ${t.gpuUtilizationPercent} % of ${nGpu} GPUs.`, atRest: { value: load * 100 * nGpu, basis: `${loadBasis}; at most that share of every GPU` } } },
      // No GPUMemoryUtilization alarm: with one TF Serving process the SageMaker container passes no
      // per_process_gpu_memory_fraction (serve.py sets it only when SAGEMAKER_TFS_INSTANCE_COUNT > 1),
      // so TensorFlow reserves nearly all GPU memory at start and the metric sits near 100 %.
      // With min = max the fleet is always at its maximum: the alarm would never leave ALARM.
      ...(limits.scaling.maxInstances > limits.scaling.minInstances ? [{
        id: 'InstancesAtMax', saturation: true, spec: {
          metric: this.metricInstanceCount(), threshold: limits.scaling.maxInstances - 0.5, unit: 'Count' as const, comparison: GE, evaluationPeriods: 10,
          description: `The endpoint has run at its scaling maximum (${limits.scaling.maxInstances} instances) for 10 minutes: the cost ceiling is reached and further load is only throttled.`,
          atRest: { value: limits.scaling.minInstances, basis: 'nominal load runs on the minimum instances' },
        },
      }] : []),
    ], [
      graph('Model latency p99 (us)', [this.metricModelLatencyP99()], t.modelLatencyP99Micros), graph('Instances', [this.metricInstanceCount()]), graph('Backend 5XX', [this.metricInvocation5xxErrors()]),
      graph('CPU / memory', [this.metricCpuUtilization(), this.metricMemoryUtilization()]), graph('GPU / GPU memory (reserved at start)', [this.metricGpuUtilization(), this.metricGpuMemoryUtilization()]),
    ], props.alarmTopic);
  }

  /** Grants `worker` `sagemaker:InvokeEndpoint` on this endpoint only, for a synchronous queue worker. */
  public bindWorker(scope: Construct, worker: iam.IGrantable): SyncWorkerTarget {
    return sageMakerWorkerTarget(scope, worker, this.endpointName, this.capabilities.name);
  }

  /** Integrates `POST /predict` directly with SageMaker runtime InvokeEndpoint (no Lambda). */
  public bindSync(scope: Construct, options: SyncTargetBindOptions): SyncTargetBinding {
    return sageMakerEndpointInvokeIntegration(scope, this.endpointName, this.profile, options);
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
