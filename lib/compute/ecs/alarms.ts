import {
  Duration, aws_cloudwatch as cw, aws_cloudwatch_actions as cwActions, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmThresholds } from '../../profile';

/** Props of `EcsServiceAlarms`. */
export interface EcsServiceAlarmsProps {
  readonly service: ecs.BaseService;
  readonly cluster: ecs.ICluster;
  readonly thresholds: AlarmThresholds;
  /** Task ceiling; the "scaling at its max" alarm fires when the running tasks sit there. */
  readonly maxTasks: number;
  /** Model-server timeout (s); the target response time alarm fires at 80 % of it. */
  readonly modelServerTimeoutSeconds: number;
  /** @default - no load balancer alarms */
  readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /** @default - no target alarms */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** True on GPU capacity: adds the GPUReservation alarm. */
  readonly gpu: boolean;
  /** Namespace of the CloudWatch agent's NVIDIA metrics. @default - no GPU utilization alarms */
  readonly gpuMetricsNamespace?: string;
  /** Notified on ALARM and OK. @default - no actions */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Alarms of one ECS inference service, thresholds from the profile's limits: CPU and memory near
 * the limit (an OOM precursor), running tasks below desired, unhealthy targets, load balancer
 * 5XX, target response time against the server timeout, GPU reservation, GPU utilization and
 * GPU memory (opt-in sidecar) and scaling at its max.
 */
export class EcsServiceAlarms extends Construct {
  /** Every alarm, by construct id. */
  public readonly alarms: Record<string, cw.Alarm> = {};

  constructor(scope: Construct, id: string, props: EcsServiceAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const period = Duration.minutes(1);
    const svcDims = { ClusterName: props.cluster.clusterName, ServiceName: props.service.serviceName };
    const insights = (metricName: string, statistic: string) => new cw.Metric({
      namespace: 'ECS/ContainerInsights', metricName, dimensionsMap: svcDims, statistic, period,
    });
    const add = (alarmId: string, alarm: cw.AlarmProps) => {
      const a = new cw.Alarm(this, alarmId, { treatMissingData: cw.TreatMissingData.NOT_BREACHING, ...alarm });
      if (props.alarmTopic) {
        a.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
        a.addOkAction(new cwActions.SnsAction(props.alarmTopic));
      }
      this.alarms[alarmId] = a;
      return a;
    };

    add('CpuUtilization', {
      alarmDescription: `Average CPU of the service above ${t.cpuUtilizationPercent} %: tasks are near their CPU limit and latency will grow.`,
      metric: props.service.metricCpuUtilization({ period, statistic: 'Average' }),
      threshold: t.cpuUtilizationPercent, evaluationPeriods: 5, datapointsToAlarm: 4,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    add('MemoryUtilization', {
      alarmDescription: `Maximum memory of the service above ${t.memoryUtilizationPercent} % of the hard limit: the OOM killer is next.`,
      metric: props.service.metricMemoryUtilization({ period, statistic: 'Maximum' }),
      threshold: t.memoryUtilizationPercent, evaluationPeriods: 3, datapointsToAlarm: 2,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    add('RunningBelowDesired', {
      alarmDescription: 'Fewer tasks running than desired for 10 minutes: tasks crash, fail health checks or cannot be placed.',
      metric: new cw.MathExpression({
        expression: 'desired - running',
        usingMetrics: { desired: insights('DesiredTaskCount', 'Maximum'), running: insights('RunningTaskCount', 'Minimum') },
        period, label: 'Missing tasks',
      }),
      threshold: 0, evaluationPeriods: 10, datapointsToAlarm: 10,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    add('ScalingAtMax', {
      alarmDescription: `Running tasks at the ceiling (${props.maxTasks}) for 15 minutes: the cost cap is reached; either an attack or the ceiling is too low for real demand.`,
      metric: insights('RunningTaskCount', 'Minimum'),
      threshold: props.maxTasks, evaluationPeriods: 15, datapointsToAlarm: 15,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    if (props.targetGroup && props.loadBalancer) {
      const tg = props.targetGroup;
      add('UnhealthyTargets', {
        alarmDescription: 'At least one target failed its health check for 3 minutes.',
        metric: tg.metrics.unhealthyHostCount({ period, statistic: 'Maximum' }),
        threshold: 0, evaluationPeriods: 3, datapointsToAlarm: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      add('LoadBalancer5xx', {
        alarmDescription: `More than ${t.backend5xxPerMinute} 5XX per minute from the load balancer or its targets.`,
        metric: new cw.MathExpression({
          expression: 'FILL(elb, 0) + FILL(target, 0)',
          usingMetrics: {
            elb: props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period, statistic: 'Sum' }),
            target: tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' }),
          },
          period, label: '5XX per minute',
        }),
        threshold: t.backend5xxPerMinute, evaluationPeriods: 3, datapointsToAlarm: 2,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      const responseTimeLimit = Math.round(props.modelServerTimeoutSeconds * 0.8 * 1000) / 1000;
      add('TargetResponseTime', {
        alarmDescription: `p99 target response time above ${responseTimeLimit} s, 80 % of the model-server timeout (${props.modelServerTimeoutSeconds} s): requests are about to time out.`,
        metric: tg.metrics.targetResponseTime({ period, statistic: 'p99' }),
        threshold: responseTimeLimit, evaluationPeriods: 5, datapointsToAlarm: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    if (props.gpu) {
      add('GpuReservation', {
        alarmDescription: 'Every GPU of the cluster reserved for 15 minutes: no room for another task until the capacity provider adds an instance (or it is at its maximum).',
        metric: new cw.Metric({
          namespace: 'AWS/ECS', metricName: 'GPUReservation', dimensionsMap: { ClusterName: props.cluster.clusterName },
          statistic: 'Minimum', period: Duration.minutes(5),
        }),
        threshold: 100, evaluationPeriods: 3, datapointsToAlarm: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    if (props.gpuMetricsNamespace) {
      const ns = props.gpuMetricsNamespace;
      add('GpuUtilization', {
        alarmDescription: `Average GPU utilization above ${t.gpuUtilizationPercent} %: the GPU is the bottleneck.`,
        metric: new cw.Metric({ namespace: ns, metricName: 'nvidia_smi_utilization_gpu', statistic: 'Average', period }),
        threshold: t.gpuUtilizationPercent, evaluationPeriods: 5, datapointsToAlarm: 4,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      add('GpuMemory', {
        alarmDescription: `GPU memory above ${t.gpuMemoryUtilizationPercent} % (1.2 x the profile's peak share): a larger batch or a leak is close to an out-of-memory error.`,
        metric: new cw.MathExpression({
          expression: '100 * used / total',
          usingMetrics: {
            used: new cw.Metric({ namespace: ns, metricName: 'nvidia_smi_memory_used', statistic: 'Maximum', period }),
            total: new cw.Metric({ namespace: ns, metricName: 'nvidia_smi_memory_total', statistic: 'Maximum', period }),
          },
          period, label: 'GPU memory %',
        }),
        threshold: t.gpuMemoryUtilizationPercent, evaluationPeriods: 3, datapointsToAlarm: 2,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
  }
}
