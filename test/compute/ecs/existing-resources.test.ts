import { aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EcsCapacity, EcsInferenceService, ModelServer } from '../../../lib';
import { cpuProfile, newStack } from './fixtures';

test('custom model server on an existing VPC and cluster', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
  const svc = new EcsInferenceService(stack, 'Svc', {
    profile: cpuProfile(),
    cluster,
    capacity: EcsCapacity.fargate(),
    cpu: 2048,
    memoryLimitMiB: 3840,
    modelServer: ModelServer.custom({
      image: ecs.ContainerImage.fromRegistry('example/keras-server:1.2.3'),
      port: 8080,
      healthPath: '/ping',
      predictPath: '/invocations',
      environment: { KERAS_BACKEND: 'tensorflow' },
      containerHealthCheckCommand: ['CMD', '/bin/healthcheck'],
    }),
  });
  const t = Template.fromStack(stack);
  expect(svc.vpc).toBe(vpc);
  expect(svc.cluster).toBe(cluster);
  t.resourceCountIs('AWS::EC2::VPC', 1);
  t.resourceCountIs('AWS::ECS::Cluster', 1);
  t.hasResourceProperties('AWS::ECS::TaskDefinition', {
    Cpu: '2048',
    Memory: '4096',
    ContainerDefinitions: Match.arrayWith([Match.objectLike({
      Name: 'ModelServer',
      Image: 'example/keras-server:1.2.3',
      Environment: [{ Name: 'KERAS_BACKEND', Value: 'tensorflow' }],
      PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
      HealthCheck: Match.objectLike({ Command: ['CMD', '/bin/healthcheck'] }),
      Memory: 3840,
    })]),
  });
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/ping', Port: 8080 });
  expect(svc.serverConfig.predictPath).toBe('/invocations');
});

test('custom model server input is checked', () => {
  expect(() => ModelServer.custom({ image: ecs.ContainerImage.fromRegistry('x:1'), port: 70_000, healthPath: 'ping' }))
    .toThrow(/port = 70000[\s\S]*healthPath = "ping"/);
});
