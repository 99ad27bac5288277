import { SecurityPosture } from '../security/security-posture';
import { aws_cloudwatch as cloudwatch, aws_iam as iam, aws_sagemaker as sagemaker, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AlarmThresholdOverrides } from '../alarms/thresholds';
import { resolveThresholds } from '../alarms/thresholds';
import { METRIC_CATALOG, MetricCatalogEntry, catalogMetric } from '../alarms/metric-catalog';
import { limitsProblems, InferenceLimits, InferenceProfile, recordProfile } from '../profile';
import {
  ProblemCollector, SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN,
  SAGEMAKER_SERVERLESS_MAX_PAYLOAD_BYTES, SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB, SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MAX,
  SAGEMAKER_SERVERLESS_STARTUP_LIMIT_S, ValidationProblem, isGpuInstanceType,
} from '../core';
import { ceilInt, floorInt } from '../core/rounding';
import { SyncTargetBindOptions, SyncTargetBinding } from '../api/target';
import { buildGuardAlarms, graph } from '../alarms/guard-alarm-builder';
import { sageMakerEndpointInvokeIntegration, sageMakerWorkerTarget } from './private/sagemaker-invoke';
import { DEFAULT_PRICES } from '../review/prices';
import { GuardAlarms } from '../alarms/guard-alarms';
import { ISyncInferenceBackend, SyncWorkerTarget } from './backend';
import type { BackendCapabilities } from '../profile/backend-capabilities';
import { InferenceImage } from './inference-image';
import { ModelArtifact } from './model-artifact';
import { ModelNetworkIsolation, createSageMakerModel, tfServingEnvironment } from './sagemaker-common';

/** Memory headroom over the profiled peak when the memory size is derived. */
const MEMORY_HEADROOM = 1.2;
/** Default cost ceiling of a serverless endpoint under attack (USD per hour, all concurrency busy). */
const DEFAULT_MAX_COST_PER_HOUR_USD = 2;

/** How a serverless endpoint is sized: memory, and the cost ceiling that bounds its concurrency. */
export interface SageMakerServerlessSizing {
  /**
   * Memory of each concurrent invocation (MemorySizeInMB): 1024-6144 MB in 1024 MB steps. The
   * profile's peak host memory must fit.
   * @default - the smallest step that holds 1.2 x the profile's peak host memory
   */
  readonly memorySizeMb?: number;
  /**
   * Most the endpoint may cost per hour with every concurrent invocation busy (USD); it sets
   * MaxConcurrency when the service's maxInstances is not given:
   * floor(ceiling / (memory GB x price per GB-second x 3600)), within 1-200.
   * @default 2
   */
  readonly maxCostPerHourUsd?: number;
}

/** Props of `SageMakerServerlessBackend`. */
export interface SageMakerServerlessBackendProps extends SageMakerServerlessSizing {
  /** The SavedModel to serve. */
  readonly model: ModelArtifact;
  /** The measured profile of the model, on CPU (serverless endpoints have no GPU). */
  readonly profile: InferenceProfile;
  /**
   * Limits derived from the profile and `SageMakerServerlessBackend.capabilitiesFor()`. MaxConcurrency
   * is `limits.scaling.maxInstances`; provisioned concurrency is `limits.scaling.minInstances` (none at 0).
   */
  readonly limits: InferenceLimits;
  /**
   * Serving image; must be a CPU build.
   * @default InferenceImage.tensorflowServingDlc({ gpu: false })
   */
  readonly image?: InferenceImage;
  /**
   * Security posture (the regulated one turns the execution role's inline policy into a managed one).
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
  /**
   * Extra container environment.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Endpoint name (lower-case letters, digits and hyphens).
   * @default - generated from the construct path
   */
  readonly endpointName?: string;
  /**
   * Topic the alarms notify (on ALARM and OK).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm threshold overrides.
   * @default - all derived
   */
  readonly alarmThresholds?: AlarmThresholdOverrides;
}

