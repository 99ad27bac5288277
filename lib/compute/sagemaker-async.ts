import {
  Duration, RemovalPolicy, Stack, Validations, aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions, aws_iam as iam, aws_s3 as s3, aws_sagemaker as sagemaker, aws_sns as sns,
  aws_sns_subscriptions as subs, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  ProblemCollector, SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S, SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MIN_S, SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX,
  SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN, SAGEMAKER_ASYNC_MAX_PAYLOAD_BYTES, SAGEMAKER_ASYNC_REQUEST_TTL_MAX_S, SAGEMAKER_ASYNC_REQUEST_TTL_MIN_S, SQS_RETENTION_MAX_S,
} from '../core';
import { InferenceImage } from './inference-image';
import { GuardAlarmSpec, createGuardAlarm } from '../alarms/alarm-factory';
import type { GuardAlarmDefinition } from '../alarms/guard-alarm-builder';
import { floorInt } from '../core/rounding';
import { METRIC_CATALOG, catalogMetric } from '../alarms/metric-catalog';
import { buildGuardAlarms, graph } from '../alarms/guard-alarm-builder';
import { InferenceProfile, recordProfile } from '../profile/inference-profile';
import { GuardAlarms } from '../alarms/guard-alarms';
import { AsyncInvocationTarget, IAsyncInferenceBackend } from './backend';
import { BackendCapabilities } from '../profile/backend-capabilities';
import { ASYNC_INVOCATION_METADATA } from './private/aws-constraints';
import { SageMakerBackendCommonProps, checkCommonProps, createSageMakerModel, tfServingEnvironment, warnOnHardwareMismatch } from './sagemaker-common';
import { SecurityPosture, postureOf } from '../security/security-posture';
import { acknowledgeUnlessRegulated, grantKeyUse } from '../security/compliance';
import { accessLogBucket, acknowledgeDataBucket, dataBucketProps, noncurrentExpiration } from '../security/storage';

/** Props of `SageMakerAsyncBackend`. */
export interface SageMakerAsyncBackendProps extends SageMakerBackendCommonProps {
  /**
   * Instances at least. Async endpoints may scale to zero; a request then waits for a cold start.
   * @default 0
   */
  readonly minInstances?: number;
  /**
   * Instances at most: the cost ceiling under attack.
   * @default 2
   */
  readonly maxInstances?: number;
  /**
   * How long a request may wait in SageMaker's internal queue before it expires (RequestTTLSeconds, 60-21600 s).
   * Callers pass it on InvokeEndpointAsync; it also sets the age-of-oldest-request alarm.
   * @default Duration.minutes(15)
   */
  readonly acceptableWait?: Duration;
  /**
   * Processing time allowed per request (InvocationTimeoutSeconds, 1-3600 s). Also the model-server timeout.
   * @default - max(60 s, 3 x the profile's p99)
   */
  readonly invocationTimeout?: Duration;
  /**
   * Concurrent requests SageMaker sends to one instance (1-1000).
   * @default - the profile's sustainable concurrency
   */
  readonly maxConcurrentInvocationsPerInstance?: number;
  /**
   * Work queued per instance, in seconds of measured throughput, that triggers a scale-out.
   * @default Duration.seconds(60)
   */
  readonly backlogPerInstanceTarget?: Duration;
  /**
   * Bucket for inputs, outputs and failures.
   * @default - a new encrypted, TLS-only bucket with server access logs and expiry
   */
  readonly bucket?: s3.IBucket;
  /**
   * How long results and failures are kept in a new bucket.
   * @default Duration.days(7)
   */
  readonly resultRetention?: Duration;
}

/**
 * A SageMaker asynchronous endpoint for heavy or bursty Keras inference: bounded concurrency
 * per instance, output and failure locations, success and error topics (errors kept in an SQS
 * queue), backlog-based scaling with scale from zero, and alarms on the metrics async endpoints
 * actually publish (never `Invocations` or `InvocationsPerInstance`).
 */
