import {
  ArnFormat, Duration, Names, Stack, Validations, aws_applicationautoscaling as appscaling, aws_cloudwatch as cw,
  aws_ecs as ecs, aws_iam as iam, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProblemCollector, SQS_DEFAULT_VISIBILITY_TIMEOUT_S } from '../../core';
import { describeAlarm } from '../../alarms/alarm-factory';
import { floorInt } from '../../core/rounding';
import { METRIC_CATALOG, catalogMetric } from '../../alarms/metric-catalog';
import { GuardAlarmEntry, GuardAlarms, IAlarmSource } from '../../alarms/guard-alarms';
import { nagResourceText } from '../../core/nag-text';
import { EcsInferenceTaskBase, EcsInferenceTaskProps } from './inference-task-base';

/** Props of `EcsQueueWorker`. */
export interface EcsQueueWorkerProps extends EcsInferenceTaskProps {
  /** The queue the workers consume (the shared InferenceQueue's queue). */
  readonly queue: sqs.IQueue;
  /**
   * Image of the consumer container. It receives messages, calls the model server on
   * `http://127.0.0.1:<port><predictPath>`, and protects its task from scale-in while a message is
   * in flight (PUT `$ECS_AGENT_URI/task-protection/v1/state`). Its arguments:
   * `--queue-url URL --model-url URL --concurrency N --protection-minutes N --visibility-timeout-seconds N`.
   */
  readonly consumerImage: ecs.ContainerImage;
  /**
   * Longest a message may wait in the backlog before a task starts on it.
   * @default Duration.minutes(5)
   */
  readonly acceptableLatency?: Duration;
  /**
   * Seconds one task spends per message.
   * @default - 1 / profile.throughputPerInstanceRps (a task works on sustainableConcurrency messages at once)
   */
  readonly timePerMessage?: Duration;
  /**
   * Hard memory of the consumer container (MiB).
   * @default 256
   */
  readonly consumerMemoryLimitMiB?: number;
}

/**
 * A queue-driven ECS worker service: each task runs the model server and a consumer. Tasks scale
 * on the backlog per task (visible messages / running tasks), with target =
 * acceptable latency / time per message from the profile, between `minTasks` (default 0) and the
 * `maxTasks` cap; a step policy starts the first task when messages arrive while none runs. The
 * consumer sets ECS task scale-in protection while it works on a message.
 */
export class EcsQueueWorker extends EcsInferenceTaskBase implements IAlarmSource {
  public readonly service: ecs.BaseService;
  public readonly queue: sqs.IQueue;
  public readonly consumerContainer: ecs.ContainerDefinition;
  public readonly scalableTarget: appscaling.ScalableTarget;
  public readonly backlogPolicy: appscaling.CfnScalingPolicy;
  /**
   * Memory, running tasks, GPU capacity and scaling at the maximum (under `Alarms/`), and the
   * scaling alarm of the step policy that starts the first task (`StartFromZero/UpperAlarm`).
   */
  public readonly alarms: GuardAlarms;
  /** Target backlog per task (messages). */
  public readonly backlogPerTaskTarget: number;

  constructor(scope: Construct, id: string, props: EcsQueueWorkerProps) {
    super(scope, id, props, { defaultMinTasks: 0, extraContainers: [{ name: 'Consumer', memoryLimitMiB: props.consumerMemoryLimitMiB ?? 256 }] });
    this.queue = props.queue;
    const latencyS = (props.acceptableLatency ?? Duration.minutes(5)).toSeconds();
    const perMessageS = props.timePerMessage?.toSeconds() ?? 1 / this.profile.throughputPerInstanceRps;
    const consumerMiB = props.consumerMemoryLimitMiB ?? 256;
    const msTimeout = this.limits.timeouts.modelServerTimeoutSeconds;
    const c = new ProblemCollector('ECS_WORKER_INVALID', this.node.path);
    c.numberInRange('acceptableLatency', latencyS, 1, 86_400);
    c.require(perMessageS > 0, 'timePerMessage', perMessageS, '> 0 s', 'set a positive time per message');
    c.require(latencyS >= perMessageS, 'acceptableLatency', `${latencyS} s`, `>= the time per message (${perMessageS} s)`, 'raise acceptableLatency: a message cannot finish faster than it is processed');
    c.intInRange('consumerMemoryLimitMiB', consumerMiB, 64, 4_096);
    // A message that becomes visible again while a task still works on it is processed twice:
    // duplicate GPU work, which an attacker can multiply. Checked when the queue is defined here.
    const cfnQueue = (props.queue as sqs.Queue).node.defaultChild;
    if (cfnQueue instanceof sqs.CfnQueue) {
      const visibility = cfnQueue.visibilityTimeout ?? SQS_DEFAULT_VISIBILITY_TIMEOUT_S;
      c.require(visibility >= msTimeout * 2, 'queue.visibilityTimeout', `${visibility} s`,
        `>= 2 x the model-server timeout (${msTimeout * 2} s), the longest a worker holds a message`,
        'raise the queue visibility timeout so a message in flight is not delivered to a second worker');
    }
    c.throwIfAny();
    this.backlogPerTaskTarget = Math.max(1, floorInt(latencyS / perMessageS));

    // The base counted the consumer's memory into the task size.
    const consumer = this.taskDefinition.addContainer('Consumer', {
      image: props.consumerImage,
      essential: true,
      command: [
        '--queue-url', this.queue.queueUrl,
        '--model-url', `http://127.0.0.1:${this.serverConfig.port}${this.serverConfig.predictPath}`,
        '--concurrency', String(this.profile.sustainableConcurrency),
        // Protection outlives the slowest message the server will still answer, then lapses by itself.
        '--protection-minutes', String(Math.max(1, Math.ceil((msTimeout * 2) / 60))),
        '--visibility-timeout-seconds', String(msTimeout * 2),
      ],
      memoryLimitMiB: consumerMiB,
      memoryReservationMiB: Math.min(consumerMiB, 128),
      readonlyRootFilesystem: true,
      user: '1000:1000',
      privileged: false,
      stopTimeout: Duration.seconds(this.sizing.stopTimeoutSeconds),
      linuxParameters: new ecs.LinuxParameters(this, 'ConsumerLinuxParameters', { initProcessEnabled: true }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'consumer' }),
    });
    // Read-only root filesystem: the consumer writes only to the task's scratch volume.
    consumer.addMountPoints({ sourceVolume: 'Scratch', containerPath: '/tmp', readOnly: false });
    // HEALTHY needs a container health check; a custom server without one can only be awaited to START.
    consumer.addContainerDependencies({
      container: this.serverContainer,
      condition: this.serverConfig.containerHealthCheck ? ecs.ContainerDependencyCondition.HEALTHY : ecs.ContainerDependencyCondition.START,
    });
    this.consumerContainer = consumer;
    this.queue.grantConsumeMessages(this.taskDefinition.taskRole);

