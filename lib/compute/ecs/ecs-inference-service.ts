import {
  Duration, Token, Validations, aws_apigateway as apigw, aws_apigatewayv2 as apigwv2, aws_ec2 as ec2, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ecsServiceCapabilities } from './private/ecs-capabilities';
import {
  ALB_DEFAULT_IDLE_TIMEOUT_S, ALB_MAX_IDLE_TIMEOUT_S, ALB_MIN_IDLE_TIMEOUT_S,
  ELB_MAX_DEREGISTRATION_DELAY_S, ProblemCollector,
} from '../../core';
import { SyncTargetBindOptions, SyncTargetBinding } from '../../api';
import { InferenceProfile, checkTimeoutChain } from '../../profile';
import { GuardAlarms } from '../../alarms/guard-alarms';
import { ISyncInferenceBackend, SyncWorkerTarget } from '../backend';
import type { BackendCapabilities } from '../../profile/backend-capabilities';
import { EcsInferenceTaskBase, EcsInferenceTaskProps } from './inference-task-base';
import { AlbVpcLinkIntegration } from './integration';
import { acknowledgeCompliance, acknowledgeUnlessRegulated } from '../../security/compliance';
import { accessLogBucket } from '../../security/storage';

/** Props of `EcsInferenceService`. */
export interface EcsInferenceServiceProps extends EcsInferenceTaskProps {
  /**
   * Idle timeout of the internal ALB. Must be above the API's integration timeout, so API Gateway
   * (not the load balancer) gives up first with a clean 504.
   * @default - max(60 s, integration timeout + 5 s)
   */
  readonly loadBalancerIdleTimeout?: Duration;
  /**
   * Time the load balancer keeps draining a deregistered task: in-flight requests finish.
   * @default - model-server timeout + 5 s
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Port of the ALB listener (HTTP, internal only; reachable from the VPC link's security group).
   * @default 80
   */
  readonly listenerPort?: number;
  /**
   * Target CPU utilization of the secondary scaling policy (percent).
   * @default 70
   */
  readonly cpuScalingTargetPercent?: number;
  /**
   * Bucket for ALB access logs. Needs a stack with a concrete region (the log delivery principal
   * differs per region).
   * @default - no ALB access logs; API Gateway access logs record every request that reaches the ALB
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/**
 * A Keras model on ECS (GPU instances or Fargate) behind an internal ALB, reached from the guarded
 * API through a VPC link v2: `POST /predict` -> VPC link -> internal ALB -> model server tasks.
 *
 * Every limit is set and checked against the hardware: task CPU, hard memory and GPUs against
 * the instance type (or the Fargate size table), the ALB idle timeout against the integration
 * timeout, and scaling between `minTasks` and `maxTasks` on requests per target (from the
 * profile's throughput) with CPU as a second signal.
 */
export class EcsInferenceService extends EcsInferenceTaskBase implements ISyncInferenceBackend {
  /**
   * What an ECS service behind the guarded API accepts and how it scales: the API's 10 MB
   * payload cap, no invocation limit of its own (the load balancer's idle timeout is checked when
   * the API binds), at least one task, the profile's throughput per task.
   */
  public static capabilitiesFor(profile: InferenceProfile): BackendCapabilities {
    return ecsServiceCapabilities(profile);
  }

  public readonly service: ecs.BaseService;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly listener: elbv2.ApplicationListener;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** VPC link v2 of the REST API. */
  public readonly vpcLink: apigwv2.VpcLink;
  public readonly vpcLinkSecurityGroup: ec2.SecurityGroup;
  public readonly scaling: ecs.ScalableTaskCount;
  /** CPU, memory, running tasks, targets, load balancer 5XX, response time, GPU capacity and utilization, scaling at the maximum (under `Alarms/`). */
  public readonly alarms: GuardAlarms;
  /** What the service accepts and how it scales, with the load balancer's idle timeout. */
  public readonly capabilities: BackendCapabilities;
  /** ALB idle timeout (s). */
  public readonly loadBalancerIdleTimeoutSeconds: number;

