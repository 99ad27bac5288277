import { aws_apigateway as apigw, aws_cloudwatch as cloudwatch, aws_sns as sns } from 'aws-cdk-lib';
import { InferenceQueue, WorkerBackend } from '../queue';
import { Construct } from 'constructs';
import { AlarmThresholdOverrides, AlarmTopic, GuardAlarms, IAlarmSource } from '../alarms';
import { InferenceAlarms } from './inference-alarms';
import { InferenceApi, ManagedRuleGroup } from '../api';
import { IAsyncInferenceBackend, IInferenceBackend, ISyncInferenceBackend } from '../compute/backend';
import { InferenceCompute } from '../compute/inference-compute';
import { ProblemCollector } from '../core';
import { serviceSignature } from '../model/inspection';
import { SecurityPosture, postureOf } from '../security/security-posture';
import { runbookLinksWidget, writeRunbookAtSynth } from '../runbook/runbook-file';
import { EcsInferenceTaskBase } from '../compute/ecs/inference-task-base';
import { InferenceLimits, InferenceProfile, LimitOverrides, QueueLimitOptions, UsagePlanTierSpec, deriveLimits, deriveQueueLimits, LIMIT_DEFAULTS } from '../profile';
import { ModelSignature } from '../model';

/** A tier's share of the stage rate, which is also one key's share of the job queue. */
function tierShare(given: readonly UsagePlanTierSpec[] | undefined, name: string): number | undefined {
  return (given ?? LIMIT_DEFAULTS.tiers).find((t) => t.name === name)?.shareOfStageRate;
}

/** The bounded job queue beside `POST /predict`: `POST /jobs` and `GET /jobs/{id}`. */
export interface KerasJobQueueOptions {
  /**
   * Queue limits. `maxInstances` and `backend` are always the service's, so the workers never plan for capacity the backend cannot have.
   * @default - derived from the profile (acceptable wait 300 s)
   */
  readonly limits?: QueueLimitOptions;
  /**
   * Refuse synchronous requests above the queue's `syncCostThresholdUnits` (tune it with
   * `limits.syncCostThresholdUnits`): `POST /predict` validates against the signature narrowed to
   * that cost, and a heavier request gets a 400 whose JSON body names the limit and `POST /jobs`.
   * @default true
   */
  readonly capSyncCost?: boolean;
}

/** Props of `KerasInferenceService`. */
export interface KerasInferenceServiceProps {
  /** The measured profile of the model on the compute's hardware. */
  readonly profile: InferenceProfile;
  /**
   * Where the model runs: `InferenceCompute.sageMakerRealtime(...)`, `.sageMakerServerless(...)`,
   * `.sageMakerAsync(...)`, `.ecsGpu(...)` or `.fargate(...)`.
   */
  readonly compute: InferenceCompute;
  /**
   * The model's input signature (request schema). When the model is a SavedModel directory, a
   * signature given here must agree with the model's own (an error names both).
   * @default - read from the model's saved_model.pb (ModelSignature.fromSavedModel), max batch = maxServerBatchSize; required for other models
   */
  readonly signature?: ModelSignature;
  /**
   * Scaling units always running (instances, tasks, or provisioned concurrency).
   * @default 1; 0 on compute that scales to zero
   */
  readonly minInstances?: number;
  /**
   * Scaling units at most: the cost ceiling under attack. Set once here; scaling, throttling,
   * WAF, the queue workers and the cost figures all read it.
   * @default - the compute's default (2 instances or tasks; serverless derives it from its cost ceiling)
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
   * Security posture, passed to every part: `SecurityPosture.regulated()` gives customer-managed
   * keys, functions in the service's VPC, load balancer HTTPS, access logs and deletion protection,
   * a table backup plan and managed policies (NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs).
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
  /**
   * Where the team publishes the runbook (`kig runbook` output); the dashboard links each alarm to
   * `<runbookUrl>#alarm-<logical id>`.
   * @default - links name the runbook file the synthesis writes into the cloud assembly (`<stack artifact>.runbook.md`)
   */
  readonly runbookUrl?: string;
}

/**
 * One statement: a Keras model on the compute of your choice behind a guarded REST API, with
 * every limit derived from the measured profile and the compute's capabilities, checked at
 * synth, and alarmed. Asynchronous compute gets no synchronous `POST /predict`: it is reached
 * through InvokeEndpointAsync (`asyncBackend.bindAsyncCaller()`).
 */
export class KerasInferenceService extends Construct implements IAlarmSource {
  /** Every number the service set, with its formula. */
  public readonly limits: InferenceLimits;
  /** The backend, whichever compute was chosen. */
  public readonly backend: IInferenceBackend;
  /** The backend when it answers synchronously (it serves `POST /predict` and the job queue). */
  public readonly syncBackend?: ISyncInferenceBackend;
  /** The backend when it answers through S3 (InvokeEndpointAsync). */
  public readonly asyncBackend?: IAsyncInferenceBackend;
  /** The guarded API, for synchronous compute. */
  public readonly api?: InferenceApi;
  /**
   * Every alarm of the service: the API's, the backend's and the job queue's (each part also
   * exposes its own as `alarms`: `backend.alarms`, `jobs.alarms`).
   */
  public readonly alarms: GuardAlarms;
  /** Rate limits are rejecting traffic AND the backend is saturated; only with an API. */
  public readonly underAttack?: cloudwatch.CompositeAlarm;
  /** API, backend and job queue metrics, with every alarm's state. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The job queue, when `jobQueue` is set. */
  public readonly jobs?: InferenceQueue;
  /** The security posture every part was built with. */
  public readonly security: SecurityPosture;

