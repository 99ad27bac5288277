import { Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cwActions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceApi } from '../api/inference-api';
import { SageMakerRealtimeBackend } from '../compute/sagemaker-realtime';
import { AlarmThresholds, InferenceLimits } from '../profile';
import { AlarmThresholdOverrides, resolveThresholds } from './thresholds';

/** Props of `InferenceAlarms`. */
export interface InferenceAlarmsProps {
  /** The guarded API. */
  readonly api: InferenceApi;
  /** The SageMaker backend. */
  readonly backend: SageMakerRealtimeBackend;
  /** Limits the thresholds are derived from. */
  readonly limits: InferenceLimits;
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

/** How one alarm is built: small threshold records turned into alarms by one factory. */
interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** Periods looked at. @default 5 */
  readonly evaluationPeriods?: number;
  /** Breaching periods needed. @default 3 */
  readonly datapointsToAlarm?: number;
}

/**
 * CloudWatch alarms on the API and the SageMaker endpoint, thresholds from the limits, a
 * composite "under attack" alarm and a dashboard.
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
    const { api, backend } = props;
    const { vcpus, gpus } = backend.hardware;
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const GE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const specs: AlarmSpec[] = [
      { id: 'Api5xxRate', metric: api.metric5xxRate(), threshold: t.api5xxRate, description: `API 5XX share above ${t.api5xxRate * 100} %: the backend is failing or timing out.` },
      { id: 'Api4xxRate', metric: api.metric4xxRate(), threshold: t.api4xxRate, description: `API 4XX share above ${t.api4xxRate * 100} % (includes 429 throttling and WAF blocks): clients are misbehaving or being limited.` },
      { id: 'ApiLatencyP99', metric: api.metricLatencyP99(), threshold: t.apiLatencyP99Ms, description: `API p99 latency above ${t.apiLatencyP99Ms} ms, close to the ${props.limits.timeouts.integrationTimeoutMs} ms integration timeout.` },
      { id: 'IntegrationLatencyP99', metric: api.metricIntegrationLatencyP99(), threshold: t.integrationLatencyP99Ms, description: `Integration p99 latency above ${t.integrationLatencyP99Ms} ms: requests are about to time out (504).` },
      { id: 'ThrottledSpike', metric: api.metricThrottled(), threshold: t.throttledPerMinute, description: `More than ${t.throttledPerMinute} throttled (429) responses per minute.`, evaluationPeriods: 3, datapointsToAlarm: 2 },
      { id: 'WafBlocked', metric: api.metricWafBlocked(), threshold: t.wafBlockedPerMinute, description: `WAF blocked more than ${t.wafBlockedPerMinute} requests per minute (per-IP rate rule or oversize requests).`, evaluationPeriods: 3, datapointsToAlarm: 2 },
      { id: 'Backend5xx', metric: backend.metricInvocation5xxErrors(), threshold: t.backend5xxPerMinute, comparison: GE, description: `SageMaker Invocation5XXErrors >= ${t.backend5xxPerMinute} per minute.` },
      { id: 'ModelLatencyP99', metric: backend.metricModelLatencyP99(), threshold: t.modelLatencyP99Micros, description: `SageMaker ModelLatency p99 above ${t.modelLatencyP99Micros} us (1.5 x the profiled p99): the model is slower than measured.` },
      { id: 'CpuUtilization', metric: backend.metricCpuUtilization(), threshold: t.cpuUtilizationPercent * (vcpus ?? 1), description: `Endpoint CPU above ${t.cpuUtilizationPercent} % of ${vcpus ?? 1} vCPUs.` },
      { id: 'MemoryUtilization', metric: backend.metricMemoryUtilization(), threshold: t.memoryUtilizationPercent, description: `Endpoint memory above ${t.memoryUtilizationPercent} %: close to an out-of-memory restart.` },
      { id: 'GpuUtilization', metric: backend.metricGpuUtilization(), threshold: t.gpuUtilizationPercent * (gpus ?? 1), description: `Endpoint GPU above ${t.gpuUtilizationPercent} % of ${gpus ?? 1} GPUs.` },
      { id: 'GpuMemoryUtilization', metric: backend.metricGpuMemoryUtilization(), threshold: t.gpuMemoryUtilizationPercent * (gpus ?? 1), description: `Endpoint GPU memory above ${t.gpuMemoryUtilizationPercent} % of ${gpus ?? 1} GPUs.` },
      {
        id: 'InstancesAtMax', metric: backend.metricInstanceCount(), threshold: props.limits.scaling.maxInstances - 0.5, comparison: GE,
        description: `The endpoint has run at its scaling maximum (${props.limits.scaling.maxInstances} instances) for 10 minutes: the cost ceiling is reached and further load is only throttled.`,
        evaluationPeriods: 10, datapointsToAlarm: 10,
      },
    ];
    const action = new cwActions.SnsAction(props.topic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const s of specs) {
      const alarm = new cloudwatch.Alarm(this, s.id, {
        metric: s.metric,
        threshold: s.threshold,
        comparisonOperator: s.comparison ?? GT,
        evaluationPeriods: s.evaluationPeriods ?? 5,
        datapointsToAlarm: s.datapointsToAlarm ?? 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: s.description,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[s.id] = alarm;
    }
    this.alarms = alarms;

    const rule = (ids: string[]) => cloudwatch.AlarmRule.anyOf(...ids.map((i) => cloudwatch.AlarmRule.fromAlarm(alarms[i], cloudwatch.AlarmState.ALARM)));
    this.underAttack = new cloudwatch.CompositeAlarm(this, 'UnderAttack', {
      alarmRule: cloudwatch.AlarmRule.allOf(
        rule(['ThrottledSpike', 'WafBlocked']),
        rule(['InstancesAtMax', 'ApiLatencyP99', 'Backend5xx', 'Api5xxRate']),
      ),
      alarmDescription: 'Under attack: rate limits are rejecting traffic AND the backend is saturated (at its scaling maximum, slow, or failing).',
    });
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
        [w('API latency p99 (ms)', [api.metricLatencyP99(), api.metricIntegrationLatencyP99()], t.apiLatencyP99Ms), w('Model latency p99 (us)', [backend.metricModelLatencyP99()], t.modelLatencyP99Micros), w('Instances', [backend.metricInstanceCount()])],
        [w('CPU / memory', [backend.metricCpuUtilization(), backend.metricMemoryUtilization()]), w('GPU / GPU memory', [backend.metricGpuUtilization(), backend.metricGpuMemoryUtilization()]), w('Backend 5XX', [backend.metricInvocation5xxErrors()])],
      ],
    });
  }
}
