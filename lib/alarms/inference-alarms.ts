import { Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cwActions, aws_sns as sns } from 'aws-cdk-lib';
import { ProblemCollector } from '../core';
import { Construct } from 'constructs';
import { InferenceApi } from '../api/inference-api';
import { SageMakerRealtimeBackend } from '../compute/sagemaker-realtime';
import { AlarmThresholds, InferenceLimits, InferenceProfile } from '../profile';
import { GuardAlarmSpec, createGuardAlarm } from './alarm-factory';
import { AlarmThresholdOverrides, resolveThresholds } from './thresholds';

/** Props of `InferenceAlarms`. */
export interface InferenceAlarmsProps {
  /** The guarded API. */
  readonly api: InferenceApi;
  /**
   * The SageMaker backend, for endpoint alarms. Other backends (ECS) bring their own alarms.
   * @default - API alarms only
   */
  readonly backend?: SageMakerRealtimeBackend;
  /** Limits the thresholds are derived from. */
  readonly limits: InferenceLimits;
  /**
   * The measured profile the limits were derived from (the steady-state values of the alarms).
   * @default - the backend's profile; required without a backend
   */
  readonly profile?: InferenceProfile;
  /** Topic every alarm notifies (on ALARM and OK). */
  readonly topic: sns.ITopic;
  /**
   * Threshold overrides; a given value wins over the derived one.
   * @default - all derived
   */
  readonly thresholds?: AlarmThresholdOverrides;
  /**
   * Dashboard name.
   * @default - generated
   */
  readonly dashboardName?: string;
}

/**
 * CloudWatch alarms on the API and the SageMaker endpoint, thresholds from the limits, a
 * composite "under attack" alarm and a dashboard. Every alarm reads a catalog metric and records
 * its unit and its value in the designed steady state.
 */
