import { Duration, aws_ecs as ecs, aws_sqs as sqs } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EcsCapacity, EcsQueueWorker, ModelServer, ModelSource } from '../../../lib';
import { cpuProfile, gpuProfile, newStack } from './fixtures';

const server = () => ModelServer.tensorflowServing({ version: '2.19.0', model: ModelSource.inImage('/opt/models/m') });

describe('GPU queue worker (one synthesis)', () => {
  const stack = newStack();
  const queue = new sqs.Queue(stack, 'Queue');
  const worker = new EcsQueueWorker(stack, 'Worker', {
    profile: gpuProfile(),
    modelServer: server(),
    capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
    queue,
    consumerImage: ecs.ContainerImage.fromRegistry('example/consumer:1'),
    acceptableLatency: Duration.minutes(2),
    maxTasks: 3,
  });
  const t = Template.fromStack(stack);

  test('backlog per task target = acceptable latency / time per message from the profile', () => {
    // 120 s / (1 / 20 req/s) = 2400 messages per task
    expect(worker.backlogPerTaskTarget).toBe(2400);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 2400,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({ Id: 'visible', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesVisible' }) }) }),
            Match.objectLike({ Id: 'backlogPerTask', Expression: 'visible / IF(running < 1, 1, running)', ReturnData: true }),
          ]),
        },
      }),
    });
  });

  test('max-tasks cap, scale to zero, and a start-from-zero step policy', () => {
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(running < 1, visible, 0)' })]),
      Threshold: 1,
    });
  });

  test('consumer: scale-in protection permission, queue consumption, arguments, counted in the task memory', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:ReceiveMessage']) }),
          Match.objectLike({ Action: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'] }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Memory: '15144',
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        Name: 'Consumer', Memory: 256, ReadonlyRootFilesystem: true,
        DependsOn: [{ ContainerName: 'ModelServer', Condition: 'HEALTHY' }],
        Command: Match.arrayWith(['--model-url', 'http://127.0.0.1:8501/v1/models/model:predict', '--concurrency', '4', '--protection-minutes', '1']),
      })]),
    });
    // server hard memory leaves room for the init container and the consumer
    expect(worker.sizing.serverMemoryLimitMiB).toBe(15144 - 256 - 256);
  });

  test('alarms without load balancer or utilization ones (a worker runs at full throughput by design)', () => {
    expect(worker.alarms.entries.filter((e) => !e.scaling).map((e) => e.name).sort()).toEqual(['MemoryUtilization', 'RunningBelowDesired', 'ScalingAtMax', 'TasksWaitingForGpuCapacity']);
    // The step policy that starts the first task alarms too; those alarms only drive scaling.
    expect(worker.alarms.entries.filter((e) => e.scaling).map((e) => e.name)).toEqual(['StartFromZero/UpperAlarm']);
  });
});

test('Fargate worker and validation of the latency budget', () => {
  const stack = newStack();
  const queue = new sqs.Queue(stack, 'Queue');
  const props = { profile: cpuProfile(), modelServer: server(), capacity: EcsCapacity.fargate(), queue, consumerImage: ecs.ContainerImage.fromRegistry('c:1') };
  const w = new EcsQueueWorker(stack, 'Ok', props);
  expect(w.backlogPerTaskTarget).toBe(15_000); // 300 s x 50 req/s
  expect(() => new EcsQueueWorker(stack, 'Bad', { ...props, acceptableLatency: Duration.seconds(1), timePerMessage: Duration.seconds(2) }))
    .toThrow(/acceptableLatency = "1 s": allowed >= the time per message \(2 s\)/);
  // model-server timeout 5 s: a worker may hold a message 10 s
  const shortQueue = new sqs.Queue(stack, 'Short', { visibilityTimeout: Duration.seconds(8) });
  expect(() => new EcsQueueWorker(stack, 'Dup', { ...props, queue: shortQueue }))
    .toThrow(/queue.visibilityTimeout = "8 s": allowed >= 2 x the model-server timeout \(10 s\)/);
});