export class SageMakerAsyncBackend extends Construct implements IAsyncInferenceBackend {
  /**
   * What an asynchronous endpoint accepts and how it scales: inputs up to 1 GB in S3, one hour
   * per invocation, scale to zero, the profile's throughput per instance. Answers arrive in S3.
   */
  public static capabilitiesFor(profile: InferenceProfile): BackendCapabilities {
    return {
      name: 'SageMaker asynchronous endpoint',
      maxPayloadBytes: SAGEMAKER_ASYNC_MAX_PAYLOAD_BYTES,
      invocationTimeoutMs: SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S * 1000,
      synchronous: false,
      scalesToZero: true,
      scalingUnit: 'instance',
      throughputPerUnitRps: profile.throughputPerInstanceRps,
      concurrencyPerUnit: profile.sustainableConcurrency,
      coldStartSeconds: profile.coldStartSeconds,
    };
  }

  /** The measured profile the endpoint was sized from. */
  public readonly profile: InferenceProfile;
  /** What the endpoint accepts and how it scales. */
  public readonly capabilities: BackendCapabilities;
  /** The model's execution role (least privilege: the three async prefixes, the two topics). */
  public readonly role: iam.Role;
  /** The SageMaker model (network-isolated). */
  public readonly model: sagemaker.CfnModel;
  /** The endpoint configuration with its async inference settings. */
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  /** The endpoint. */
  public readonly endpoint: sagemaker.CfnEndpoint;
  /** The endpoint name (lower case), for InvokeEndpointAsync. */
  public readonly endpointName: string;
  /** The variant name, a metric dimension. */
  public readonly variantName = 'AllTraffic';
  /** Inputs, outputs and failures. */
  public readonly bucket: s3.IBucket;
  /** Notified when an inference succeeds. */
  public readonly successTopic: sns.Topic;
  /** Notified when an inference fails (feeds `failureQueue`). */
  public readonly errorTopic: sns.Topic;
  /** Keeps every failure notification (14 days). */
  public readonly failureQueue: sqs.Queue;
  /** The variant's instance count, from `minInstances` (0 by default) to `maxInstances`. */
  public readonly scalableTarget: appscaling.ScalableTarget;
  /**
   * Backlog, oldest request, scale-from-zero, failures and expiries, and the scaling alarm that
   * starts the first instance (`HasBacklogWithoutCapacity`).
   */
  public readonly alarms: GuardAlarms;
  /** Pass as InvocationTimeoutSeconds on InvokeEndpointAsync. */
  public readonly invocationTimeoutSeconds: number;
  /** Pass as RequestTTLSeconds on InvokeEndpointAsync. */
  public readonly requestTtlSeconds: number;
  /** Concurrent requests SageMaker sends to one instance. */
  public readonly maxConcurrentInvocationsPerInstance: number;
  /** Queued requests per instance the backlog scaling policy aims for. */
  public readonly targetBacklogPerInstance: number;
  /** S3 prefix callers upload inputs to (InputLocation). */
  public readonly inputPrefix = 'async/input/';

