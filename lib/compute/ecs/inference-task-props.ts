// The props and options of an ECS inference task: what the base class and its services take.
import { Duration, Size, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_logs as logs, aws_sns as sns } from 'aws-cdk-lib';
import { AlarmThresholdOverrides } from '../../alarms/thresholds';
import { InferenceLimits, InferenceProfile } from '../../profile';
import { EcsCapacity } from './capacity';
import { ModelServer } from './model-server';
import { SecurityPosture } from '../../security/security-posture';

/** Props shared by the synchronous service and the queue worker. */
export interface EcsInferenceTaskProps {
  /** Measured profile of the model on the capacity's hardware. */
  readonly profile: InferenceProfile;
  /**
   * Limits derived from the profile.
   * @default - deriveLimits(profile, { minInstances: minTasks, maxInstances: maxTasks })
   */
  readonly limits?: InferenceLimits;
  /** The model server container. */
  readonly modelServer: ModelServer;
  /** GPU instances or Fargate. */
  readonly capacity: EcsCapacity;
  /**
   * VPC of the tasks.
   * @default - the cluster's VPC, or a new VPC (2 AZs, one NAT gateway, flow logs, S3 gateway endpoint)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Existing cluster (GPU capacity is added to it as a capacity provider). It needs Container
   * Insights: the running-task alarms and the worker's backlog-per-task scaling read its metrics.
   * @default - a new cluster with Container Insights
   */
  readonly cluster?: ecs.Cluster;
  /**
   * Container Insights level of a new cluster.
   * @default ecs.ContainerInsights.ENABLED
   */
  readonly containerInsights?: ecs.ContainerInsights;
  /**
   * Task CPU units.
   * @default - EC2: the instance's vCPUs x 1024 minus the agent reserve, split across the tasks one
   * instance holds (its GPUs / gpuCount); Fargate: the smallest valid size that fits the memory, at least 1024
   */
  readonly cpu?: number;
  /**
   * Hard memory limit of the model server container (MiB). The task memory adds the sidecars.
   * @default - EC2: all the memory the task's share of the instance offers; Fargate: max(2 x peak, peak + 1024)
   */
  readonly memoryLimitMiB?: number;
  /**
   * Task memory (MiB): the model server plus its sidecars. On Fargate it must be a valid
   * combination with `cpu` (checked exactly as given).
   * @default - EC2: the server's hard limit plus the sidecars; Fargate: the smallest valid size for `cpu` that holds them
   */
  readonly taskMemoryMiB?: number;
  /**
   * Soft memory reservation of the model server container (MiB), what the scheduler books.
   * @default - ceil(profile.peakHostMemoryMiB x 1.2)
   */
  readonly memoryReservationMiB?: number;
  /**
   * GPUs reserved for the model server container (EC2 only).
   * @default 1 on GPU capacity, 0 on Fargate
   */
  readonly gpuCount?: number;
  /**
   * `/dev/shm` size (EC2 only; Fargate does not support it). Docker's 64 MiB default is too small for
   * some TF ops and NCCL.
   * @default - 512 MiB on EC2, unset on Fargate
   */
  readonly sharedMemorySize?: Size;
  /**
   * `nofile` soft and hard ulimit: one descriptor per open connection, so it bounds what a connection
   * flood can pin.
   * @default 65535
   */
  readonly nofileLimit?: number;
  /**
   * Time between SIGTERM and SIGKILL. In-flight requests finish within the model-server timeout.
   * @default - model-server timeout + 5 s (at most 120 s on Fargate)
   */
  readonly stopTimeout?: Duration;
  /**
   * Retention of the container logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Security posture: the regulated one encrypts the container and flow logs with its
   * customer-managed key, turns inline policies into managed ones and (for the service) gives the
   * load balancer HTTPS, access logs and deletion protection.
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
  /**
   * Run a CloudWatch agent sidecar with the NVIDIA (nvidia_smi) plugin to publish GPU utilization and
   * GPU memory, and alarm on them (GPU capacity only).
   * @default false
   */
  readonly gpuMetrics?: boolean;
  /**
   * CloudWatch agent image of the GPU metrics sidecar.
   * @default public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest
   */
  readonly cloudWatchAgentImage?: ecs.ContainerImage;
  /**
   * Image of the init container that copies the model from S3 and prepares the volumes.
   * @default public.ecr.aws/aws-cli/aws-cli:2.15.0
   */
  readonly modelSyncImage?: ecs.ContainerImage;
  /**
   * Tasks always running.
   * @default - limits.scaling.minInstances (the queue worker: 0)
   */
  readonly minTasks?: number;
  /**
   * Tasks at most: the cost ceiling under attack.
   * @default - limits.scaling.maxInstances
   */
  readonly maxTasks?: number;
  /**
   * Topic the alarms notify (on ALARM and OK), and the GPU Auto Scaling group's launch and
   * termination notifications.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Threshold overrides; a given value wins over the one derived from the profile.
   * @default - all derived
   */
  readonly alarmThresholds?: AlarmThresholdOverrides;
}

/** A container a subclass adds to the task. */
export interface ExtraContainerSize {
  readonly name: string;
  /** Hard memory limit (MiB). */
  readonly memoryLimitMiB: number;
}

/** Options a subclass passes to the base. */
export interface EcsInferenceTaskBaseOptions {
  /** Minimum tasks when the props leave it open. @default - limits.scaling.minInstances */
  readonly defaultMinTasks?: number;
  /** Containers the subclass adds (counted into the task memory and its checks). @default - none */
  readonly extraContainers?: ExtraContainerSize[];
}

/** Sizes the task builder settled on. */
export interface EcsTaskSizing {
  readonly cpu: number;
  readonly taskMemoryMiB: number;
  readonly serverMemoryLimitMiB: number;
  readonly serverMemoryReservationMiB: number;
  readonly gpuCount: number;
  readonly sharedMemoryMiB?: number;
  readonly stopTimeoutSeconds: number;
  /** Tasks one instance holds (1 on Fargate). */
  readonly tasksPerInstance: number;
}

/** Memory of the sidecars (hard, reservation). The CloudWatch agent's documented footprint is well below. */

/** Options of the ECS service a task construct creates. */
export interface EcsServiceOptions {
  /**
   * Time the load balancer's health checks are ignored after a task starts.
   * @default - no grace period
   */
  readonly healthCheckGracePeriod?: Duration;
}

/** How a service built on `EcsInferenceTaskBase` loads its tasks, for the steady state its alarms must be quiet in. */
export interface EcsTaskAlarmOptions {
  /** Share of a task's measured throughput the service runs at under nominal load. */
  readonly load: number;
  /** Where `load` comes from, in words (written beside each alarm's steady state). */
  readonly loadBasis: string;
  /**
   * The tasks run at full speed by design (queue workers draining a backlog): no CPU and GPU utilization alarms.
   * @default false
   */
  readonly saturatedByDesign?: boolean;
  /**
   * Load balancer in front of the service, for its target and 5xx alarms.
   * @default - no load balancer alarms
   */
  readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /**
   * Target group of the service, for its healthy-host alarm.
   * @default - no target group alarms
   */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
}