    const stack = Stack.of(this);
    const taskArns = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
      resources: [taskArns],
    }));
    Validations.of(this.taskDefinition).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, taskArns)}]`,
      reason: 'task scale-in protection: the consumer protects its own task, whose id is only known at run time; limited to tasks of this cluster',
    });

    this.service = this.createService();

    // ---- scaling on backlog per task --------------------------------------------------------
    this.scalableTarget = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      resourceId: `service/${this.cluster.clusterName}/${this.service.serviceName}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: this.minTasks,
      maxCapacity: this.maxTasks,
      // The ECS service-linked role, as ecs.BaseService.autoScaleTaskCount uses: no extra role to govern.
      role: iam.Role.fromRoleArn(this, 'ScalingRole', stack.formatArn({
        service: 'iam', region: '', resource: 'role',
        resourceName: 'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      })),
    });
    const queueName = this.queue.queueName;
    const svcDims = [{ name: 'ClusterName', value: this.cluster.clusterName }, { name: 'ServiceName', value: this.service.serviceName }];
    // Target tracking on metric math (the L2 policy takes a single metric only).
    this.backlogPolicy = new appscaling.CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: `${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-backlog-per-task`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: this.scalableTarget.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: this.backlogPerTaskTarget,
        scaleOutCooldown: this.limits.scaling.scaleOutCooldownSeconds,
        scaleInCooldown: this.limits.scaling.scaleInCooldownSeconds,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'visible', returnData: false,
              metricStat: { metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: queueName }] }, stat: 'Average' },
            },
            {
              id: 'running', returnData: false,
              metricStat: { metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: svcDims }, stat: 'Average' },
            },
            // With no task running the denominator is 1, so the backlog still reads as a backlog.
            { id: 'backlogPerTask', expression: 'visible / IF(running < 1, 1, running)', label: 'Backlog per task', returnData: true },
          ],
        },
      },
    });
    // Target tracking multiplies the current count, so from zero tasks it never scales out: start
    // the first task when messages wait and nothing runs (the copilot worker-service pitfall).
    const startMetric = new cw.MathExpression({
      expression: 'IF(running < 1, visible, 0)',
      usingMetrics: {
        visible: catalogMetric(METRIC_CATALOG.sqsVisible, { QueueName: queueName }, { statistic: 'Maximum' }),
        running: catalogMetric(METRIC_CATALOG.ecsRunningTasks, { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName }, { statistic: 'Maximum' }),
      },
      period: Duration.minutes(1),
    });
    const startFromZero = this.scalableTarget.scaleOnMetric('StartFromZero', {
      metric: startMetric,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [{ upper: 0, change: 0 }, { lower: 1, change: 1 }],
      evaluationPeriods: 1,
      cooldown: Duration.seconds(this.limits.scaling.scaleOutCooldownSeconds),
    });
    const scalingAlarms: GuardAlarmEntry[] = [];
    for (const alarm of [startFromZero.lowerAlarm, startFromZero.upperAlarm]) {
      if (!alarm) continue;
      describeAlarm(alarm, 'Count', { value: 0, basis: 'a task runs whenever messages wait' });
      scalingAlarms.push({ name: `StartFromZero/${alarm.node.id}`, alarm, scaling: true });
    }

    const watched = this.createAlarms(this.service, props, {
      load: 1,
      loadBasis: 'a worker drains its backlog at its full measured throughput',
      saturatedByDesign: true,
    }).alarms;
    this.alarms = GuardAlarms.merge([watched, new GuardAlarms({ entries: scalingAlarms })]);
  }
}
