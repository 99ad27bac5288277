import { aws_apigateway as apigw, aws_cloudwatch as cloudwatch, aws_kms as kms, aws_sns as sns, Duration } from 'aws-cdk-lib';
import { InferenceQueue, WorkerBackend } from '../queue';
import { Construct } from 'constructs';
import { AlarmThresholdOverrides, AlarmTopic, InferenceAlarms } from '../alarms';
import { InferenceApi, ManagedRuleGroup } from '../api';
import { InferenceImage, ModelArtifact, SageMakerRealtimeBackend } from '../compute';
import { ProblemCollector, SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS, SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES } from '../core';
import { serviceSignature } from '../model/inspection';
import { InferenceLimits, InferenceProfile, LimitOverrides, ModelSignature, QueueLimitOptions, UsagePlanTierSpec, deriveLimits, deriveQueueLimits } from '../profile';

/** The bounded job queue beside `POST /predict`: `POST /jobs` and `GET /jobs/{id}`. */
export interface KerasJobQueueOptions {
  /**
   * Queue limits. `maxInstances` is always the service's, so the workers never plan for capacity the endpoint cannot have.
   * @default - derived from the profile (acceptable wait 300 s)
   */
  readonly limits?: QueueLimitOptions;
}

/** Props of `KerasInferenceService`. */
export interface KerasInferenceServiceProps {
  /** The measured profile of the model on `instanceType`. */
  readonly profile: InferenceProfile;
  /** The SavedModel to serve. */
  readonly model: ModelArtifact;
  /**
   * The model's input signature (request schema). When the model is a SavedModel directory, a
   * signature given here must agree with the model's own (an error names both).
   * @default - read from the model's saved_model.pb (ModelSignature.fromSavedModel), max batch = maxServerBatchSize; required for other artifacts
   */
  readonly signature?: ModelSignature;
  /**
   * SageMaker instance type.
   * @default - the profile's hardware when it is an `ml.*` type
   */
  readonly instanceType?: string;
  /**
   * Serving image.
   * @default InferenceImage.tensorflowServingDlc()
   */
  readonly image?: InferenceImage;
  /**
   * Instances always running.
   * @default 1
   */
  readonly minInstances?: number;
  /**
   * Instances at most: the cost ceiling under attack.
   * @default 2
   */
  readonly maxInstances?: number;
  /**
   * Share of measured fleet capacity the API admits.
   * @default 0.8
   */
  readonly headroom?: number;
  /**
   * Usage-plan tiers.
   * @default basic 10 %, standard 25 %, premium 50 % of the stage rate
   */
  readonly usagePlanTiers?: UsagePlanTierSpec[];
  /**
   * Values that replace derived limits (still checked against the invariants).
   * @default - all derived
   */
  readonly limitOverrides?: LimitOverrides;
  /**
   * Largest batch TF Serving forms.
   * @default 8
   */
  readonly maxServerBatchSize?: number;
  /** @default apigw.EndpointType.REGIONAL */
  readonly endpointType?: apigw.EndpointType;
  /**
   * VPC endpoints allowed to call a PRIVATE API.
   * @default - none
   */
  readonly vpcEndpointIds?: string[];
  /**
   * Allow an integration timeout above 29 s (Regional/private, after a quota increase).
   * @default false
   */
  readonly allowExtendedIntegrationTimeout?: boolean;
  /**
   * Authorizer for the API.
   * @default - IAM authorization
   */
  readonly authorizer?: apigw.IAuthorizer;
  /**
   * AWS managed WAF rule groups to add.
   * @default - none
   */
  readonly managedRuleGroups?: ManagedRuleGroup[];
  /**
   * An existing topic for alarm notifications.
   * @default - a new TLS-only topic
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm threshold overrides.
   * @default - all derived
   */
  readonly alarmThresholds?: AlarmThresholdOverrides;
  /**
   * KMS key for the ML storage volume (EBS-only instance types).
   * @default - see SageMakerRealtimeBackend
   */
  readonly kmsKey?: kms.IKey;
  /**
   * Extra container environment.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Create the account-level API Gateway CloudWatch role.
   * @default true
   */
  readonly createCloudWatchRole?: boolean;
  /**
   * Add a bounded job queue (`POST /jobs`, `GET /jobs/{id}`) in front of the same endpoint, for
   * bursts and long batches: admission answers 429 + Retry-After over the backlog budget.
   * @default - no job queue
   */
  readonly jobQueue?: KerasJobQueueOptions;
  /**
   * Model download timeout.
   * @default - 2 x cold start within 60-3600 s
   */
  readonly modelDownloadTimeout?: Duration;
}

