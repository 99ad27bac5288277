import { Duration, Validations, aws_ec2 as ec2, aws_ecs as ecs, aws_iam as iam, aws_logs as logs, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ecsServiceCapabilities } from './private/ecs-capabilities';
import { ECS_CPU_UNITS_PER_VCPU, ECS_DEFAULT_NOFILE, FARGATE_MAX_STOP_TIMEOUT_S, InferenceGuardError, ProblemCollector, gpuInstanceSpec } from '../../core';
import { resolveThresholds } from '../../alarms/thresholds';
import { InferenceLimits, InferenceProfile, deriveLimits, limitsProblems, recordProfile } from '../../profile';
import { EcsServiceAlarms } from './alarms';
import { EcsCapacity, GpuCapacityProvider, dependOnCapacityProviderAssociation } from './capacity';
import { nagResourceText } from '../../core/nag-text';
import { ModelServerContainerConfig } from './model-server';
import { SecurityPosture, postureOf } from '../../security/security-posture';
import { acknowledgeCompliance, acknowledgeUnlessRegulated } from '../../security/compliance';
import { ContainerLimits, checkEc2TaskSize, checkFargateTaskSize, smallestFargateSize, usableInstanceResources } from './task-size';
import { EcsInferenceTaskProps, ExtraContainerSize, EcsInferenceTaskBaseOptions, EcsTaskSizing, EcsServiceOptions, EcsTaskAlarmOptions } from './inference-task-props';
export * from './inference-task-props';

const SIDECAR_MEMORY = { hardMiB: 256, reservationMiB: 128 } as const;
const SCRATCH_PATH = '/tmp';
const MODEL_PATH = '/models';
const SERVER = 'ModelServer';

/**
 * Resolves the VPC, cluster, capacity and task definition of an inference task. Subclasses add the
 * service, its front door and its scaling. Every default is resolved here once, and all size
 * problems are collected and thrown together.
 */