export class InferenceAlarms extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  public readonly underAttack: cloudwatch.CompositeAlarm;
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly thresholds: AlarmThresholds;

  constructor(scope: Construct, id: string, props: InferenceAlarmsProps) {
    super(scope, id);
    const t = resolveThresholds(props.limits.alarms, props.thresholds);
    this.thresholds = t;
    const { api, backend, limits } = props;
    const profile = props.profile ?? backend?.profile;
    const c = new ProblemCollector('ALARMS_PROPS_INVALID', this.node.path);
    c.require(profile !== undefined, 'profile', profile, 'the measured profile when no backend is given', 'pass the profile the limits were derived from');
    c.throwIfAny();
    const p99 = profile!.latencyMs.p99;
    const GE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const alarms: Record<string, cloudwatch.Alarm> = {};
    const add = (alarmId: string, spec: GuardAlarmSpec) => { alarms[alarmId] = createGuardAlarm(this, alarmId, spec, props.topic); };
    const none = (basis: string) => ({ value: 0, basis });

    add('Api5xxRate', { metric: api.metric5xxRate(), threshold: t.api5xxRate, unit: 'Fraction', evaluationPeriods: 5, datapointsToAlarm: 3, description: `API 5XX share above ${t.api5xxRate * 100} %: the backend is failing or timing out.`, atRest: none('the backend answers every admitted request') });
    add('Api4xxRate', { metric: api.metric4xxRate(), threshold: t.api4xxRate, unit: 'Fraction', evaluationPeriods: 5, datapointsToAlarm: 3, description: `API 4XX share above ${t.api4xxRate * 100} % (includes 429 throttling and WAF blocks): clients are misbehaving or being limited.`, atRest: none('well-formed requests within the rate limits') });
    add('ApiLatencyP99', { metric: api.metricLatencyP99(), threshold: t.apiLatencyP99Ms, unit: 'Milliseconds', evaluationPeriods: 5, datapointsToAlarm: 3, description: `API p99 latency above ${t.apiLatencyP99Ms} ms, close to the ${limits.timeouts.integrationTimeoutMs} ms integration timeout.`, atRest: { value: p99, basis: `the profiled p99 (${p99} ms)` } });
    add('IntegrationLatencyP99', { metric: api.metricIntegrationLatencyP99(), threshold: t.integrationLatencyP99Ms, unit: 'Milliseconds', evaluationPeriods: 5, datapointsToAlarm: 3, description: `Integration p99 latency above ${t.integrationLatencyP99Ms} ms: requests are about to time out (504).`, atRest: { value: p99, basis: `the profiled p99 (${p99} ms)` } });
    add('ThrottledSpike', { metric: api.metricThrottled(), threshold: t.throttledPerMinute, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2, description: `More than ${t.throttledPerMinute} throttled (429) responses per minute.`, atRest: none('nominal load stays under the stage rate (headroom below measured capacity)') });
    add('WafBlocked', { metric: api.metricWafBlocked(), threshold: t.wafBlockedPerMinute, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2, description: `WAF blocked more than ${t.wafBlockedPerMinute} requests per minute (per-IP rate rule or oversize requests).`, atRest: none('no client exceeds the per-IP allowance or the body cap') });
    if (backend) {
      const { vcpus, gpus, memoryMiB } = backend.hardware;
      const nCpu = vcpus ?? 1;
      const nGpu = gpus ?? 1;
      // At the scaling target an instance serves this share of its measured throughput.
      const load = Math.min(1, limits.scaling.targetInvocationsPerInstancePerMinute / (profile!.throughputPerInstanceRps * 60));
      const loadBasis = `at the scaling target an instance runs at ${Math.round(load * 100)} % of its measured throughput`;
      add('Backend5xx', { metric: backend.metricInvocation5xxErrors(), threshold: t.backend5xxPerMinute, unit: 'Count', comparison: GE, evaluationPeriods: 5, datapointsToAlarm: 3, description: `SageMaker Invocation5XXErrors >= ${t.backend5xxPerMinute} per minute.`, atRest: none('the profiled model answers every request') });
      add('ModelLatencyP99', { metric: backend.metricModelLatencyP99(), threshold: t.modelLatencyP99Micros, unit: 'Microseconds', evaluationPeriods: 5, datapointsToAlarm: 3, description: `SageMaker ModelLatency p99 above ${t.modelLatencyP99Micros} us (1.5 x the profiled p99): the model is slower than measured.`, atRest: { value: p99 * 1000, basis: `the profiled p99 (${p99} ms) in microseconds` } });
      add('CpuUtilization', { metric: backend.metricCpuUtilization(), threshold: t.cpuUtilizationPercent * nCpu, unit: 'Percent', scale: nCpu, evaluationPeriods: 5, datapointsToAlarm: 3, description: `Endpoint CPU above ${t.cpuUtilizationPercent} % of ${nCpu} vCPUs.`, atRest: { value: load * 100 * nCpu, basis: `${loadBasis}; at most that share of every vCPU` } });
      add('MemoryUtilization', {
        metric: backend.metricMemoryUtilization(), threshold: t.memoryUtilizationPercent, unit: 'Percent', evaluationPeriods: 5, datapointsToAlarm: 3,
        description: `Endpoint memory above ${t.memoryUtilizationPercent} %: close to an out-of-memory restart.`,
        atRest: memoryMiB !== undefined
          ? { value: (profile!.peakHostMemoryMiB / memoryMiB) * 100, basis: `profiled peak host memory ${profile!.peakHostMemoryMiB} MiB of ${memoryMiB} MiB` }
          : { value: 0, basis: `not stated: ${backend.instanceType} is not in the instance table` },
      });
      add('GpuUtilization', { metric: backend.metricGpuUtilization(), threshold: t.gpuUtilizationPercent * nGpu, unit: 'Percent', scale: nGpu, evaluationPeriods: 5, datapointsToAlarm: 3, description: `Endpoint GPU above ${t.gpuUtilizationPercent} % of ${nGpu} GPUs.`, atRest: { value: load * 100 * nGpu, basis: `${loadBasis}; at most that share of every GPU` } });
      // No GPUMemoryUtilization alarm: with one TF Serving process the SageMaker container passes no
      // per_process_gpu_memory_fraction (serve.py sets it only when SAGEMAKER_TFS_INSTANCE_COUNT > 1),
      // so TensorFlow reserves nearly all GPU memory at start and the metric sits near 100 %.
      if (limits.scaling.maxInstances > limits.scaling.minInstances) {
        // With min = max the fleet is always at its maximum: the alarm would never leave ALARM.
        add('InstancesAtMax', {
          metric: backend.metricInstanceCount(), threshold: limits.scaling.maxInstances - 0.5, unit: 'Count', comparison: GE, evaluationPeriods: 10,
          description: `The endpoint has run at its scaling maximum (${limits.scaling.maxInstances} instances) for 10 minutes: the cost ceiling is reached and further load is only throttled.`,
          atRest: { value: limits.scaling.minInstances, basis: 'nominal load runs on the minimum instances' },
        });
      }
    }
    this.alarms = alarms;

    const rule = (ids: string[]) => cloudwatch.AlarmRule.anyOf(...ids.map((i) => cloudwatch.AlarmRule.fromAlarm(alarms[i], cloudwatch.AlarmState.ALARM)));
    this.underAttack = new cloudwatch.CompositeAlarm(this, 'UnderAttack', {
      alarmRule: cloudwatch.AlarmRule.allOf(
        rule(['ThrottledSpike', 'WafBlocked']),
        rule(['InstancesAtMax', 'ApiLatencyP99', 'Backend5xx', 'Api5xxRate'].filter((k) => alarms[k] !== undefined)),
      ),
      alarmDescription: 'Under attack: rate limits are rejecting traffic AND the backend is saturated (at its scaling maximum, slow, or failing).',
    });
    const action = new cwActions.SnsAction(props.topic);
    this.underAttack.addAlarmAction(action);
    this.underAttack.addOkAction(action);

    const w = (title: string, metrics: cloudwatch.IMetric[], threshold?: number) => new cloudwatch.GraphWidget({
      title, left: metrics, width: 8, leftAnnotations: threshold !== undefined ? [{ value: threshold, label: 'alarm threshold' }] : undefined,
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [this.underAttack, ...Object.values(alarms)], width: 24 })],
        [w('Requests', [api.metricCount()]), w('Throttled / WAF blocked', [api.metricThrottled(), api.metricWafBlocked()]), w('Error rates', [api.metric4xxRate(), api.metric5xxRate()])],
        [w('API latency p99 (ms)', [api.metricLatencyP99(), api.metricIntegrationLatencyP99()], t.apiLatencyP99Ms)],
        ...(backend ? [
          [w('Model latency p99 (us)', [backend.metricModelLatencyP99()], t.modelLatencyP99Micros), w('Instances', [backend.metricInstanceCount()]), w('Backend 5XX', [backend.metricInvocation5xxErrors()])],
          [w('CPU / memory', [backend.metricCpuUtilization(), backend.metricMemoryUtilization()]), w('GPU / GPU memory (reserved at start)', [backend.metricGpuUtilization(), backend.metricGpuMemoryUtilization()])],
        ] : []),
      ],
    });
  }
}
