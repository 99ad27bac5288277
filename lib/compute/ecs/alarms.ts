import { Duration, aws_cloudwatch as cw, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GuardAlarmSpec } from '../../alarms/alarm-factory';
import { GuardAlarmDefinition, buildGuardAlarms, graph } from '../../alarms/guard-alarm-builder';
import { GuardAlarms, IAlarmSource } from '../../alarms/guard-alarms';
import { METRIC_CATALOG, catalogMetric } from '../../alarms/metric-catalog';
import { AlarmThresholds } from '../../profile';

/** The designed steady state of one ECS service: what its metrics read with no attack and nominal load. */
export interface EcsServiceSteadyState {
  /** Tasks running at nominal load. */
  readonly tasks: number;
  /** Average CPU of the tasks, percent. */
  readonly cpuPercent: number;
  /** Why the CPU reads `cpuPercent`. */
  readonly cpuBasis: string;
  /** Peak memory of a task, percent of its memory. */
  readonly memoryPercent: number;
  /** Why the memory reads `memoryPercent`. */
  readonly memoryBasis: string;
  /** GPU utilization of a task, percent. */
  readonly gpuPercent: number;
  /** p99 response time of the model server (s). */
  readonly responseTimeSeconds: number;
}

/** Props of `EcsServiceAlarms`. */
export interface EcsServiceAlarmsProps {
  /** The ECS service the alarms watch. */
  readonly service: ecs.BaseService;
  /** Its cluster (a metric dimension). */
  readonly cluster: ecs.ICluster;
  /** Thresholds in effect (derived, overrides applied). */
  readonly alarmThresholds: AlarmThresholds;
  /** Task floor; the "scaling at its max" alarm exists only when the service can scale. */
  readonly minTasks: number;
  /** Task ceiling; the "scaling at its max" alarm fires when the running tasks sit there. */
  readonly maxTasks: number;
  /** Model-server timeout (s); the target response time alarm fires at 80 % of it. */
  readonly modelServerTimeoutSeconds: number;
  /** What the metrics read in the designed steady state. */
  readonly steadyState: EcsServiceSteadyState;
  /** @default - no load balancer alarms */
  readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /** @default - no target alarms */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * GPU capacity provider (managed scaling, target capacity 100 %): adds the alarm on tasks
   * waiting for instances the group cannot add.
   * @default - Fargate: no capacity alarm
   */
  readonly capacityProvider?: ecs.AsgCapacityProvider;
  /** Namespace of the CloudWatch agent's NVIDIA metrics. @default - no GPU utilization alarm */
  readonly gpuMetricsNamespace?: string;
  /**
   * CPU and GPU utilization alarms. Off for queue workers, which run at full throughput whenever
   * they drain a backlog.
   * @default true
   */
  readonly utilizationAlarms?: boolean;
  /** Notified on ALARM and OK. @default - no actions */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Alarms of one ECS inference service, thresholds from the profile's limits: CPU and memory near
 * the limit (an OOM precursor), running tasks below desired, unhealthy targets, load balancer
 * 5XX, target response time against the server timeout, tasks waiting for GPU capacity, GPU
 * utilization (opt-in sidecar) and scaling at its max.
 */
export class EcsServiceAlarms extends Construct implements IAlarmSource {
  /** Every alarm (named by construct id), the ones that mean "saturated", and the dashboard widgets. */
  public readonly alarms: GuardAlarms;