  constructor(scope: Construct, id: string, props: SageMakerAsyncBackendProps) {
    super(scope, id);
    const image = props.image ?? InferenceImage.tensorflowServingDlc();
    const { profile } = props;
    this.profile = profile;
    this.capabilities = SageMakerAsyncBackend.capabilitiesFor(profile);
    const minInstances = props.minInstances ?? 0;
    const maxInstances = props.maxInstances ?? 2;
    this.invocationTimeoutSeconds = props.invocationTimeout?.toSeconds() ?? Math.max(60, Math.ceil((profile.latencyMs.p99 * 3) / 1000));
    this.requestTtlSeconds = (props.acceptableWait ?? Duration.minutes(15)).toSeconds();
    this.maxConcurrentInvocationsPerInstance = props.maxConcurrentInvocationsPerInstance ?? Math.min(SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX, profile.sustainableConcurrency);
    const backlogSeconds = (props.backlogPerInstanceTarget ?? Duration.seconds(60)).toSeconds();
    this.targetBacklogPerInstance = Math.max(1, floorInt(profile.throughputPerInstanceRps * backlogSeconds));

    const c = new ProblemCollector('SAGEMAKER_ASYNC_PROPS_INVALID', this.node.path);
    const { vcpus } = checkCommonProps(c, props, image);
    c.intInRange('minInstances', minInstances, 0, 10_000, 'async endpoints may scale to 0');
    c.intInRange('maxInstances', maxInstances, 1, 10_000);
    c.require(maxInstances >= minInstances, 'maxInstances', maxInstances, `>= minInstances (${minInstances})`, 'raise maxInstances');
    c.intInRange('invocationTimeout', this.invocationTimeoutSeconds, SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MIN_S, SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S, 'async requests may run at most one hour');
    c.require(this.invocationTimeoutSeconds * 1000 >= profile.latencyMs.p99, 'invocationTimeout', `${this.invocationTimeoutSeconds} s`, `>= the profile's p99 (${profile.latencyMs.p99} ms)`, 'raise the timeout or every slow request fails');
    c.intInRange('acceptableWait', this.requestTtlSeconds, SAGEMAKER_ASYNC_REQUEST_TTL_MIN_S, SAGEMAKER_ASYNC_REQUEST_TTL_MAX_S, 'RequestTTLSeconds is 60-21600 s');
    c.require(backlogSeconds < this.requestTtlSeconds * 0.8, 'backlogPerInstanceTarget', `${backlogSeconds} s`,
      `< 80 % of acceptableWait (${this.requestTtlSeconds * 0.8} s)`, 'lower backlogPerInstanceTarget or raise acceptableWait: a backlog the scaling policy accepts would already trip the oldest-request alarm and expire requests');
    c.intInRange('maxConcurrentInvocationsPerInstance', this.maxConcurrentInvocationsPerInstance, SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN, SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX);
    if (props.resultRetention !== undefined) {
      // The results bucket expires objects by an S3 lifecycle rule, which counts whole days.
      const days = props.resultRetention.toDays({ integral: false });
      c.require(Number.isInteger(days) && days >= 1, 'resultRetention', props.resultRetention.toString(), 'a whole number of days, at least 1 (S3 lifecycle expiration counts days)', 'use Duration.days(n) with n >= 1');
    }
    c.throwIfAny();
    warnOnHardwareMismatch(this, profile, props.instanceType);

    const environment = image.tensorflowServing ? tfServingEnvironment({
      // The container must be allowed the whole invocation timeout.
      nginxReadTimeoutSeconds: this.invocationTimeoutSeconds,
      vcpus,
      // SageMaker sends at most this many requests to one instance at once.
      concurrency: this.maxConcurrentInvocationsPerInstance,
      intraOpParallelism: props.intraOpParallelism,
      interOpParallelism: props.interOpParallelism,
    }) : {};
    const security = postureOf(props.security, this);
    const key = security.encryptionKey(this);
    const parts = createSageMakerModel(this, props, image, environment);
    this.role = parts.role;
    this.model = parts.model;
    this.endpointName = parts.endpointName;

    // ---- storage and notifications ---------------------------------------------------------------
    this.bucket = props.bucket ?? this.createBucket(props.resultRetention ?? Duration.days(7), security);
    // The role reads inputs and writes results in the key-encrypted bucket (regulated posture).
    grantKeyUse(key, this.role);
    // Exact actions on the three prefixes: no s3:* and no bucket-wide access.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${this.inputPrefix}*`)] }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('async/output/*'), this.bucket.arnForObjects('async/failure/*')] }));
    const ownBucket = this.bucket.node.defaultChild instanceof s3.CfnBucket ? this.bucket.node.defaultChild : undefined;
    for (const prefix of ownBucket ? ['input', 'output', 'failure'] : []) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(ownBucket!)}.Arn>/async/${prefix}/*]`,
        reason: `SageMaker names objects by inference id under the async/${prefix}/ prefix of this endpoint's own bucket`,
      });
    }
    this.successTopic = new sns.Topic(this, 'SuccessTopic', { enforceSSL: true, displayName: 'Async inference succeeded', masterKey: key });
    this.errorTopic = new sns.Topic(this, 'ErrorTopic', { enforceSSL: true, displayName: 'Async inference failed', masterKey: key });
    acknowledgeUnlessRegulated(security, this.successTopic, 'SNSEncryptedKMS',
      'Success notifications carry the inference id and the S3 location of the result, not the result itself; SNS encrypts them at rest with the AWS managed key', 'encrypts the topic with the customer-managed key');
    acknowledgeUnlessRegulated(security, this.errorTopic, 'SNSEncryptedKMS',
      'Error notifications carry the inference id and the model server\'s error response (no request body); SNS encrypts them at rest with the AWS managed key', 'encrypts the topic with the customer-managed key');
    this.successTopic.grantPublish(this.role);
    this.errorTopic.grantPublish(this.role);
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(SQS_RETENTION_MAX_S),
    });
    Validations.of(this.failureQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter store of failed async inferences (fed by the error topic); nothing consumes and re-drives it automatically' });
    Validations.of(this.failureQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself the dead-letter store of failed async inferences (fed by the error topic)' });
    const subscription = new subs.SqsSubscription(this.failureQueue, { rawMessageDelivery: true });
    this.errorTopic.addSubscription(subscription);
    const cfnSub = this.node.findAll().find((n) => n instanceof sns.Subscription);
    if (cfnSub) {
      Validations.of(cfnSub).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'The subscription delivers to an SQS queue in the same stack whose policy admits this topic; SNS retries SQS deliveries 100,015 times over 23 days, and the queue is itself the failure store',
      });
    }

    const b = this.bucket.bucketName;
    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      kmsKeyId: parts.kmsKey?.keyArn,
      productionVariants: [{
        variantName: this.variantName,
        modelName: this.model.attrModelName,
        instanceType: props.instanceType,
        // SageMaker needs at least one instance at creation; scaling takes it to minInstances.
        initialInstanceCount: Math.max(1, minInstances),
        initialVariantWeight: 1,
        volumeSizeInGb: props.volumeSizeGb,
      }],
      asyncInferenceConfig: {
        clientConfig: { maxConcurrentInvocationsPerInstance: this.maxConcurrentInvocationsPerInstance },
        outputConfig: {
          // Results written with the customer-managed key (regulated posture).
          kmsKeyId: key?.keyArn,
          s3OutputPath: `s3://${b}/async/output/`,
          s3FailurePath: `s3://${b}/async/failure/`,
          notificationConfig: { successTopic: this.successTopic.topicArn, errorTopic: this.errorTopic.topicArn, includeInferenceResponseIn: ['ERROR_NOTIFICATION_TOPIC'] },
        },
      },
    });
    // The per-request values callers pass on InvokeEndpointAsync belong to no resource property:
    // recorded beside the configuration so a review of the template can check them.
    this.endpointConfig.addMetadata(ASYNC_INVOCATION_METADATA, { InvocationTimeoutSeconds: this.invocationTimeoutSeconds, RequestTTLSeconds: this.requestTtlSeconds });
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', { endpointConfigName: this.endpointConfig.attrEndpointConfigName, endpointName: this.endpointName });
    recordProfile(this.endpoint, this.profile);

    // ---- scaling: backlog per instance, and scale from zero ----------------------------------------
    this.scalableTarget = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpoint.attrEndpointName}/variant/${this.variantName}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: minInstances,
      maxCapacity: maxInstances,
    });
    this.scalableTarget.scaleToTrackMetric('BacklogPerInstance', {
      customMetric: this.metricBacklogPerInstance(),
      targetValue: this.targetBacklogPerInstance,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(600),
    });
    // Target tracking cannot leave zero instances (the per-instance metric is undefined there): a
    // step policy on HasBacklogWithoutCapacity adds the first instance.
    const fromZero = new appscaling.StepScalingAction(this, 'ScaleFromZero', {
      scalingTarget: this.scalableTarget,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(Math.max(60, Math.ceil(profile.coldStartSeconds))),
    });
    fromZero.addAdjustment({ adjustment: 1, lowerBound: 0 });
    const backlogWithoutCapacity = createGuardAlarm(this, 'HasBacklogWithoutCapacity', {
      metric: this.metricHasBacklogWithoutCapacity(), threshold: 1, unit: 'Fraction', evaluationPeriods: 1,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: 'Requests are queued and no instance is running: scale from zero.',
      atRest: { value: 0, basis: 'an instance runs whenever requests wait' },
    });
    backlogWithoutCapacity.addAlarmAction(new cwActions.ApplicationScalingAction(fromZero));

    // ---- alarms -------------------------------------------------------------------------------------
    const backlogBudget = maxInstances * this.targetBacklogPerInstance * 2;
    const nominalBacklog = this.targetBacklogPerInstance * Math.max(1, minInstances);
    const variantDims = { EndpointName: this.endpoint.attrEndpointName, VariantName: this.variantName };
    const definitions: GuardAlarmDefinition[] = [];
    const add = (id: string, spec: GuardAlarmSpec, saturation = false) => { definitions.push({ id, spec, saturation }); };
    add('Backlog', {
      metric: this.metricBacklog(), threshold: backlogBudget, unit: 'Count', evaluationPeriods: 5,
      description: `Backlog above ${backlogBudget} requests (2 x the scaling target at the ${maxInstances}-instance maximum): more work arrives than the capped fleet drains.`,
      atRest: { value: nominalBacklog, basis: `target tracking holds the backlog near ${this.targetBacklogPerInstance} per instance` },
    }, true);
    add('OldestRequestAge', {
      metric: this.metric('ApproximateAgeOfOldestRequest'), threshold: this.requestTtlSeconds * 0.8, unit: 'Seconds', evaluationPeriods: 3,
      description: `Oldest queued request older than 80 % of its ${this.requestTtlSeconds} s TTL: requests are about to expire.`,
      atRest: { value: backlogSeconds, basis: `a backlog at the scaling target drains in about ${backlogSeconds} s` },
    }, true);
    add('StuckWithoutCapacity', {
      metric: this.metricHasBacklogWithoutCapacity(), threshold: 1, unit: 'Fraction', evaluationPeriods: 15,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: 'Backlog without capacity for 15 minutes: scale-from-zero is not working.',
      atRest: { value: 0, basis: 'scale-from-zero adds an instance within one cold start' },
    });
    // Failure metrics carry EndpointName and VariantName (unlike the backlog metrics).
    add('InvocationFailures', {
      metric: catalogMetric(METRIC_CATALOG.smAsyncInvocationFailures, variantDims, { statistic: 'Sum' }), threshold: 0, unit: 'Count', evaluationPeriods: 1,
      description: 'Async invocations failed; details are in the failure queue and the S3 failure path.',
      atRest: { value: 0, basis: 'the profiled model answers every request' },
    });
    add('ExpiredRequests', {
      metric: catalogMetric(METRIC_CATALOG.smAsyncExpiredRequests, variantDims, { statistic: 'Sum' }), threshold: 0, unit: 'Count', evaluationPeriods: 1,
      description: `Requests expired after waiting ${this.requestTtlSeconds} s (RequestTTLSeconds) without being processed: the capped fleet cannot drain the backlog.`,
      atRest: { value: 0, basis: `the backlog drains in about ${backlogSeconds} s, well within the TTL` },
    }, true);
    add('FailureQueueNotEmpty', {
      metric: catalogMetric(METRIC_CATALOG.sqsVisible, { QueueName: this.failureQueue.queueName }, { statistic: 'Maximum' }), threshold: 0, unit: 'Count', evaluationPeriods: 1,
      description: 'Failed async inferences are waiting in the failure queue.',
      atRest: { value: 0, basis: 'no failures at rest' },
    });
    const watched = buildGuardAlarms(this, definitions, [
      graph('Backlog', [this.metricBacklog()], backlogBudget), graph('Backlog per instance', [this.metricBacklogPerInstance()], this.targetBacklogPerInstance),
      graph('Oldest request (s)', [this.metric('ApproximateAgeOfOldestRequest')], this.requestTtlSeconds * 0.8),
    ], props.alarmTopic);
    this.alarms = GuardAlarms.merge([
      new GuardAlarms({ entries: [{ name: 'HasBacklogWithoutCapacity', alarm: backlogWithoutCapacity, scaling: true }] }),
      watched,
    ]);
  }

  /** Grants `caller` InvokeEndpointAsync and uploads under the input prefix, and says how to invoke. */
  public bindAsyncCaller(caller: iam.IGrantable): AsyncInvocationTarget {
    this.grantInvoke(caller);
    return {
      endpointName: this.endpointName, inputBucketName: this.bucket.bucketName, inputPrefix: this.inputPrefix,
      invocationTimeoutSeconds: this.invocationTimeoutSeconds, requestTtlSeconds: this.requestTtlSeconds,
    };
  }