const VARIANT_NAME = 'AllTraffic';

/**
 * A SageMaker Serverless endpoint: CPU only, memory in 1 GB steps, MaxConcurrency 1-200 (the
 * instance ceiling, in concurrent invocations), optional provisioned concurrency, 4 MB payloads
 * and 60 s per invocation. Synchronous: it sits behind `POST /predict` like a real-time endpoint
 * (the same InvokeEndpoint call).
 */
export class SageMakerServerlessBackend extends Construct implements ISyncInferenceBackend {
  /**
   * What a serverless endpoint accepts and how it scales, for a model with this profile: one
   * request at a time per concurrent invocation (1000 / p50 ms requests per second each),
   * MaxConcurrency at most 200 and by default set by the cost ceiling, scale to zero.
   */
  public static capabilitiesFor(profile: InferenceProfile, sizing: SageMakerServerlessSizing = {}): BackendCapabilities {
    const memoryMb = SageMakerServerlessBackend.memorySizeMb(profile, sizing);
    const ceiling = sizing.maxCostPerHourUsd ?? DEFAULT_MAX_COST_PER_HOUR_USD;
    const perSlotHour = (memoryMb / 1024) * DEFAULT_PRICES.sageMakerServerlessPerGbSecond * 3600;
    const derivedMax = Math.min(SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX, Math.max(SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN, floorInt(ceiling / perSlotHour)));
    return {
      name: 'SageMaker serverless endpoint',
      maxPayloadBytes: SAGEMAKER_SERVERLESS_MAX_PAYLOAD_BYTES,
      invocationTimeoutMs: SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS,
      synchronous: true,
      scalesToZero: true,
      capacityOnDemand: true,
      scalingUnit: 'concurrent invocation',
      // A serverless invocation serves one request at a time: its throughput is 1 / latency.
      throughputPerUnitRps: Math.round(Math.min(profile.throughputPerInstanceRps, 1000 / profile.latencyMs.p50) * 100) / 100,
      concurrencyPerUnit: 1,
      maxUnits: SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX,
      coldStartSeconds: profile.coldStartSeconds,
      defaultMaxUnits: derivedMax,
      defaultMaxUnitsFormula: `MaxConcurrency = clamp(1..200, floor(cost ceiling $${ceiling}/h / (${memoryMb / 1024} GB x $${DEFAULT_PRICES.sageMakerServerlessPerGbSecond}/GB-s x 3600 s))) = ${derivedMax}`,
    };
  }

  /**
   * Problems of a serverless endpoint for this profile and sizing: a GPU profile, memory not a
   * 1 GB step from 1024 to 6144 MB or below the profiled peak, a cold start over 3 minutes, a
   * cost ceiling that is not a positive number.
   */
  public static problemsFor(profile: InferenceProfile, sizing: SageMakerServerlessSizing = {}): ValidationProblem[] {
    const c = new ProblemCollector('SERVERLESS_PROPS_INVALID', 'SageMakerServerlessBackend');
    const gpu = profile.peakGpuMemoryMiB > 0 || isGpuInstanceType(profile.hardware);
    c.require(!gpu, 'profile.hardware', `${profile.hardware} (peakGpuMemoryMiB ${profile.peakGpuMemoryMiB})`,
      'a CPU profile with peakGpuMemoryMiB 0: serverless endpoints have no GPU',
      'profile the model on CPU (e.g. ml.c5.xlarge) with a CPU image, or use InferenceCompute.sageMakerRealtime for GPU hardware');
    const steps = SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB;
    if (sizing.memorySizeMb !== undefined) {
      c.require(steps.includes(sizing.memorySizeMb), 'memorySizeMb', sizing.memorySizeMb, steps.join(', '), 'pick a 1 GB step from 1024 to 6144 MB');
      c.require(profile.peakHostMemoryMiB <= sizing.memorySizeMb, 'memorySizeMb', sizing.memorySizeMb, `>= the profile's peak host memory (${profile.peakHostMemoryMiB} MiB)`,
        'raise memorySizeMb, or leave it unset to derive it from the profile');
    } else {
      c.require(profile.peakHostMemoryMiB <= steps[steps.length - 1], 'profile.peakHostMemoryMiB', profile.peakHostMemoryMiB,
        `<= ${steps[steps.length - 1]} MiB (the largest serverless memory size)`, 'serve the model on a real-time endpoint, or make it smaller');
    }
    c.require(profile.coldStartSeconds <= SAGEMAKER_SERVERLESS_STARTUP_LIMIT_S, 'profile.coldStartSeconds', profile.coldStartSeconds,
      `<= ${SAGEMAKER_SERVERLESS_STARTUP_LIMIT_S} s (serverless: download, start and first /ping within 3 minutes)`, 'make the model or image smaller, or use a real-time endpoint');
    if (sizing.maxCostPerHourUsd !== undefined) {
      c.require(Number.isFinite(sizing.maxCostPerHourUsd) && sizing.maxCostPerHourUsd > 0, 'maxCostPerHourUsd', sizing.maxCostPerHourUsd, 'a positive number of USD per hour', 'set the most the endpoint may cost per hour under attack');
    }
    return [...c.list];
  }