/**
 * One statement: a Keras model on a SageMaker real-time GPU endpoint behind a guarded REST API,
 * with every limit derived from the measured profile, checked at synth, and alarmed.
 */
export class KerasInferenceService extends Construct {
  /** Every number the service set, with its formula. */
  public readonly limits: InferenceLimits;
  public readonly backend: SageMakerRealtimeBackend;
  public readonly api: InferenceApi;
  public readonly alarms: InferenceAlarms;
  public readonly alarmTopic: sns.ITopic;
  /** The job queue, when `jobQueue` is set. */
  public readonly jobs?: InferenceQueue;

  constructor(scope: Construct, id: string, props: KerasInferenceServiceProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? (props.profile.hardware.startsWith('ml.') ? props.profile.hardware : undefined);
    const c = new ProblemCollector('SERVICE_PROPS_INVALID', this.node.path);
    c.require(instanceType !== undefined, 'instanceType', instanceType, 'an ml.* instance type', `set instanceType (the profile's hardware "${props.profile.hardware}" is not a SageMaker type)`);
    // Every pass reports into one error, so a user fixes all problems in one round.
    const resolvedSignature = c.collect(() => serviceSignature(this.node.path, props.model.savedModelDirectory, props.signature, props.maxServerBatchSize ?? 8));
    const limits = c.collect(() => deriveLimits(props.profile, {
      minInstances: props.minInstances,
      maxInstances: props.maxInstances,
      headroom: props.headroom,
      usagePlanTiers: props.usagePlanTiers,
      overrides: props.limitOverrides,
      maxBatchSize: props.maxServerBatchSize,
      endpointType: props.endpointType,
      allowExtendedIntegrationTimeout: props.allowExtendedIntegrationTimeout,
      backendMaxPayloadBytes: SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES,
      backendTimeoutMs: SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS,
      backendName: 'SageMaker real-time endpoint',
    }));
    if (props.jobQueue) c.collect(() => deriveQueueLimits(props.profile, { ...props.jobQueue!.limits, maxInstances: limits?.scaling.maxInstances ?? props.maxInstances }));
    c.throwIfAny();
    this.limits = limits!;
    const signature = resolvedSignature!;

    this.backend = new SageMakerRealtimeBackend(this, 'Backend', {
      model: props.model,
      profile: props.profile,
      limits: this.limits,
      instanceType: instanceType!,
      image: props.image,
      kmsKey: props.kmsKey,
      environment: props.environment,
      modelDownloadTimeout: props.modelDownloadTimeout,
    });

    this.api = new InferenceApi(this, 'Api', {
      target: this.backend,
      limits: this.limits,
      signature,
      endpointType: props.endpointType,
      vpcEndpointIds: props.vpcEndpointIds,
      allowExtendedIntegrationTimeout: props.allowExtendedIntegrationTimeout,
      authorizer: props.authorizer,
      managedRuleGroups: props.managedRuleGroups,
      createCloudWatchRole: props.createCloudWatchRole,
    });

    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'AlarmTopic').topic;
    this.alarms = new InferenceAlarms(this, 'Alarms', {
      api: this.api,
      backend: this.backend,
      limits: this.limits,
      topic: this.alarmTopic,
      thresholds: props.alarmThresholds,
    });

    if (props.jobQueue) {
      this.jobs = new InferenceQueue(this, 'Jobs', {
        profile: props.profile,
        signature,
        backend: WorkerBackend.sageMakerEndpoint(this.backend),
        limits: { ...props.jobQueue.limits, maxInstances: this.limits.scaling.maxInstances },
        alarmTopic: this.alarmTopic,
      });
      // One dashboard for both paths.
      this.alarms.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Job queue alarms', alarms: [...this.jobs.alarms], width: 24 }));
      // The same request model, validator and authorization as /predict.
      this.jobs.attachToApi(this.api.api.root, {
        requestModel: this.api.requestModel,
        requestValidator: this.api.requestValidator,
        authorizationType: props.authorizer ? undefined : apigw.AuthorizationType.IAM,
        authorizer: props.authorizer,
        apiKeyRequired: true,
      });
    }
  }
}