  private createBucket(retention: Duration, security: SecurityPosture): s3.Bucket {
    // Server access logs are granted by a bucket policy, not the legacy LogDeliveryWrite ACL.
    const storage = new Construct(this, 'Storage');
    storage.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const logs = accessLogBucket(security, storage, 'AccessLogs', 'the async inference bucket');
    const bucket = new s3.Bucket(storage, 'Bucket', {
      ...dataBucketProps(security, this), enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'async-bucket/',
      // Inputs, results and failures are transient: they expire so an attack cannot grow storage without bound.
      lifecycleRules: [{ expiration: retention, noncurrentVersionExpiration: noncurrentExpiration(security, retention) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeDataBucket(security, bucket, `Async inference inputs, results and failures of ${this.endpointName}, kept ${retention.toDays()} days`);
    return bucket;
  }

  /** Lets `grantee` start async inferences: InvokeEndpointAsync on this endpoint and uploads under the input prefix. */
  public grantInvoke(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sagemaker:InvokeEndpointAsync'],
      resources: [`arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:endpoint/${this.endpointName}`],
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${this.inputPrefix}*`)] }));
    // Uploads to a key-encrypted bucket need a data key (regulated posture).
    this.bucket.encryptionKey?.grantEncrypt(grantee);
    const ownBucket = this.bucket.node.defaultChild instanceof s3.CfnBucket ? this.bucket.node.defaultChild : undefined;
    if (ownBucket && grantee.grantPrincipal instanceof iam.Role) {
      Validations.of(grantee.grantPrincipal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(ownBucket)}.Arn>/async/input/*]`,
        reason: 'A caller names each async input object itself (one object per request) under the input prefix of the endpoint\'s own bucket; it may write nowhere else',
      });
    }
  }

  private metric(metricName: 'ApproximateBacklogSizePerInstance' | 'ApproximateBacklogSize' | 'HasBacklogWithoutCapacity' | 'ApproximateAgeOfOldestRequest'): cloudwatch.Metric {
    const entry = {
      ApproximateBacklogSizePerInstance: METRIC_CATALOG.smAsyncBacklogPerInstance,
      ApproximateBacklogSize: METRIC_CATALOG.smAsyncBacklog,
      HasBacklogWithoutCapacity: METRIC_CATALOG.smAsyncBacklogWithoutCapacity,
      ApproximateAgeOfOldestRequest: METRIC_CATALOG.smAsyncOldestRequestAge,
    }[metricName];
    // The backlog metrics carry only the EndpointName dimension.
    return catalogMetric(entry, { EndpointName: this.endpoint.attrEndpointName });
  }

  /** `ApproximateBacklogSizePerInstance`, Average per minute (the scaling metric). */
  public metricBacklogPerInstance(): cloudwatch.Metric { return this.metric('ApproximateBacklogSizePerInstance'); }
  /** `ApproximateBacklogSize`, Average per minute. */
  public metricBacklog(): cloudwatch.Metric { return this.metric('ApproximateBacklogSize'); }
  /** `HasBacklogWithoutCapacity`, Average per minute (1 while requests wait with no instance). */
  public metricHasBacklogWithoutCapacity(): cloudwatch.Metric { return this.metric('HasBacklogWithoutCapacity'); }
}
