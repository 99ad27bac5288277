import {
  AspectPriority, Aspects, IAspect, Size, Validations, aws_autoscaling as autoscaling, aws_ec2 as ec2, aws_ecs as ecs, aws_iam as iam, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { GPU_INSTANCE_TYPES, GpuInstanceSpec, InferenceGuardError, gpuInstanceSpec } from '../../core';
import { ECS_HOST_RESERVE } from './task-size';

/** Options of GPU instance capacity. */
export interface GpuInstancesOptions {
  /** EC2 instance type from the GPU table, e.g. `g5.xlarge` (the `ml.` prefix is accepted and dropped). */
  readonly instanceType: string;
  /**
   * Encrypted gp3 root volume. The GPU AMI plus a TF Serving GPU image need well over the 30 GiB default.
   * @default 100 GiB
   */
  readonly rootVolumeSize?: Size;
}

/** Options of Fargate capacity. */
export interface FargateOptions {
  /**
   * Fargate platform version; 8 and 16 vCPU tasks need 1.4.0 or later.
   * @default ecs.FargatePlatformVersion.LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
}

/** Where the tasks run: GPU EC2 instances in an Auto Scaling group, or Fargate (CPU only). */
export abstract class EcsCapacity {
  /**
   * GPU instances on the ECS GPU-optimized Amazon Linux 2023 AMI, in an Auto Scaling group
   * capacity provider with managed scaling and managed termination protection.
   */
  public static gpuInstances(options: GpuInstancesOptions): EcsCapacity {
    const spec = gpuInstanceSpec(options.instanceType);
    if (!spec) {
      throw new InferenceGuardError('ECS_CAPACITY_INVALID', 'EcsCapacity.gpuInstances', [{
        prop: 'instanceType', value: JSON.stringify(options.instanceType),
        allowed: `a GPU instance type from the table (${GPU_INSTANCE_TYPES.map((s) => s.name).slice(0, 6).join(', ')}, ...)`,
        fix: 'pick a listed type, or add the type with its vCPUs, memory and GPUs (and their source) to GPU_INSTANCE_TYPES',
      }]);
    }
    return new GpuCapacity(spec, options);
  }

  /** Fargate: CPU only, for small Keras models. */
  public static fargate(options: FargateOptions = {}): EcsCapacity {
    return new FargateCapacity(options);
  }

  /** The GPU instance spec; undefined on Fargate. */
  public abstract readonly instanceSpec?: GpuInstanceSpec;
  /** True on Fargate. */
  public abstract readonly isFargate: boolean;
  /** Fargate platform version; undefined on EC2. */
  public abstract readonly platformVersion?: ecs.FargatePlatformVersion;
  /** Root volume of the instances; undefined on Fargate. */
  public abstract readonly rootVolumeSize?: Size;
}

class GpuCapacity extends EcsCapacity {
  public readonly isFargate = false;
  public readonly platformVersion = undefined;
  public readonly rootVolumeSize: Size;
  constructor(public readonly instanceSpec: GpuInstanceSpec, o: GpuInstancesOptions) {
    super();
    this.rootVolumeSize = o.rootVolumeSize ?? Size.gibibytes(100);
  }
}

class FargateCapacity extends EcsCapacity {
  public readonly isFargate = true;
  public readonly instanceSpec = undefined;
  public readonly rootVolumeSize = undefined;
  public readonly platformVersion: ecs.FargatePlatformVersion;
  constructor(o: FargateOptions) {
    super();
    this.platformVersion = o.platformVersion ?? ecs.FargatePlatformVersion.LATEST;
  }
}

/** Props of `GpuCapacityProvider`. */
export interface GpuCapacityProviderProps {
  readonly cluster: ecs.Cluster;
  readonly instanceSpec: GpuInstanceSpec;
  /** Instances at most: the cost ceiling of this capacity. */
  readonly maxInstances: number;
  /** @default 0 (managed scaling starts instances when tasks need them) */
  readonly minInstances?: number;
  /** @default 100 GiB */
  readonly rootVolumeSize?: Size;
  /** @default - private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Topic notified of every launch, termination and their failures.
   * @default - a new TLS-only topic (subscribe to it to hear of failed launches)
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * An Auto Scaling group of GPU instances registered as an ECS capacity provider: GPU AMI,
 * IMDSv2 only, encrypted root volume, managed scaling and managed termination protection.
 */
export class GpuCapacityProvider extends Construct {
  public readonly launchTemplate: ec2.LaunchTemplate;
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly instanceRole: iam.Role;
  /** Topic of the group's launch and termination notifications. */
  public readonly notificationTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: GpuCapacityProviderProps) {
    super(scope, id);
    const vpc = props.cluster.vpc;
    // Instances only need outbound access (ECS control plane, image registries, S3); task ENIs
    // carry their own security groups in awsvpc mode.
    this.securityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc, description: 'GPU container instances: outbound only', allowAllOutbound: true,
    });
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container instance role for GPU inference capacity',
    });
    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      // Memory held back for the ECS agent and host daemons; the task-size check assumes the same figure.
      `echo ECS_RESERVED_MEMORY=${ECS_HOST_RESERVE.agentMemoryMiB} >> /etc/ecs/ecs.config`,
      'echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config',
    );
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(props.instanceSpec.name),
      // Resolved from the public SSM parameter at deploy time: no context lookup at synth.
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      role: this.instanceRole,
      securityGroup: this.securityGroup,
      userData,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs((props.rootVolumeSize ?? Size.gibibytes(100)).toGibibytes(), {
          encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true,
        }),
      }],
    });
    // Failed launches (quota, capacity) are how a GPU fleet silently stops growing: always notify.
    this.notificationTopic = props.notificationTopic ?? new sns.Topic(this, 'Notifications', { enforceSSL: true, displayName: 'GPU capacity launches and terminations' });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate: this.launchTemplate,
      minCapacity: props.minInstances ?? 0,
      maxCapacity: props.maxInstances,
      notifications: [{ topic: this.notificationTopic }],
    });
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      targetCapacityPercent: 100,
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
    });
    props.cluster.addAsgCapacityProvider(this.capacityProvider);
    const reason = 'ECS container instance policy added by the cluster for its capacity provider: ecs:Submit*, ecs:Poll, ecs:StartTelemetrySession, ecr:GetAuthorizationToken and logs have no resource-level scoping';
    Validations.of(this).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
    Validations.of(this).acknowledge({ id: 'AwsSolutions-IAM5[Action::ecs:Submit*]', reason });
  }
}

/**
 * Makes a service wait for its cluster's capacity provider associations. The cluster creates
 * that resource in an aspect, after the service exists, so the dependency is added by a later
 * aspect; without it CloudFormation may create the service first and fail with "capacity
 * provider is not associated with the cluster".
 */
class WaitForCapacityProviderAssociation implements IAspect {
  constructor(private readonly service: ecs.BaseService, private readonly cluster: ecs.ICluster) {}
  public visit(node: IConstruct): void {
    if (node !== this.service) return;
    for (const child of this.cluster.node.children) {
      if (child instanceof ecs.CfnClusterCapacityProviderAssociations) this.service.node.addDependency(child);
    }
  }
}

/** Orders `service` after the capacity provider associations of `cluster`. */
export function dependOnCapacityProviderAssociation(service: ecs.BaseService, cluster: ecs.ICluster): void {
  Aspects.of(service).add(new WaitForCapacityProviderAssociation(service, cluster), { priority: AspectPriority.READONLY });
}
