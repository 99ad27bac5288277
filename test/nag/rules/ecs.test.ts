import { ALBAccessLogging, ECSContainerLimits, ECSGPUCount, ECSServiceScaling } from '../../../lib/nag/rules';
import { check, expectCompliant, expectFindings, expectNotApplicable, ref, Resources } from '../support';

const task = (containers: Array<Record<string, unknown>>, props: Record<string, unknown> = {}): Resources => ({
  Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: containers, ...props } },
});

describe('InferenceGuard-ECSContainerLimits', () => {
  test('compliant: hard memory on every container, task-level cpu; or cpu on every container', () => {
    expectCompliant(check(ECSContainerLimits, task([{ Name: 'a', Memory: 1024 }, { Name: 'b', Memory: 128, MemoryReservation: 64 }], { Cpu: '1024' }), 'Task'));
    expectCompliant(check(ECSContainerLimits, task([{ Name: 'a', Memory: 1024, Cpu: 512 }]), 'Task'));
  });
  test('compliant: a Fargate task whose task-level Memory bounds containers without their own', () => {
    expectCompliant(check(ECSContainerLimits, task([{ Name: 'model' }, { Name: 'sidecar', MemoryReservation: 64 }], { Cpu: '1024', Memory: '4096', RequiresCompatibilities: ['FARGATE'] }), 'Task'));
  });
  test('non-compliant: only a soft reservation; no cpu anywhere', () => {
    expectFindings(check(ECSContainerLimits, task([{ Name: 'model', MemoryReservation: 2048 }], { Cpu: '1024' }), 'Task'), /container "model" Memory = absent \(only a soft MemoryReservation of 2048 MiB\)/);
    expectFindings(check(ECSContainerLimits, task([{ Name: 'a', Memory: 512 }, { Name: 'b', Memory: 512, Cpu: 256 }]), 'Task'), /Cpu = absent \(and no Cpu on container "a"\)/);
  });
});

describe('InferenceGuard-ECSGPUCount', () => {
  const capacity = (instanceType: string): Resources => ({
    Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: instanceType } } },
    Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1', MaxSize: '2', LaunchTemplate: { LaunchTemplateId: ref('Lt'), Version: '1' } } },
    Cp: { Type: 'AWS::ECS::CapacityProvider', Properties: { AutoScalingGroupProvider: { AutoScalingGroupArn: ref('Asg') } } },
    Cluster: { Type: 'AWS::ECS::Cluster' },
    Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: ref('Cluster'), TaskDefinition: ref('Task'), CapacityProviderStrategy: [{ CapacityProvider: ref('Cp'), Weight: 1 }] } },
  });
  const gpu = { Name: 'model', Memory: 8192, ResourceRequirements: [{ Type: 'GPU', Value: '1' }] };
  test('compliant: GPU capacity provider and a GPU count; placement constraint and a GPU count', () => {
    expectCompliant(check(ECSGPUCount, { ...capacity('g5.xlarge'), ...task([gpu]) }, 'Task'));
    expectCompliant(check(ECSGPUCount, task([gpu], { PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ g5.*' }] }), 'Task'));
  });
  test('non-compliant: on g4dn capacity (via the cluster default strategy) without a GPU count; by placement constraint', () => {
    const r = capacity('g4dn.xlarge');
    (r.Svc.Properties as Record<string, unknown>).CapacityProviderStrategy = undefined;
    r.Assoc = { Type: 'AWS::ECS::ClusterCapacityProviderAssociations', Properties: { Cluster: ref('Cluster'), CapacityProviders: [ref('Cp')], DefaultCapacityProviderStrategy: [{ CapacityProvider: ref('Cp') }] } };
    expectFindings(check(ECSGPUCount, { ...r, ...task([{ Name: 'model', Memory: 8192 }]) }, 'Task'), /GPU = absent: allowed a GPU count, because the task runs on GPU capacity: service Svc capacity provider Cp -> Auto Scaling group Asg \(g4dn.xlarge\)/);
    expectFindings(check(ECSGPUCount, task([{ Name: 'model', Memory: 8192 }], { PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.instance-type == p4d.24xlarge' }] }), 'Task'), /placement constraint/);
  });
  test('not applicable: CPU capacity', () => {
    expectNotApplicable(check(ECSGPUCount, { ...capacity('c6i.xlarge'), ...task([{ Name: 'model', Memory: 8192 }]) }, 'Task'));
  });
});

describe('InferenceGuard-ECSServiceScaling and ALBAccessLogging (an ECS service behind an internet-facing ALB)', () => {
  const behindAlb = (scheme: string, extra: Resources = {}, lbAttributes?: unknown[]): Resources => ({
    Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: scheme, ...(lbAttributes ? { LoadBalancerAttributes: lbAttributes } : {}) } },
    Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP' } },
    Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }] } },
    Svc: { Type: 'AWS::ECS::Service', Properties: { DesiredCount: 2, LoadBalancers: [{ ContainerName: 'model', ContainerPort: 80, TargetGroupArn: { Ref: 'Tg' } }] } },
    ...extra,
  });
  const target = (max?: number): Resources => ({ Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, ...(max !== undefined ? { MaxCapacity: max } : {}), ResourceId: { 'Fn::Join': ['/', ['service', 'c', { 'Fn::GetAtt': ['Svc', 'Name'] }]] } } } });
  test('non-compliant: no scalable target, or one without MaxCapacity', () => {
    expectFindings(check(ECSServiceScaling, behindAlb('internet-facing'), 'Svc'), /ECS service Svc \(behind Lb\) autoscaling = absent/);
    expectFindings(check(ECSServiceScaling, behindAlb('internet-facing', target()), 'Svc'), /scalable target Target MaxCapacity = absent/);
  });
  test('compliant: a scalable target with a maximum; not applicable behind an internal ALB or none', () => {
    expectCompliant(check(ECSServiceScaling, behindAlb('internet-facing', target(8)), 'Svc'));
    expectNotApplicable(check(ECSServiceScaling, behindAlb('internal'), 'Svc'));
    expectNotApplicable(check(ECSServiceScaling, { Svc: { Type: 'AWS::ECS::Service', Properties: { DesiredCount: 1 } } }, 'Svc'));
  });
  test('ALB access logs: required on internet-facing load balancers only', () => {
    expectFindings(check(ALBAccessLogging, behindAlb('internet-facing'), 'Lb'), /internet-facing load balancer Lb access_logs\.s3\.enabled = absent/);
    expectCompliant(check(ALBAccessLogging, behindAlb('internet-facing', {}, [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: 'logs' }]), 'Lb'));
    expectNotApplicable(check(ALBAccessLogging, behindAlb('internal'), 'Lb'));
  });
});