  constructor(scope: Construct, id: string, props: KerasInferenceServiceProps) {
    super(scope, id);
    const compute = props.compute;
    const capabilities = compute.capabilities(props.profile);
    const c = new ProblemCollector('SERVICE_PROPS_INVALID', this.node.path);
    c.addAll(compute.problems(props.profile));
    c.require(props.jobQueue === undefined || capabilities.synchronous, 'jobQueue', 'set', `only with synchronous compute (the ${capabilities.name} answers through S3)`,
      'remove jobQueue: callers reach an asynchronous endpoint with InvokeEndpointAsync, which queues requests itself');
    // Every pass reports into one error, so a user fixes all problems in one round.
    const resolvedSignature = capabilities.synchronous || props.signature !== undefined || compute.savedModelDirectory !== undefined
      ? c.collect(() => serviceSignature(this.node.path, compute.savedModelDirectory, props.signature, props.maxServerBatchSize ?? 8))
      : undefined;
    const limits = c.collect(() => deriveLimits(props.profile, {
      minInstances: props.minInstances,
      maxInstances: props.maxInstances,
      headroom: props.headroom,
      usagePlanTiers: props.usagePlanTiers,
      overrides: props.limitOverrides,
      maxBatchSize: props.maxServerBatchSize,
      endpointType: props.endpointType,
      allowExtendedIntegrationTimeout: props.allowExtendedIntegrationTimeout,
      backend: capabilities,
    }));
    const queueOptions = (l: InferenceLimits | undefined): QueueLimitOptions => ({
      // The usage-plan tiers, lowest rate first, are the queue's tiers: a key's share of the job
      // queue is its share of the stage rate.
      tiers: l ? [...l.usagePlanTiers].sort((a, b) => a.rateLimit - b.rateLimit).map((t) => ({ name: t.name, keyShare: tierShare(props.usagePlanTiers, t.name) })) : undefined,
      integrationTimeoutMs: l?.timeouts.integrationTimeoutMs,
      signature: resolvedSignature,
      ...props.jobQueue!.limits,
      maxInstances: l?.scaling.maxInstances ?? props.maxInstances,
      backend: capabilities,
    });
    const queueLimits = props.jobQueue ? c.collect(() => deriveQueueLimits(props.profile, queueOptions(limits))) : undefined;
    c.throwIfAny();
    this.limits = limits!;

    const security = postureOf(props.security, this);
    // The service's own key first, so every part shares it (it lives under the service).
    security.encryptionKey(this);
    this.security = security;
    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'AlarmTopic', { security }).topic;
    const built = compute.bind(this, 'Backend', { profile: props.profile, limits: this.limits, alarmTopic: this.alarmTopic, alarmThresholds: props.alarmThresholds, security });
    this.backend = built.backend;
    this.syncBackend = built.syncBackend;
    this.asyncBackend = built.asyncBackend;

    if (built.syncBackend) {
      this.api = new InferenceApi(this, 'Api', {
        target: built.syncBackend,
        limits: this.limits,
        signature: resolvedSignature!,
        endpointType: props.endpointType,
        vpcEndpointIds: props.vpcEndpointIds,
        allowExtendedIntegrationTimeout: props.allowExtendedIntegrationTimeout,
        authorizer: props.authorizer,
        managedRuleGroups: props.managedRuleGroups,
        createCloudWatchRole: props.createCloudWatchRole,
        security,
        // Only with a job queue: without one there is nowhere to send heavier work.
        syncCostCap: queueLimits && props.jobQueue?.capSyncCost !== false ? {
          thresholdUnits: queueLimits.syncCostThresholdUnits,
          maxBatchSize: queueLimits.syncMaxBatchSize,
          maxVariableDim: queueLimits.syncMaxVariableDim,
          maxRequestCostUnits: queueLimits.syncMaxRequestCostUnits,
          heavierRequestsTo: 'POST /jobs',
        } : undefined,
      });
    }

    const apiAlarms = new InferenceAlarms(this, 'Alarms', {
      api: this.api,
      backend: this.backend,
      limits: this.limits,
      alarmTopic: this.alarmTopic,
      alarmThresholds: props.alarmThresholds,
    });
    this.underAttack = apiAlarms.underAttack;
    this.dashboard = apiAlarms.dashboard;

    if (props.jobQueue && built.syncBackend && this.api) {
      this.jobs = new InferenceQueue(this, 'Jobs', {
        profile: props.profile,
        signature: resolvedSignature!,
        backend: WorkerBackend.fromBackend(built.syncBackend),
        limits: queueOptions(this.limits),
        tierApiKeys: Object.entries(this.api.apiKeys).map(([tier, key]) => ({ tier, apiKeys: [key] })),
        alarmTopic: this.alarmTopic,
        security,
        vpc: built.backend instanceof EcsInferenceTaskBase ? built.backend.vpc : undefined,
      });
      // One dashboard for both paths.
      apiAlarms.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Job queue alarms', alarms: this.jobs.alarms.monitoring, width: 24 }));
      apiAlarms.dashboard.addWidgets(this.jobs.tierBudgetWidget());
      // The same request model, validator and authorization as /predict.
      this.jobs.attachToApi(this.api.api.root, {
        requestModel: this.api.requestModel,
        requestValidator: this.api.requestValidator,
        authorizationType: props.authorizer ? undefined : apigw.AuthorizationType.IAM,
        authorizer: props.authorizer,
        apiKeyRequired: true,
      });
    }
    this.alarms = GuardAlarms.merge([apiAlarms.alarms, this.backend.alarms, ...(this.jobs ? [this.jobs.alarms] : [])]);
    // Operations: every alarm's runbook section, linked from the dashboard and written at synthesis.
    this.dashboard.addWidgets(runbookLinksWidget(this, this.alarms.all, props.runbookUrl));
    writeRunbookAtSynth(this);
  }
}