  /** The memory size for this profile: the one given, or the smallest step holding 1.2 x the peak. */
  private static memorySizeMb(profile: InferenceProfile, sizing: SageMakerServerlessSizing): number {
    if (sizing.memorySizeMb !== undefined) return sizing.memorySizeMb;
    const wanted = ceilInt(profile.peakHostMemoryMiB * MEMORY_HEADROOM);
    const steps = SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB;
    return steps.find((m) => m >= wanted) ?? steps[steps.length - 1];
  }

  /** The model's execution role (least privilege). */
  public readonly role: iam.Role;
  /** The SageMaker model (without network isolation, which serverless endpoints do not support). */
  public readonly model: sagemaker.CfnModel;
  /** The endpoint configuration with its one serverless variant. */
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  /** The endpoint. */
  public readonly endpoint: sagemaker.CfnEndpoint;
  /** The endpoint name (lower case). */
  public readonly endpointName: string;
  /** The variant name, a metric dimension. */
  public readonly variantName = VARIANT_NAME;
  /** Memory of each concurrent invocation (MB). */
  public readonly memorySizeMb: number;
  /** MaxConcurrency: the instance ceiling, in concurrent invocations. */
  public readonly maxConcurrency: number;
  /** Provisioned concurrency, when any. */
  public readonly provisionedConcurrency?: number;
  /** The measured profile. */
  public readonly profile: InferenceProfile;
  /** The limits the endpoint was built with. */
  public readonly limits: InferenceLimits;
  /** What the endpoint accepts and how it scales. */
  public readonly capabilities: BackendCapabilities;
  /** Invocation errors, model latency and memory (the metrics serverless endpoints publish). */
  public readonly alarms: GuardAlarms;

