import { Duration, Size, aws_apigateway as apigw, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  EcsCapacity, EcsInferenceService, EcsInferenceServiceProps, ModelServer, ModelSource,
} from '../../../lib';
import { deriveLimits } from '../../../lib/profile';
import { cpuProfile, gpuProfile, newStack } from './fixtures';
import { nagFindings } from '../../queue/nag-util';
import { errorOf } from '../../support/errors';

function tfServing() {
  return ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'resnet50', model: ModelSource.inImage('/opt/models/resnet50') });
}

function gpuProps(overrides: Partial<EcsInferenceServiceProps> = {}): EcsInferenceServiceProps {
  return {
    profile: gpuProfile(),
    modelServer: tfServing(),
    capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
    maxTasks: 5,
    ...overrides,
  };
}

describe('GPU service (one synthesis)', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Topic');
  const bucket = s3.Bucket.fromBucketName(stack, 'Models', 'models');
  const service = new EcsInferenceService(stack, 'Svc', gpuProps({
    modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'resnet50', model: ModelSource.fromBucket(bucket, 'resnet/') }),
    gpuMetrics: true,
    alarmTopic: topic,
    alarmThresholds: { cpuUtilizationPercent: 65 },
  }));
  const api = new apigw.RestApi(stack, 'Api');
  const binding = service.bindSync(stack, { integrationTimeout: Duration.seconds(6), contentType: 'application/json' });
  api.root.addMethod('POST', binding.integration, { methodResponses: binding.methodResponses });
  const t = Template.fromStack(stack);

  test('task definition: task CPU/memory, hard memory + reservation on every container, GPU, container settings', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '3840',
      Memory: '15144',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['EC2'],
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'ModelServer',
          Image: { 'Fn::Join': ['', Match.arrayWith(['/docker-hub/tensorflow/serving:2.19.0-gpu'])] },
          Memory: 14632,
          MemoryReservation: 7200,
          ResourceRequirements: [{ Type: 'GPU', Value: '1' }],
          Ulimits: [{ Name: 'nofile', SoftLimit: 65535, HardLimit: 65535 }],
          LinuxParameters: Match.objectLike({ InitProcessEnabled: true, SharedMemorySize: 512 }),
          StopTimeout: 10,
          ReadonlyRootFilesystem: true,
          User: '1000:1000',
          HealthCheck: Match.objectLike({ Command: ['CMD-SHELL', Match.stringLikeRegexp('/v1/models/resnet50')] }),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          DependsOn: [{ ContainerName: 'Prepare', Condition: 'SUCCESS' }],
        }),
        Match.objectLike({ Name: 'Prepare', Essential: false, Memory: 256, MemoryReservation: 128, ReadonlyRootFilesystem: true }),
        Match.objectLike({ Name: 'GpuMetrics', Essential: false, Memory: 256, MemoryReservation: 128, Secrets: [Match.objectLike({ Name: 'CW_CONFIG_CONTENT' })] }),
      ]),
    });
    const defs = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions as Array<Record<string, unknown>>;
    for (const d of defs) expect(typeof d.Memory).toBe('number');
  });

  test('TF Serving command carries the derived flags and the batching file', () => {
    const server = service.serverConfig;
    expect(server.flags).toContain('--rest_api_timeout_in_ms=5000');
    expect(server.flags).toContain('--per_process_gpu_memory_fraction=0.44');
    expect(server.command![1]).toBe('max_batch_size { value: 8 }\nbatch_timeout_micros { value: 1000 }\nmax_enqueued_batches { value: 6 }\nnum_batch_threads { value: 3 }\n');
    expect(server.command![0]).toMatch(/^printf '%s' "\$0" > '\/tmp\/batching_parameters.txt' && exec \/usr\/bin\/tensorflow_model_server /);
  });

  test('model copied from S3 by the init container with read on the prefix only', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:GetObject', Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':s3:::models/resnet/*'])] }) }),
          Match.objectLike({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['resnet/*', 'resnet'] } } }),
        ]),
      },
    });
  });

  test('GPU capacity provider: GPU AMI, IMDSv2, encrypted EBS, managed scaling and termination protection', () => {
    t.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({
        ManagedScaling: Match.objectLike({ Status: 'ENABLED', TargetCapacity: 100 }),
        ManagedTerminationProtection: 'ENABLED',
      }),
    });
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 'g5.xlarge',
        ImageId: { Ref: Match.stringLikeRegexp('amazonlinux2023gpu') },
        MetadataOptions: Match.objectLike({ HttpTokens: 'required' }),
        BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3', VolumeSize: 100 }) })],
      }),
    });
    // 5 tasks, one per g5.xlarge, plus one for rolling deployments.
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', MaxSize: '6' });
    t.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('internal ALB with idle timeout above the integration timeout; target group health check and drain', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '60' }]),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      HealthCheckPath: '/v1/models/resnet50',
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
    });
    expect(service.capabilities.loadBalancerIdleTimeoutMs).toBe(60_000);
  });

  test('nothing public: ingress only from the VPC link to the ALB, and from the ALB to the tasks', () => {
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress.length).toBeGreaterThan(0);
    for (const rule of ingress) expect(rule.SourceSecurityGroupId).toBeDefined();
    for (const sg of Object.values(t.findResources('AWS::EC2::SecurityGroup'))) {
      for (const rule of (sg.Properties.SecurityGroupIngress ?? []) as Array<Record<string, unknown>>) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
    }
  });

  test('scaling: min/max caps, request count per target from the profile, CPU second; circuit breaker', () => {
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 5 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 840, // floor(20 req/s x 60 x 0.7)
      }),
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 70,
      }),
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      CapacityProviderStrategy: [Match.objectLike({ Weight: 1 })],
    });
  });

  test('alarms: CPU, memory, running < desired, unhealthy, 5XX, response time, tasks waiting for GPU capacity, GPU sidecar, at max', () => {
    expect([...service.alarms.names].sort()).toEqual([
      'CpuUtilization', 'GpuUtilization', 'LoadBalancer5xx', 'MemoryUtilization',
      'RunningBelowDesired', 'ScalingAtMax', 'TargetResponseTime', 'TasksWaitingForGpuCapacity', 'UnhealthyTargets',
    ]);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'MemoryUtilization', Threshold: 85, AlarmActions: [{ Ref: Match.anyValue() }], OKActions: [{ Ref: Match.anyValue() }] });
    // a user override wins over the derived threshold
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 65 });
    // GPUReservation sits at 100 % in steady state; tasks waiting for instances read > 100 % here.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CapacityProviderReservation', Namespace: 'AWS/ECS/ManagedScaling', Threshold: 100, ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'CapacityProviderName' }), Match.objectLike({ Name: 'ClusterName' })]),
    });
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).not.toContain('GPUReservation');
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RunningTaskCount', Threshold: 5 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Threshold: 4 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'desired - running' })]),
    });
  });

  test('the integration is the documented VPC link v2 shape: HTTP proxy to the ALB', () => {
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        Type: 'HTTP_PROXY',
        ConnectionType: 'VPC_LINK',
        TimeoutInMillis: 6000,
        IntegrationTarget: { Ref: Match.stringLikeRegexp('SvcLoadBalancer') },
        IntegrationResponses: Match.absent(),
      }),
    });
    expect(binding.methodResponses).toEqual([]);
  });
});

describe('validation', () => {
  test('gpuCount greater than the GPUs of the instance type', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ gpuCount: 2 })));
    expect(e.problems).toEqual(expect.arrayContaining([expect.objectContaining({ prop: 'gpuCount', value: '2', allowed: '<= the 1 GPU(s) of g5.xlarge' })]));
  });

  test('hard memory above what the instance can give', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ memoryLimitMiB: 16_000 })));
    expect(e.message).toMatch(/taskMemoryMiB = 16256: allowed <= 15144 MiB \(16384 MiB of g5.xlarge minus 6 % .* 256 MiB reserved for the ECS agent\)/);
  });

  test('task CPU above the instance vCPUs, reservation above the limit, limit below the profile peak: all at once', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ cpu: 4096, memoryLimitMiB: 5_000, memoryReservationMiB: 5_500 })));
    expect(e.problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['cpu', 'containers.ModelServer.memoryReservationMiB', 'memoryLimitMiB']));
  });

  test('an idle timeout <= the integration timeout', () => {
    const limits = deriveLimits(gpuProfile(), { maxInstances: 5 });
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ limits, loadBalancerIdleTimeout: Duration.seconds(6) })));
    expect(limits.timeouts.integrationTimeoutMs).toBe(6000);
    expect(e.problems).toEqual(expect.arrayContaining([expect.objectContaining({
      prop: 'integrationTimeout -> loadBalancer.idleTimeout', value: 'integration 6000 ms >= load balancer idle 6000 ms',
    })]));
  });

  test('a task ceiling below the fleet the API throttle was derived from', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ limits: deriveLimits(gpuProfile(), { maxInstances: 6 }), maxTasks: 3 })));
    expect(e.problems).toEqual([expect.objectContaining({ prop: 'maxTasks', value: '3' })]);
  });

  test('a task ceiling above the fleet the limits were derived for: one source for the instance ceiling', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ limits: deriveLimits(gpuProfile(), { maxInstances: 2 }), maxTasks: 10 })));
    expect(e.problems).toEqual([expect.objectContaining({ prop: 'maxTasks', value: '10', allowed: expect.stringContaining('limits.scaling.maxInstances (2)') })]);
  });

  test('a GPU profile on Fargate is refused', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', {
      profile: gpuProfile(), modelServer: ModelServer.tensorflowServing({ version: '2.19.0', model: ModelSource.inImage('/models/m') }),
      capacity: EcsCapacity.fargate(), maxTasks: 2,
    }));
    expect(e.problems).toEqual(expect.arrayContaining([expect.objectContaining({ prop: 'profile.hardware', value: '"g5.xlarge"' })]));
  });

  test('bindSync refuses an integration timeout that reaches the ALB idle timeout', () => {
    const stack = newStack();
    const svc = new EcsInferenceService(stack, 'Svc', gpuProps({ loadBalancerIdleTimeout: Duration.seconds(10) }));
    expect(() => svc.bindSync(stack, { integrationTimeout: Duration.seconds(10), contentType: 'application/json' }))
      .toThrow(/integration 10000 ms >= load balancer idle 10000 ms/);
  });

  test('unknown GPU instance type names the table', () => {
    expect(() => EcsCapacity.gpuInstances({ instanceType: 'm5.xlarge' })).toThrow(/instanceType = "m5.xlarge": allowed a GPU instance type from the table/);
  });

  test('profile measured on other hardware', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', gpuProps({ capacity: EcsCapacity.gpuInstances({ instanceType: 'g6.xlarge' }) })));
    expect(e.problems.map((p) => p.prop)).toContain('profile.hardware');
  });

  test('an invalid Fargate combination', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', {
      profile: cpuProfile(), modelServer: tfServing(), capacity: EcsCapacity.fargate(), cpu: 8192, taskMemoryMiB: 18_432,
    }));
    expect(e.problems).toEqual(expect.arrayContaining([expect.objectContaining({
      prop: 'taskMemoryMiB', value: '18432', allowed: '16384..61440 MiB in 4096 MiB steps with 8192 CPU units',
    })]));
  });

  test('a Fargate CPU size that does not exist, and a server limit above the task memory', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', {
      profile: cpuProfile(), modelServer: tfServing(), capacity: EcsCapacity.fargate(), cpu: 3072, taskMemoryMiB: 8192, memoryLimitMiB: 8192,
    }));
    expect(e.problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['cpu', 'memoryLimitMiB']));
  });

  test('a Fargate server limit alone rounds the task up to the next valid size', () => {
    const svc = new EcsInferenceService(newStack(), 'Svc', { profile: cpuProfile(), modelServer: tfServing(), capacity: EcsCapacity.fargate(), cpu: 2048, memoryLimitMiB: 5000 });
    expect(svc.sizing).toEqual(expect.objectContaining({ cpu: 2048, taskMemoryMiB: 6144, serverMemoryLimitMiB: 5000 }));
  });

  test('GPU or shared memory asked for on Fargate', () => {
    const e = errorOf(() => new EcsInferenceService(newStack(), 'Svc', {
      profile: cpuProfile(), modelServer: tfServing(), capacity: EcsCapacity.fargate(), gpuCount: 1, sharedMemorySize: Size.mebibytes(256),
    }));
    expect(e.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ prop: 'gpuCount', allowed: '0 on Fargate (Fargate has no GPUs)' }),
      expect.objectContaining({ prop: 'sharedMemorySize', allowed: expect.stringMatching(/not supported/) }),
    ]));
  });
});

describe('Fargate service', () => {
  const stack = newStack();
  const svc = new EcsInferenceService(stack, 'Svc', { profile: cpuProfile(), modelServer: tfServing(), capacity: EcsCapacity.fargate() });
  const t = Template.fromStack(stack);

  test('picks the smallest valid size and a CPU image, no GPU, no shm', () => {
    // max(2 x 1500, 1500 + 1024) = 3000 MiB server + 256 MiB init container -> 1 vCPU / 4 GiB
    expect(svc.sizing).toEqual(expect.objectContaining({ cpu: 1024, taskMemoryMiB: 4096, gpuCount: 0, sharedMemoryMiB: undefined }));
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024', Memory: '4096', RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        Name: 'ModelServer', Image: { 'Fn::Join': ['', Match.arrayWith(['/docker-hub/tensorflow/serving:2.19.0'])] }, ResourceRequirements: Match.absent(),
        LinuxParameters: Match.objectLike({ InitProcessEnabled: true, SharedMemorySize: Match.absent() }),
      })]),
    });
    t.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'FARGATE', PlatformVersion: 'LATEST' });
    t.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    expect(svc.alarms.tryGet('TasksWaitingForGpuCapacity')).toBeUndefined();
  });
});

test('a GPU service without an alarm topic still notifies launch failures (AwsSolutions-AS3)', () => {
  const stack = newStack();
  const svc = new EcsInferenceService(stack, 'Svc', {
    profile: gpuProfile(), modelServer: ModelServer.tensorflowServing({ version: '2.19.0', model: ModelSource.inImage('/models/m') }),
    capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }), maxTasks: 3,
  });
  expect(nagFindings(stack).filter((f) => /AS3|SNS/.test(f))).toEqual([]);
  Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
    NotificationConfigurations: [Match.objectLike({ TopicARN: { Ref: Match.stringLikeRegexp('CapacityNotifications') } })],
  });
  expect(svc.gpuCapacity?.notificationTopic).toBeDefined();
});

test('TF Serving comes through the account\'s ECR pull-through cache, never anonymously from Docker Hub', () => {
  const stack = newStack();
  new EcsInferenceService(stack, 'Svc', {
    profile: gpuProfile(), modelServer: ModelServer.tensorflowServing({ version: '2.19.0', model: ModelSource.inImage('/models/m') }),
    capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }), maxTasks: 3,
  });
  const t = Template.fromStack(stack);
  const images = JSON.stringify(Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions.map((c: { Image: unknown }) => c.Image));
  expect(images).not.toContain('"tensorflow/serving');
  expect(images).toContain('.dkr.ecr.');
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: Match.arrayWith(['ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage']),
      Resource: { 'Fn::Join': ['', Match.arrayWith([':repository/docker-hub/tensorflow/serving'])] },
    })]) },
  });
  expect(() => ModelServer.tensorflowServing({ version: '2.19.0', model: ModelSource.inImage('/m'), pullThroughCachePrefix: 'Docker Hub' })).toThrow(/pullThroughCachePrefix/);
});