  constructor(scope: Construct, id: string, props: EcsInferenceServiceProps) {
    super(scope, id, props);
    const integrationMs = this.limits.timeouts.integrationTimeoutMs;
    const idleS = props.loadBalancerIdleTimeout?.toSeconds() ?? Math.max(ALB_DEFAULT_IDLE_TIMEOUT_S, Math.ceil(integrationMs / 1000) + 5);
    const deregS = props.deregistrationDelay?.toSeconds() ?? this.limits.timeouts.modelServerTimeoutSeconds + 5;
    const tls = this.security.isRegulated;
    const port = props.listenerPort ?? (tls ? 443 : 80);
    const cpuTarget = props.cpuScalingTargetPercent ?? 70;

    const c = new ProblemCollector('ECS_SERVICE_INVALID', this.node.path);
    c.intInRange('loadBalancerIdleTimeout', idleS, ALB_MIN_IDLE_TIMEOUT_S, ALB_MAX_IDLE_TIMEOUT_S);
    c.intInRange('deregistrationDelay', deregS, 0, ELB_MAX_DEREGISTRATION_DELAY_S);
    c.intInRange('listenerPort', port, 1, 65_535);
    c.numberInRange('cpuScalingTargetPercent', cpuTarget, 10, 95);
    c.require(deregS >= this.limits.timeouts.modelServerTimeoutSeconds, 'deregistrationDelay', `${deregS} s`,
      `>= the model-server timeout (${this.limits.timeouts.modelServerTimeoutSeconds} s)`, 'raise it, or in-flight requests are cut off when a task is replaced');
    c.addAll(this.timeoutProblems(integrationMs, idleS));
    c.require(!tls || this.security.loadBalancerCertificate !== undefined, 'security.loadBalancerCertificate', 'undefined',
      'an ACM certificate (public CA: API Gateway verifies it) for the load balancer\'s HTTPS listener in the regulated posture',
      'pass SecurityPosture.regulated({ loadBalancerCertificate, loadBalancerDomainName })');
    c.require(!tls || this.security.loadBalancerDomainName !== undefined, 'security.loadBalancerDomainName', 'undefined',
      'the domain name the certificate is issued for (the integration URI\'s host)', 'pass loadBalancerDomainName with the certificate');
    c.require(this.minTasks >= 1, 'minTasks', this.minTasks, 'at least 1 for a synchronous service', 'keep one task warm, or use the queue worker for scale-to-zero');
    c.throwIfAny();
    this.loadBalancerIdleTimeoutSeconds = idleS;
    this.capabilities = { ...EcsInferenceService.capabilitiesFor(this.profile), name: `ECS service ${this.node.path}`, loadBalancerIdleTimeoutMs: idleS * 1000 };

    // ---- network: VPC link -> ALB -> tasks, each hop opened only to the previous one ----------
    this.vpcLinkSecurityGroup = new ec2.SecurityGroup(this, 'VpcLinkSecurityGroup', {
      vpc: this.vpc, description: 'API Gateway VPC link: egress only to the inference load balancer', allowAllOutbound: false,
    });
    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc, description: 'Internal inference ALB: ingress only from the VPC link', allowAllOutbound: false,
    });
    this.loadBalancerSecurityGroup.addIngressRule(this.vpcLinkSecurityGroup, ec2.Port.tcp(port), 'From the API Gateway VPC link');
    this.vpcLinkSecurityGroup.addEgressRule(this.loadBalancerSecurityGroup, ec2.Port.tcp(port), 'To the inference ALB');
    this.loadBalancerSecurityGroup.addEgressRule(this.securityGroup, ec2.Port.tcp(this.serverConfig.port), 'To the model server tasks');
    this.securityGroup.addIngressRule(this.loadBalancerSecurityGroup, ec2.Port.tcp(this.serverConfig.port), 'From the inference ALB');

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: this.loadBalancerSecurityGroup,
      idleTimeout: Duration.seconds(idleS),
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
      deletionProtection: tls ? true : undefined,
    });
    // ALB access logs support only SSE-S3 on the bucket (Elastic Load Balancing user guide, "Access
    // logs for your Application Load Balancer", bucket requirements).
    const albLogs = props.accessLogsBucket ?? (tls ? accessLogBucket(this.security, this, 'AccessLogs', `the load balancer ${this.node.path}`) : undefined);
    if (albLogs) this.loadBalancer.logAccessLogs(albLogs, 'inference-alb');
    acknowledgeCompliance(this.loadBalancer, 'ALBWAFEnabled',
      'Internal load balancer reachable only through the API Gateway VPC link; the web ACL (per-IP rate rule, body-size rule) sits on the API stage in front of it');
    acknowledgeUnlessRegulated(this.security, this.loadBalancer, 'ELBDeletionProtectionEnabled',
      'Internal load balancer the stack recreates with the service; nothing outside the stack refers to it', 'turns deletion protection on');
    if (!albLogs) {
      acknowledgeCompliance(this.loadBalancer, 'ELBLoggingEnabled',
        'Internal load balancer reachable only through the VPC link; the API access log records every request that reaches it (pass accessLogsBucket, or the regulated posture, for ALB logs)');
    }

    this.vpcLink = new apigwv2.VpcLink(this, 'VpcLink', {
      vpc: this.vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.vpcLinkSecurityGroup],
    });

    // ---- service ----------------------------------------------------------------------------
    // Model copy + load: tasks are not judged before the profile's cold start has passed.
    this.service = this.createService({ healthCheckGracePeriod: Duration.seconds(Math.ceil(this.profile.coldStartSeconds * 1.5) + 30) });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: this.vpc,
      port: this.serverConfig.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(deregS),
      healthCheck: {
        path: this.serverConfig.healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      targets: [this.service.loadBalancerTarget({ containerName: 'ModelServer', containerPort: this.serverConfig.port })],
    });
    this.listener = this.loadBalancer.addListener('Listener', {
      port,
      protocol: tls ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: tls ? [this.security.loadBalancerCertificate!] : undefined,
      sslPolicy: tls ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      open: false,
      defaultTargetGroups: [this.targetGroup],
    });
    for (const rule of ['ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired']) {
      acknowledgeUnlessRegulated(this.security, this.listener, rule,
        'Internal HTTP listener that admits only the VPC link\'s security group inside the VPC; API Gateway terminates the callers\' TLS', 'serves HTTPS with an ACM certificate');
    }

    // ---- scaling ----------------------------------------------------------------------------
    this.scaling = this.service.autoScaleTaskCount({ minCapacity: this.minTasks, maxCapacity: this.maxTasks });
    const cooldowns = {
      scaleOutCooldown: Duration.seconds(this.limits.scaling.scaleOutCooldownSeconds),
      scaleInCooldown: Duration.seconds(this.limits.scaling.scaleInCooldownSeconds),
    };
    this.scaling.scaleOnRequestCount('RequestsPerTarget', {
      requestsPerTarget: this.limits.scaling.targetInvocationsPerInstancePerMinute,
      targetGroup: this.targetGroup,
      ...cooldowns,
    });
    this.scaling.scaleOnCpuUtilization('CpuUtilization', { targetUtilizationPercent: cpuTarget, ...cooldowns });

    // Request-count scaling holds each task at the target share of its measured throughput, and
    // CPU scaling holds CPU at its target: the lower of the two is the steady state.
    const load = Math.min(cpuTarget / 100, this.limits.scaling.targetInvocationsPerInstancePerMinute / (this.profile.throughputPerInstanceRps * 60));
    this.alarms = this.createAlarms(this.service, props, {
      load,
      loadBasis: `scaling holds a task at ${Math.round(load * 100)} % of its measured throughput (request and CPU targets)`,
      loadBalancer: this.loadBalancer,
      targetGroup: this.targetGroup,
    }).alarms;

    if (!albLogs) {
      Validations.of(this.loadBalancer).acknowledge({
        id: 'AwsSolutions-ELB2',
        reason: 'internal ALB reachable only from the API Gateway VPC link; the API access log records every request that reaches it, and ALB log delivery needs a concrete region (pass accessLogsBucket to enable it)',
      });
    }
  }

  /**
   * Binds `POST /predict` of the guarded API: an HTTP proxy integration through the VPC link v2 to
   * the internal ALB (the shape AWS documents for VPC link v2). Backend statuses pass through.
   */
  public bindSync(scope: Construct, options: SyncTargetBindOptions): SyncTargetBinding {
    const integrationMs = options.integrationTimeout.toMilliseconds();
    const c = new ProblemCollector('ECS_SERVICE_INVALID', this.node.path);
    c.addAll(this.timeoutProblems(integrationMs, this.loadBalancerIdleTimeoutSeconds));
    c.throwIfAny('the API integration timeout does not fit the ECS service timeouts');
    // A reference only (no resource, so no logical id depends on it); the suffix keeps two services
    // bound into the same API scope apart.
    const vpcLinkRef = apigw.VpcLink.fromVpcLinkId(scope, `EcsVpcLink${this.node.addr.slice(0, 8)}`, this.vpcLink.vpcLinkId);
    const port = this.listener.port;
    const integration = new AlbVpcLinkIntegration({
      vpcLink: vpcLinkRef,
      loadBalancerArn: this.loadBalancer.loadBalancerArn,
      uri: `${this.listenerUrl(port)}${this.serverConfig.predictPath}`,
      timeout: options.integrationTimeout,
    });
    return { integration, methodResponses: integration.methodResponses };
  }

  /**
   * For a synchronous queue worker: the worker POSTs each job to the internal load balancer, so
   * it runs in the service's VPC with a security group the load balancer admits.
   */
  public bindWorker(scope: Construct, _worker: iam.IGrantable): SyncWorkerTarget {
    const sg = new ec2.SecurityGroup(scope, 'WorkerSecurityGroup', {
      vpc: this.vpc, description: 'Queue worker: egress only to the inference load balancer', allowAllOutbound: false,
    });
    const port = Token.isUnresolved(this.listener.port) ? (this.security.isRegulated ? 443 : 80) : this.listener.port;
    this.loadBalancerSecurityGroup.addIngressRule(sg, ec2.Port.tcp(port), 'From the queue worker');
    sg.addEgressRule(this.loadBalancerSecurityGroup, ec2.Port.tcp(port), 'To the inference ALB');
    // HTTPS to AWS APIs (SQS, DynamoDB, S3) through the NAT gateway.
    sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
    return {
      kind: 'http',
      url: `${this.listenerUrl(port)}${this.serverConfig.predictPath}`,
      name: this.capabilities.name,
      vpc: this.vpc,
      securityGroups: [sg],
    };
  }

  /**
   * Base URL of the listener: HTTPS to the certificate's domain name in the regulated posture
   * (API Gateway verifies the certificate against the URI's host: API Gateway guide, "Private
   * integrations for REST APIs": "To use HTTPS, specify an uri that contains a secure server name"),
   * else HTTP to the load balancer's DNS name.
   */
  private listenerUrl(port: number): string {
    const p = Token.isUnresolved(port) ? (this.security.isRegulated ? 443 : 80) : port;
    return this.security.isRegulated ? `https://${this.security.loadBalancerDomainName}:${p}` : `http://${this.loadBalancer.loadBalancerDnsName}:${p}`;
  }

  /** Problems of the chain integration timeout -> ALB idle timeout, model-server timeout -> integration timeout. */
  private timeoutProblems(integrationMs: number, idleS: number) {
    // The API validates the integration timeout's own bounds; here only the links to this backend.
    return checkTimeoutChain({
      integrationTimeoutMs: integrationMs,
      modelServerTimeoutMs: this.limits.timeouts.modelServerTimeoutSeconds * 1000,
      endpointType: apigw.EndpointType.REGIONAL,
      allowExtendedIntegrationTimeout: true,
      loadBalancerIdleTimeoutMs: idleS * 1000,
      backendName: 'ECS service',
    }).filter((p) => p.prop !== 'integrationTimeout');
  }
}