  constructor(scope: Construct, id: string, props: EcsServiceAlarmsProps) {
    super(scope, id);
    const t = props.alarmThresholds;
    const rest = props.steadyState;
    const svcDims = { ClusterName: props.cluster.clusterName, ServiceName: props.service.serviceName };
    const definitions: GuardAlarmDefinition[] = [];
    // Saturated: at the task ceiling, failing, or about to time out.
    const SATURATION = ['ScalingAtMax', 'LoadBalancer5xx', 'TargetResponseTime'];
    const add = (alarmId: string, spec: GuardAlarmSpec) => { definitions.push({ id: alarmId, spec, saturation: SATURATION.includes(alarmId) }); };
    const none = (basis: string) => ({ value: 0, basis });

    const utilization = props.utilizationAlarms ?? true;
    if (utilization) add('CpuUtilization', {
      description: `Average CPU of the service above ${t.cpuUtilizationPercent} %: tasks are near their CPU limit and latency will grow.`,
      metric: catalogMetric(METRIC_CATALOG.ecsCpu, svcDims, { statistic: 'Average' }),
      threshold: t.cpuUtilizationPercent, unit: 'Percent', evaluationPeriods: 5, datapointsToAlarm: 4,
      atRest: { value: rest.cpuPercent, basis: rest.cpuBasis },
    });
    add('MemoryUtilization', {
      description: `Maximum memory of the service above ${t.memoryUtilizationPercent} % of the hard limit: the OOM killer is next.`,
      metric: catalogMetric(METRIC_CATALOG.ecsMemory, svcDims, { statistic: 'Maximum' }),
      threshold: t.memoryUtilizationPercent, unit: 'Percent', evaluationPeriods: 3, datapointsToAlarm: 2,
      atRest: { value: rest.memoryPercent, basis: rest.memoryBasis },
    });
    add('RunningBelowDesired', {
      description: 'Fewer tasks running than desired for 10 minutes: tasks crash, fail health checks or cannot be placed.',
      metric: new cw.MathExpression({
        expression: 'desired - running',
        usingMetrics: {
          desired: catalogMetric(METRIC_CATALOG.ecsDesiredTasks, svcDims, { statistic: 'Maximum' }),
          running: catalogMetric(METRIC_CATALOG.ecsRunningTasks, svcDims, { statistic: 'Minimum' }),
        },
        period: Duration.minutes(1), label: 'Missing tasks',
      }),
      threshold: 0, unit: 'Count', evaluationPeriods: 10,
      atRest: none('every desired task runs'),
    });
    if (props.maxTasks > props.minTasks) {
      // With min = max the service always runs at its ceiling: the alarm would never leave ALARM.
      add('ScalingAtMax', {
        description: `Running tasks at the ceiling (${props.maxTasks}) for 15 minutes: the cost cap is reached; either an attack or the ceiling is too low for real demand.`,
        metric: catalogMetric(METRIC_CATALOG.ecsRunningTasks, svcDims, { statistic: 'Minimum' }),
        threshold: props.maxTasks, unit: 'Count', evaluationPeriods: 15,
        comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        atRest: { value: rest.tasks, basis: 'nominal load runs on the minimum tasks' },
      });
    }
    if (props.targetGroup && props.loadBalancer) {
      const lbTgDims = { LoadBalancer: props.loadBalancer.loadBalancerFullName, TargetGroup: props.targetGroup.targetGroupFullName };
      add('UnhealthyTargets', {
        description: 'At least one target failed its health check for 3 minutes.',
        metric: catalogMetric(METRIC_CATALOG.albUnhealthyHosts, lbTgDims, { statistic: 'Maximum' }),
        threshold: 0, unit: 'Count', evaluationPeriods: 3,
        atRest: none('every task passes its health check'),
      });
      add('LoadBalancer5xx', {
        description: `More than ${t.backend5xxPerMinute} 5XX per minute from the load balancer or its targets.`,
        metric: new cw.MathExpression({
          expression: 'FILL(elb, 0) + FILL(target, 0)',
          usingMetrics: {
            elb: catalogMetric(METRIC_CATALOG.albElb5xx, { LoadBalancer: props.loadBalancer.loadBalancerFullName }, { statistic: 'Sum' }),
            target: catalogMetric(METRIC_CATALOG.albTarget5xx, lbTgDims, { statistic: 'Sum' }),
          },
          period: Duration.minutes(1), label: '5XX per minute',
        }),
        threshold: t.backend5xxPerMinute, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2,
        atRest: none('the profiled model answers every request'),
      });
      const responseTimeLimit = Math.round(props.modelServerTimeoutSeconds * 0.8 * 1000) / 1000;
      add('TargetResponseTime', {
        description: `p99 target response time above ${responseTimeLimit} s, 80 % of the model-server timeout (${props.modelServerTimeoutSeconds} s): requests are about to time out.`,
        metric: catalogMetric(METRIC_CATALOG.albTargetResponseTime, lbTgDims, { statistic: 'p99' }),
        threshold: responseTimeLimit, unit: 'Seconds', evaluationPeriods: 5, datapointsToAlarm: 3,
        atRest: { value: rest.responseTimeSeconds, basis: 'the profiled p99' },
      });
    }
    if (props.capacityProvider) {
      // GPUReservation is 100 % in steady state (one GPU per task, target capacity 100 %), so it
      // cannot tell trouble from health. CapacityProviderReservation = instances needed / instances
      // running: above 100 the tasks need instances the group does not have. Held there, the group
      // is at its maximum or cannot launch (quota, capacity, AMI).
      add('TasksWaitingForGpuCapacity', {
        description: 'Tasks have waited 15 minutes for GPU instances the capacity provider cannot add: the Auto Scaling group is at its maximum or launches fail (instance quota, Availability Zone capacity).',
        metric: catalogMetric(METRIC_CATALOG.ecsCapacityProviderReservation,
          { ClusterName: props.cluster.clusterName, CapacityProviderName: props.capacityProvider.capacityProviderName },
          { statistic: 'Minimum', period: Duration.minutes(5) }),
        threshold: 100, unit: 'Percent', evaluationPeriods: 3,
        atRest: { value: 100, basis: 'managed scaling holds the reservation at its target capacity (100 %)' },
      });
    }
    if (props.gpuMetricsNamespace && utilization) {
      const ns = props.gpuMetricsNamespace;
      add('GpuUtilization', {
        description: `Average GPU utilization above ${t.gpuUtilizationPercent} %: the GPU is the bottleneck.`,
        metric: catalogMetric(METRIC_CATALOG.gpuUtilization, {}, { namespace: ns, statistic: 'Average' }),
        threshold: t.gpuUtilizationPercent, unit: 'Percent', evaluationPeriods: 5, datapointsToAlarm: 4,
        atRest: { value: rest.gpuPercent, basis: 'at the scaling target a task runs at that share of its measured throughput' },
      });
      // No GPU memory alarm: TF Serving reserves --per_process_gpu_memory_fraction of the GPU at
      // start and can never use more, so the metric reads the fraction from the first minute.
    }
    const running = catalogMetric(METRIC_CATALOG.ecsRunningTasks, svcDims, { statistic: 'Minimum' });
    this.alarms = buildGuardAlarms(this, definitions, [
      graph('Running tasks', [running], props.maxTasks),
      graph('CPU / memory', [catalogMetric(METRIC_CATALOG.ecsCpu, svcDims, { statistic: 'Average' }), catalogMetric(METRIC_CATALOG.ecsMemory, svcDims, { statistic: 'Maximum' })]),
    ], props.alarmTopic);
  }
}