  constructor(scope: Construct, id: string, props: SageMakerServerlessBackendProps) {
    super(scope, id);
    const { profile, limits } = props;
    const image = props.image ?? InferenceImage.tensorflowServingDlc({ gpu: false });
    this.profile = profile;
    this.limits = limits;
    this.capabilities = SageMakerServerlessBackend.capabilitiesFor(profile, props);
    this.memorySizeMb = SageMakerServerlessBackend.memorySizeMb(profile, props);
    this.maxConcurrency = limits.scaling.maxInstances;
    this.provisionedConcurrency = limits.scaling.minInstances > 0 ? limits.scaling.minInstances : undefined;

    const c = new ProblemCollector('SERVERLESS_PROPS_INVALID', this.node.path);
    c.addAll(SageMakerServerlessBackend.problemsFor(profile, props));
    c.require(!image.gpu, 'image', image.description, 'a CPU image: serverless endpoints have no GPU', 'use InferenceImage.tensorflowServingDlc({ gpu: false })');
    // Limits built or edited by hand: every number checked once; the fit to this backend only on sound numbers.
    const limitProblems = limitsProblems(limits);
    c.addAll(limitProblems);
    if (limitProblems.length === 0) {
      c.intInRange('limits.scaling.maxInstances', this.maxConcurrency, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX,
        'MaxConcurrency of a serverless endpoint is 1-200 (the account total applies too)');
      c.intInRange('limits.scaling.minInstances', limits.scaling.minInstances, 0, Math.min(SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MAX, this.maxConcurrency),
        'provisioned concurrency is 1-200 and at most MaxConcurrency (0: none)');
      c.require(limits.payload.maxBodyBytes <= SAGEMAKER_SERVERLESS_MAX_PAYLOAD_BYTES, 'limits.payload.maxBodyBytes', limits.payload.maxBodyBytes,
        `<= ${SAGEMAKER_SERVERLESS_MAX_PAYLOAD_BYTES} bytes (serverless payload cap, 4 MB)`, 'derive the limits with SageMakerServerlessBackend.capabilitiesFor(), or send large requests through an asynchronous endpoint');
      c.require(limits.timeouts.integrationTimeoutMs <= SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS, 'limits.timeouts.integrationTimeoutMs', limits.timeouts.integrationTimeoutMs,
        `<= ${SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS} ms (a serverless invocation ends at 60 s)`, 'lower the integration timeout, or use an asynchronous endpoint for longer requests');
      c.require(limits.timeouts.modelServerTimeoutSeconds * 1000 < SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS, 'limits.timeouts.modelServerTimeoutSeconds', limits.timeouts.modelServerTimeoutSeconds,
        `< ${SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS / 1000} s (the serverless invocation limit)`, 'use an asynchronous endpoint for longer requests');
    }
    c.throwIfAny();

    // One request at a time per invocation: TF Serving needs no batching pool beyond it.
    const environment = image.tensorflowServing ? tfServingEnvironment({
      nginxReadTimeoutSeconds: limits.timeouts.nginxReadTimeoutSeconds,
      vcpus: Math.max(1, Math.round(this.memorySizeMb / 1024)),
      concurrency: 1,
    }) : {};
    // No network isolation: serverless endpoints do not support it (nor VPC configuration).
    const parts = createSageMakerModel(this, { model: props.model, environment: props.environment, endpointName: props.endpointName, security: props.security }, image, environment,
      ModelNetworkIsolation.NOT_SUPPORTED);
    this.role = parts.role;
    this.model = parts.model;
    this.endpointName = parts.endpointName;

    // No instance type, count, volume or volume key: SageMaker refuses them on a serverless variant.
    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      productionVariants: [{
        variantName: VARIANT_NAME,
        modelName: this.model.attrModelName,
        initialVariantWeight: 1,
        serverlessConfig: {
          memorySizeInMb: this.memorySizeMb,
          maxConcurrency: this.maxConcurrency,
          provisionedConcurrency: this.provisionedConcurrency,
        },
      }],
    });
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', { endpointConfigName: this.endpointConfig.attrEndpointConfigName, endpointName: this.endpointName });
    recordProfile(this.endpoint, this.profile);
    this.alarms = this.createAlarms(props);
  }

  private createAlarms(props: SageMakerServerlessBackendProps): GuardAlarms {
    const t = resolveThresholds(this.limits.alarms, props.alarmThresholds);
    const p99 = this.profile.latencyMs.p99;
    const scope = new Construct(this, 'Alarms');
    const memoryAtRest = (this.profile.peakHostMemoryMiB / this.memorySizeMb) * 100;
    // Only metrics serverless endpoints publish (the monitoring page's exhaustive list): no CPU,
    // GPU or instance-count metric exists for them, but MemoryUtilization does, as a percent of
    // the configured memory size; near 100 % an invocation runs out of memory (saturation).
    return buildGuardAlarms(scope, [
      {
        id: 'Backend5xx', saturation: true, spec: {
          metric: this.metricInvocation5xxErrors(), threshold: t.backend5xxPerMinute, unit: 'Count', comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 5, datapointsToAlarm: 3, description: `Serverless endpoint Invocation5XXErrors >= ${t.backend5xxPerMinute} per minute.`,
          atRest: { value: 0, basis: 'the profiled model answers every request' },
        },
      },
      {
        id: 'ModelLatencyP99', saturation: true, spec: {
          metric: this.metricModelLatencyP99(), threshold: t.modelLatencyP99Micros, unit: 'Microseconds', evaluationPeriods: 5, datapointsToAlarm: 3,
          description: `Serverless ModelLatency p99 above ${t.modelLatencyP99Micros} us (1.5 x the profiled p99): the model is slower than measured.`,
          atRest: { value: p99 * 1000, basis: `the profiled p99 (${p99} ms) in microseconds` },
        },
      },
      {
        id: 'MemoryUtilization', saturation: true, spec: {
          metric: this.metricMemoryUtilization(), threshold: t.memoryUtilizationPercent, unit: 'Percent', evaluationPeriods: 5, datapointsToAlarm: 3,
          description: `Serverless memory (Maximum) above ${t.memoryUtilizationPercent} % of ${this.memorySizeMb} MB: invocations are close to running out of memory.`,
          atRest: { value: Math.round(memoryAtRest * 10) / 10, basis: `profiled peak host memory ${this.profile.peakHostMemoryMiB} MiB of the ${this.memorySizeMb} MB memory size` },
        },
      },
    ], [
      graph('Model latency p99 (us)', [this.metricModelLatencyP99()], t.modelLatencyP99Micros), graph('Invocations / 5XX', [this.metricInvocations(), this.metricInvocation5xxErrors()]),
      graph('Cold starts: ModelSetupTime max (us)', [this.metric(METRIC_CATALOG.smServerlessModelSetupTime, 'Model setup time (us)', 'Maximum')]),
      graph('Memory (% of memory size)', [this.metricMemoryUtilization()], t.memoryUtilizationPercent),
    ], props.alarmTopic);
  }

  /** Integrates `POST /predict` directly with SageMaker runtime InvokeEndpoint (no Lambda). */
  public bindSync(scope: Construct, options: SyncTargetBindOptions): SyncTargetBinding {
    return sageMakerEndpointInvokeIntegration(scope, this.endpointName, this.profile, options);
  }

  /** Grants `worker` `sagemaker:InvokeEndpoint` on this endpoint only, for a synchronous queue worker. */
  public bindWorker(scope: Construct, worker: iam.IGrantable): SyncWorkerTarget {
    return sageMakerWorkerTarget(scope, worker, this.endpointName, this.capabilities.name);
  }

  private metric(entry: MetricCatalogEntry, label: string, statistic?: string): cloudwatch.Metric {
    return catalogMetric(entry, { EndpointName: this.endpoint.attrEndpointName, VariantName: VARIANT_NAME }, { label, statistic });
  }

  /** `AWS/SageMaker Invocations`, Sum per minute. */
  public metricInvocations(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smInvocations, 'Invocations'); }
  /** `AWS/SageMaker Invocation5XXErrors`, Sum per minute. */
  public metricInvocation5xxErrors(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smInvocation5xx, '5XX errors'); }
  /** `/aws/sagemaker/Endpoints MemoryUtilization` (percent of the memory size), Maximum per minute. */
  public metricMemoryUtilization(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smServerlessMemory, 'Memory utilization (%)', 'Maximum'); }
  /** `AWS/SageMaker ModelLatency` (microseconds), p99 per minute. */
  public metricModelLatencyP99(): cloudwatch.Metric { return this.metric(METRIC_CATALOG.smModelLatency, 'Model latency p99 (us)', 'p99'); }
}