export abstract class EcsInferenceTaskBase extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly cluster: ecs.Cluster;
  public readonly limits: InferenceLimits;
  public readonly profile: InferenceProfile;
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The model server container. */
  public readonly serverContainer: ecs.ContainerDefinition;
  /** Init container that prepares the volumes (and copies the model from S3). */
  public readonly prepareContainer: ecs.ContainerDefinition;
  /** CloudWatch agent sidecar, when gpuMetrics is on. */
  public readonly gpuMetricsContainer?: ecs.ContainerDefinition;
  /** Namespace of the sidecar's GPU metrics (no dimensions), when gpuMetrics is on. */
  public readonly gpuMetricsNamespace?: string;
  public readonly logGroup: logs.LogGroup;
  /** Flow log group of a VPC this construct created. */
  public readonly flowLogGroup?: logs.LogGroup;
  /** SSM parameter holding the CloudWatch agent configuration, when gpuMetrics is on. */
  public readonly gpuMetricsConfig?: ssm.StringParameter;
  /** The GPU capacity provider; undefined on Fargate. */
  public readonly gpuCapacity?: GpuCapacityProvider;
  /** Security group of the tasks. */
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly sizing: EcsTaskSizing;
  public readonly serverConfig: ModelServerContainerConfig;
  public readonly minTasks: number;
  public readonly maxTasks: number;
  protected readonly capacity: EcsCapacity;
  /** The security posture of the tasks and their network. */
  protected readonly security: SecurityPosture;

  private readonly extraContainers: ExtraContainerSize[];

  constructor(scope: Construct, id: string, props: EcsInferenceTaskProps, options: EcsInferenceTaskBaseOptions = {}) {
    super(scope, id);
    const defaultMinTasks = options.defaultMinTasks;
    this.extraContainers = options.extraContainers ?? [];
    this.profile = props.profile;
    this.capacity = props.capacity;

    const c = new ProblemCollector('ECS_TASK_INVALID', this.node.path);
    c.intInRange('nofileLimit', props.nofileLimit, 1_024, 1_048_576, 'keep nofile between 1024 and 1048576');
    if (this.capacity.isFargate) {
      const gpuHardware = gpuInstanceSpec(props.profile.hardware);
      c.require(gpuHardware === undefined && props.profile.peakGpuMemoryMiB === 0, 'profile.hardware', props.profile.hardware,
        'a CPU profile (Fargate has no GPU): measured on the Fargate task size, with peakGpuMemoryMiB 0',
        'profile the model on Fargate, or run it on EcsCapacity.gpuInstances: limits derived from GPU throughput would admit far more than a Fargate task serves');
    }
    if (props.vpc && props.cluster) {
      c.require(props.vpc === props.cluster.vpc, 'vpc', props.vpc.node.path, `the cluster's VPC (${props.cluster.vpc.node.path})`, 'pass only the cluster, or a VPC and no cluster');
    }
    // Limits built or edited by hand: every number checked once, before anything is computed with them.
    const limitProblems = props.limits ? limitsProblems(props.limits) : [];
    if (limitProblems.length > 0) {
      c.addAll(limitProblems);
      c.intInRange('minTasks', props.minTasks, 0, 10_000);
      c.intInRange('maxTasks', props.maxTasks, 1, 10_000);
      c.throwIfAny();
    }

    this.limits = props.limits ?? deriveLimits(props.profile, {
      minInstances: props.minTasks !== undefined && props.minTasks > 0 ? props.minTasks : undefined,
      maxInstances: props.maxTasks,
      backend: ecsServiceCapabilities(props.profile),
    });
    this.minTasks = props.minTasks ?? defaultMinTasks ?? this.limits.scaling.minInstances;
    this.maxTasks = props.maxTasks ?? this.limits.scaling.maxInstances;

    c.intInRange('minTasks', this.minTasks, 0, 10_000);
    c.intInRange('maxTasks', this.maxTasks, 1, 10_000);
    c.require(this.maxTasks >= this.minTasks, 'maxTasks', this.maxTasks, `>= minTasks (${this.minTasks})`, 'raise maxTasks or lower minTasks');
    if (props.limits && props.maxTasks !== undefined) {
      // One instance ceiling: the API throttle, the scaling maximum and the queue workers all read it.
      c.require(props.maxTasks === props.limits.scaling.maxInstances, 'maxTasks', props.maxTasks,
        `limits.scaling.maxInstances (${props.limits.scaling.maxInstances}), the fleet size the throttles were derived from`,
        'omit maxTasks (it follows the limits), or derive the limits with maxInstances equal to maxTasks');
    }

    this.sizing = this.resolveSizing(c, props);
    this.serverConfig = this.bindServer(c, props);
    const spec = this.capacity.instanceSpec;
    if (spec && spec.name !== props.profile.hardware.replace(/^ml\./, '')) {
      c.add('profile.hardware', props.profile.hardware, `the capacity's instance type (${spec.name})`,
        'profile the model on the instance type it will run on: latency, throughput and memory differ between GPUs');
    }
    c.throwIfAny();

    this.security = postureOf(props.security, this);
    this.vpc = props.vpc ?? props.cluster?.vpc ?? this.createVpc();
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: props.containerInsights ?? ecs.ContainerInsights.ENABLED,
    });
    if (spec) {
      // One spare instance beyond the task ceiling lets a rolling deployment start its new task.
      this.gpuCapacity = new GpuCapacityProvider(this, 'Capacity', {
        cluster: this.cluster,
        instanceSpec: spec,
        maxInstances: Math.ceil(this.maxTasks / this.sizing.tasksPerInstance) + 1,
        rootVolumeSize: this.capacity.rootVolumeSize,
        notificationTopic: props.alarmTopic,
      });
    }
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: `${props.modelServer.name} tasks: ingress only from their load balancer`,
      allowAllOutbound: true,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, encryptionKey: this.security.encryptionKey(this) });
    acknowledgeUnlessRegulated(this.security, this.logGroup, 'CloudWatchLogGroupEncrypted',
      `Container logs of ${props.modelServer.name} (server start-up, errors and access lines, no request bodies); CloudWatch Logs encrypts them at rest with its service key`,
      'encrypts them with the customer-managed key');
    this.taskDefinition = new ecs.TaskDefinition(this, 'TaskDefinition', {
      compatibility: this.capacity.isFargate ? ecs.Compatibility.FARGATE : ecs.Compatibility.EC2,
      networkMode: ecs.NetworkMode.AWS_VPC,
      cpu: String(this.sizing.cpu),
      memoryMiB: String(this.sizing.taskMemoryMiB),
    });
    this.taskDefinition.addVolume({ name: 'Scratch' });
    this.taskDefinition.addVolume({ name: 'Model' });

    const sc = this.serverConfig;
    this.serverContainer = this.taskDefinition.addContainer(SERVER, {
      image: sc.image,
      essential: true,
      entryPoint: sc.entryPoint,
      command: sc.command,
      environment: sc.environment,
      memoryLimitMiB: this.sizing.serverMemoryLimitMiB,
      memoryReservationMiB: this.sizing.serverMemoryReservationMiB,
      gpuCount: this.sizing.gpuCount > 0 ? this.sizing.gpuCount : undefined,
      portMappings: [{ containerPort: sc.port, protocol: ecs.Protocol.TCP }],
      healthCheck: sc.containerHealthCheck,
      readonlyRootFilesystem: sc.readonlyRootFilesystem,
      user: sc.user,
      privileged: false,
      stopTimeout: Duration.seconds(this.sizing.stopTimeoutSeconds),
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: props.nofileLimit ?? ECS_DEFAULT_NOFILE, hardLimit: props.nofileLimit ?? ECS_DEFAULT_NOFILE }],
      linuxParameters: this.linuxParameters(),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'server', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
    });
    this.serverContainer.addMountPoints(
      { sourceVolume: 'Scratch', containerPath: SCRATCH_PATH, readOnly: false },
      { sourceVolume: 'Model', containerPath: MODEL_PATH, readOnly: true },
    );

    this.prepareContainer = this.addPrepareContainer(props);
    this.serverContainer.addContainerDependencies({ container: this.prepareContainer, condition: ecs.ContainerDependencyCondition.SUCCESS });

    if (props.gpuMetrics) {
      const ns = `KerasInferenceGuard/GPU/${this.node.addr}`;
      this.gpuMetricsNamespace = ns;
      this.gpuMetricsContainer = this.addGpuMetricsSidecar(props, ns);
    }
  }

  /** Binds the model server; its problems join the size problems so they are reported together. */
  private bindServer(c: ProblemCollector, props: EcsInferenceTaskProps): ModelServerContainerConfig {
    try {
      return props.modelServer.bind({
        profile: props.profile,
        limits: this.limits,
        vcpus: this.sizing.cpu / ECS_CPU_UNITS_PER_VCPU,
        // On Fargate a GPU request is already a size problem; the server is configured for CPU.
        gpuCount: this.capacity.instanceSpec ? this.sizing.gpuCount : 0,
        gpuMemoryMiB: this.capacity.instanceSpec?.gpuMemoryMiB ?? 0,
        scratchPath: SCRATCH_PATH,
        modelVolumePath: MODEL_PATH,
      });
    } catch (e) {
      if (!(e instanceof InferenceGuardError)) throw e;
      c.addAll(e.problems);
      c.throwIfAny();
      throw e;
    }
  }

  /** vCPUs the task gets. */
  public get vcpus(): number {
    return this.sizing.cpu / ECS_CPU_UNITS_PER_VCPU;
  }

  private resolveSizing(c: ProblemCollector, props: EcsInferenceTaskProps): EcsTaskSizing {
    const peak = props.profile.peakHostMemoryMiB;
    const reservation = props.memoryReservationMiB ?? Math.ceil(peak * 1.2);
    const sidecarsMiB = SIDECAR_MEMORY.hardMiB * (props.gpuMetrics ? 2 : 1) + this.extraContainers.reduce((n, k) => n + k.memoryLimitMiB, 0);
    const msTimeout = this.limits.timeouts.modelServerTimeoutSeconds;
    const shm = props.sharedMemorySize?.toMebibytes();
    const spec = this.capacity.instanceSpec;
    if (spec) {
      const gpuCount = props.gpuCount ?? 1;
      const usable = usableInstanceResources(spec);
      const tasksPerInstance = Math.max(1, Math.floor(spec.gpus / Math.max(1, gpuCount)));
      const cpu = props.cpu ?? Math.floor(usable.cpuUnits / tasksPerInstance);
      const share = Math.floor(usable.memoryMiB / tasksPerInstance);
      const serverHard = props.memoryLimitMiB ?? (props.taskMemoryMiB ?? share) - sidecarsMiB;
      const sizing: EcsTaskSizing = {
        cpu,
        taskMemoryMiB: props.taskMemoryMiB ?? serverHard + sidecarsMiB,
        serverMemoryLimitMiB: serverHard,
        serverMemoryReservationMiB: reservation,
        gpuCount,
        sharedMemoryMiB: shm ?? 512,
        stopTimeoutSeconds: props.stopTimeout?.toSeconds() ?? msTimeout + 5,
        tasksPerInstance,
      };
      checkEc2TaskSize(c, spec, this.check(sizing, props));
      return sizing;
    }
    // Fargate: the server's hard limit plus the sidecars, rounded up to the next valid task size
    // unless the task size is given, in which case it must be a valid combination as given.
    const gpuCount = props.gpuCount ?? 0;
    const serverHard = props.memoryLimitMiB
      ?? (props.taskMemoryMiB !== undefined ? props.taskMemoryMiB - sidecarsMiB : Math.max(2 * peak, peak + 1_024));
    const needed = serverHard + sidecarsMiB;
    const fit = props.taskMemoryMiB === undefined ? smallestFargateSize(props.cpu ?? 1_024, needed) : undefined;
    const cpu = props.cpu ?? fit?.cpu ?? 1_024;
    const taskMemory = props.taskMemoryMiB ?? (fit && fit.cpu === cpu ? fit.memoryMiB : needed);
    const sizing: EcsTaskSizing = {
      cpu,
      taskMemoryMiB: taskMemory,
      serverMemoryLimitMiB: serverHard,
      serverMemoryReservationMiB: reservation,
      gpuCount,
      sharedMemoryMiB: shm,
      stopTimeoutSeconds: props.stopTimeout?.toSeconds() ?? Math.min(FARGATE_MAX_STOP_TIMEOUT_S, msTimeout + 5),
      tasksPerInstance: 1,
    };
    c.require(!props.gpuMetrics, 'gpuMetrics', props.gpuMetrics, 'false on Fargate (no GPUs to measure)', 'remove gpuMetrics');
    checkFargateTaskSize(c, this.check(sizing, props));
    return sizing;
  }

  private check(s: EcsTaskSizing, props: EcsInferenceTaskProps) {
    const containers: ContainerLimits[] = [
      { name: SERVER, memoryLimitMiB: s.serverMemoryLimitMiB, memoryReservationMiB: s.serverMemoryReservationMiB, gpuCount: s.gpuCount },
      { name: 'Prepare', memoryLimitMiB: SIDECAR_MEMORY.hardMiB, memoryReservationMiB: SIDECAR_MEMORY.reservationMiB, gpuCount: 0 },
    ];
    if (props.gpuMetrics) containers.push({ name: 'GpuMetrics', memoryLimitMiB: SIDECAR_MEMORY.hardMiB, memoryReservationMiB: SIDECAR_MEMORY.reservationMiB, gpuCount: 0 });
    for (const k of this.extraContainers) containers.push({ name: k.name, memoryLimitMiB: k.memoryLimitMiB, memoryReservationMiB: Math.min(k.memoryLimitMiB, 128), gpuCount: 0 });
    return {
      cpu: s.cpu,
      memoryMiB: s.taskMemoryMiB,
      containers,
      sharedMemoryMiB: s.sharedMemoryMiB,
      stopTimeoutSeconds: s.stopTimeoutSeconds,
      peakHostMemoryMiB: props.profile.peakHostMemoryMiB,
      serverContainer: SERVER,
    };
  }

  private linuxParameters(): ecs.LinuxParameters {
    // initProcessEnabled: tini reaps zombies and forwards SIGTERM, so stopTimeout drains cleanly.
    const lp = new ecs.LinuxParameters(this, 'LinuxParameters', {
      initProcessEnabled: true,
      sharedMemorySize: this.sizing.sharedMemoryMiB,
    });
    return lp;
  }

  private createVpc(): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: this.security.encryptionKey(this) });
    acknowledgeUnlessRegulated(this.security, flowLogs, 'CloudWatchLogGroupEncrypted',
      'VPC flow records (addresses, ports, byte counts, accept or reject), no payloads; CloudWatch Logs encrypts them at rest with its service key', 'encrypts them with the customer-managed key');
    (this as { flowLogGroup?: logs.LogGroup }).flowLogGroup = flowLogs;
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
    acknowledgeCompliance(vpc, 'VPCDefaultSecurityGroupClosed',
      'Nothing in this VPC uses its default security group: the tasks, the load balancer, the VPC link and the functions each get their own group, opened only to the previous hop');
    for (const rule of ['VPCNoUnrestrictedRouteToIGW', 'VPCSubnetAutoAssignPublicIpDisabled']) {
      acknowledgeCompliance(vpc, rule,
        'The public subnets hold only the NAT gateway, whose route to the internet gateway is its way out; tasks, load balancer and functions run in the private subnets with no public IP');
    }
    return vpc;
  }

  private addPrepareContainer(props: EcsInferenceTaskProps): ecs.ContainerDefinition {
    const src = this.serverConfig.modelSource?.s3Location;
    // Task volumes start owned by root; the server runs as a non-root user with a read-only root
    // filesystem, so a short-lived root init container opens the scratch volume to it and, when
    // the model lives in S3, copies it and makes it world-readable. It has no ports and exits.
    const steps = [`chmod 1777 ${SCRATCH_PATH}`];
    const modelDest = this.serverConfig.modelCopyPath ?? MODEL_PATH;
    if (src) {
      steps.push(`aws s3 cp --recursive --only-show-errors "$0" ${modelDest}`, `chmod -R a+rX ${MODEL_PATH}`);
      this.grantModelRead(src.bucket.bucketArn, src.keyPrefix);
    }
    const prepare = this.taskDefinition.addContainer('Prepare', {
      image: src ? (props.modelSyncImage ?? ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-cli/aws-cli:2.15.0')) : this.serverConfig.image,
      essential: false,
      user: '0',
      entryPoint: ['/bin/sh', '-c'],
      command: src ? [steps.join(' && '), `s3://${src.bucket.bucketName}/${src.keyPrefix}`] : [steps.join(' && ')],
      memoryLimitMiB: SIDECAR_MEMORY.hardMiB,
      memoryReservationMiB: SIDECAR_MEMORY.reservationMiB,
      readonlyRootFilesystem: true,
      privileged: false,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'prepare' }),
    });
    prepare.addMountPoints(
      { sourceVolume: 'Scratch', containerPath: SCRATCH_PATH, readOnly: false },
      { sourceVolume: 'Model', containerPath: MODEL_PATH, readOnly: false },
    );
    return prepare;
  }

  private grantModelRead(bucketArn: string, keyPrefix: string): void {
    const role = this.taskDefinition.taskRole;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`${bucketArn}/${keyPrefix}/*`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${keyPrefix}/*`, keyPrefix] } },
    }));
    Validations.of(this.taskDefinition).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, bucketArn)}/${keyPrefix}/*]`,
      reason: 'read-only s3:GetObject limited to the model prefix: the SavedModel is a directory of objects whose names are not known at synth time',
    });
  }

  private addGpuMetricsSidecar(props: EcsInferenceTaskProps, namespace: string): ecs.ContainerDefinition {
    const config = new ssm.StringParameter(this, 'GpuMetricsConfig', {
      description: 'CloudWatch agent configuration: NVIDIA GPU metrics of the inference tasks',
      stringValue: JSON.stringify({
        agent: { metrics_collection_interval: 60 },
        metrics: {
          namespace,
          // Aggregated over all dimensions, so the alarms match one series per service.
          aggregation_dimensions: [[]],
          metrics_collected: {
            nvidia_gpu: { measurement: ['utilization_gpu', 'memory_used', 'memory_total'], metrics_collection_interval: 60 },
          },
        },
      }),
    });
    (this as { gpuMetricsConfig?: ssm.StringParameter }).gpuMetricsConfig = config;
    const container = this.taskDefinition.addContainer('GpuMetrics', {
      image: props.cloudWatchAgentImage ?? ecs.ContainerImage.fromRegistry('public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest'),
      essential: false,
      memoryLimitMiB: SIDECAR_MEMORY.hardMiB,
      memoryReservationMiB: SIDECAR_MEMORY.reservationMiB,
      secrets: { CW_CONFIG_CONTENT: ecs.Secret.fromSsmParameter(config) },
      // The NVIDIA container runtime only mounts nvidia-smi into containers that ask for the
      // devices; these variables are device selectors, not configuration or secrets.
      environment: { NVIDIA_VISIBLE_DEVICES: 'all', NVIDIA_DRIVER_CAPABILITIES: 'utility' },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'gpu-metrics' }),
    });
    this.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
    }));
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the GPU metrics namespace by the cloudwatch:namespace condition',
    });
    if (!this.serverConfig.environment || Object.keys(this.serverConfig.environment).length === 0) {
      Validations.of(this.taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason: 'only the GPU metrics sidecar has environment variables: NVIDIA_VISIBLE_DEVICES and NVIDIA_DRIVER_CAPABILITIES select devices for the NVIDIA runtime; its configuration comes from SSM as a secret',
      });
    }
    return container;
  }

  /**
   * The service's alarms, with the steady state they must be quiet in. `load` is the share of a
   * task's measured throughput it runs at under nominal load; `saturatedByDesign` (queue workers,
   * which drain their backlog at full speed) leaves out the CPU and GPU utilization alarms, which
   * would fire whenever a worker does its job.
   */
  protected createAlarms(service: ecs.BaseService, props: EcsInferenceTaskProps, o: EcsTaskAlarmOptions): EcsServiceAlarms {
    return new EcsServiceAlarms(this, 'Alarms', {
      service,
      cluster: this.cluster,
      alarmThresholds: resolveThresholds(this.limits.alarms, props.alarmThresholds),
      utilizationAlarms: !o.saturatedByDesign,
      minTasks: this.minTasks,
      maxTasks: this.maxTasks,
      modelServerTimeoutSeconds: this.limits.timeouts.modelServerTimeoutSeconds,
      steadyState: {
        tasks: this.minTasks,
        cpuPercent: o.load * 100,
        cpuBasis: o.loadBasis,
        memoryPercent: (this.profile.peakHostMemoryMiB / this.sizing.taskMemoryMiB) * 100,
        memoryBasis: `profiled peak host memory ${this.profile.peakHostMemoryMiB} MiB of the ${this.sizing.taskMemoryMiB} MiB task`,
        gpuPercent: o.load * 100,
        responseTimeSeconds: this.profile.latencyMs.p99 / 1000,
      },
      loadBalancer: o.loadBalancer,
      targetGroup: o.targetGroup,
      capacityProvider: this.gpuCapacity?.capacityProvider,
      gpuMetricsNamespace: this.gpuMetricsNamespace,
      alarmTopic: props.alarmTopic,
    });
  }

  /**
   * Creates the ECS service that runs the task: private subnets, no public IP, a deployment
   * circuit breaker with rollback, and the GPU capacity provider when there is one.
   */
  protected createService(options: EcsServiceOptions = {}): ecs.BaseService {
    const common = {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: this.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [this.securityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      healthCheckGracePeriod: options.healthCheckGracePeriod,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    };
    const service = this.gpuCapacity
      ? new ecs.Ec2Service(this, 'Service', {
        ...common,
        capacityProviderStrategies: [{ capacityProvider: this.gpuCapacity.capacityProvider.capacityProviderName, weight: 1 }],
      })
      : new ecs.FargateService(this, 'Service', { ...common, platformVersion: this.capacity.platformVersion });
    if (this.gpuCapacity) dependOnCapacityProviderAssociation(service, this.cluster);
    recordProfile(service.node.defaultChild as ecs.CfnService, this.profile);
    return service;
  }
}
