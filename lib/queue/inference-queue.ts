import { Annotations, CfnResource, Duration, Stack, Token, aws_apigateway as apigw, aws_cloudwatch as cloudwatch, aws_dynamodb as dynamodb, aws_ec2 as ec2, aws_iam as iam, aws_lambda as lambda, aws_lambda_event_sources as sources, aws_logs as logs, aws_s3 as s3, aws_sqs as sqs, aws_backup as backup, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DYNAMODB_MAX_ITEM_BYTES, LAMBDA_ENV_VARS_MAX_BYTES, ProblemCollector, SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT, SQS_LONG_POLL_MAX_S, SQS_MAX_MESSAGE_BYTES } from '../core';
import { METRIC_CATALOG, catalogMetric } from '../alarms/metric-catalog';
import { deriveQueueLimits, QueueLimits } from '../profile/queue-limits';
import { HANDLER_ENV } from './handler-env';
import { admissionCode } from './private/admission-code';
import { acknowledge, nagResourceText } from '../core/nag-text';
import { directSubmitMethod } from './private/queue-direct-submit';
import { queueFunction, queueFunctionRole } from './private/queue-functions';
import { queueAlarms } from './private/queue-alarms';
import { deadLetterReconciler } from './private/dead-letter-reconciler';
import { messagesInQueue } from './private/queue-metrics';
import { GuardAlarms, IAlarmSource } from '../alarms/guard-alarms';
import { SecurityPosture, postureOf } from '../security/security-posture';
import { acknowledgeCompliance, grantKeyUse } from '../security/compliance';
import { accessLogBucket, acknowledgeDataBucket, dataBucketProps, noncurrentExpiration } from '../security/storage';
import { addIntegrationFailureResponse } from '../api/integration-failure';
import { QUEUE_METRICS, InferenceQueueProps, JobSubmission, AttachToApiOptions, JobsApi } from './inference-queue-props';
export * from './inference-queue-props';

/**
 * Async inference through a bounded SQS queue: admission with a backlog budget, capped workers,
 * a dead-letter queue, a job store and status endpoint, and alarms, all derived from the
 * measured inference profile.
 *
 * Construct IDs (stable): `DeadLetterQueue`, `Queue`, `JobTable`, `PayloadBucket`, `Admission`,
 * `Worker`, `Status`, `Reconciler` (each with `LogGroup` and `Role`; `Reconciler` also `Schedule`), `Alarms/*`.
 */
export class InferenceQueue extends Construct implements IAlarmSource {
  /** The numbers this queue was built with, with their formulas. */
  public readonly limits: QueueLimits;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly jobTable: dynamodb.ITable;
  public readonly payloadBucket: s3.IBucket;
  public readonly admissionFunction: lambda.Function;
  /** The Lambda worker; undefined with `WorkerBackend.externalConsumer()`. */
  public readonly workerFunction?: lambda.Function;
  public readonly statusFunction: lambda.Function;
  /**
   * Runs every 5 minutes: settles the jobs whose message SQS moved to the dead-letter queue while no
   * worker could write their outcome (a crash or timeout on the last delivery), marking them
   * DEAD_LETTERED and giving their cost units back to admission. It leaves the messages in the
   * dead-letter queue.
   */
  public readonly reconcilerFunction: lambda.Function;
  /** The worker's SQS event source (batch size, maxConcurrency, partial batch responses). */
  public readonly eventSource?: sources.SqsEventSource;
  /**
   * Every alarm of the queue (under `Alarms/`): `AgeOfOldestMessage`, `Depth`, `DeadLetters`,
   * `RejectedShare`, `ReconcilerErrors`, `LedgerRepaired` (the reconciler gave back cost units no job
   * held; when admission holds cost units: not with an external consumer that gives none back), `KeyAtShare-<tier>` and `TierAtShare-<tier>`, and with a Lambda worker `WorkerErrors`, `WorkerThrottles` and
   * `WorkerDurationNearTimeout` (with `WorkerBackend.externalConsumer()`, alarm on that consumer).
   */
  public readonly alarms: GuardAlarms;

  private readonly requestSchema: Record<string, unknown>;
  private readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, props: InferenceQueueProps) {
    super(scope, id);
    // One error for every problem: the derived limits' and this construct's own.
    const c = new ProblemCollector('QUEUE_INVALID', this.node.path);
    const derived = c.collect(() => deriveQueueLimits(props.profile, { signature: props.signature, ...props.limits }));
    this.requestSchema = props.signature.toJsonSchema();
    const jobTtl = props.jobTtl ?? Duration.days(7);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const resultInlineMaxBytes = props.resultInlineMaxBytes ?? 65_536;
    const rejectedShareThreshold = props.rejectedShareThreshold ?? 0.1;
    const resultUrlExpiry = props.resultUrlExpiry ?? Duration.minutes(15);

    c.intInRange('resultInlineMaxBytes', resultInlineMaxBytes, 1, DYNAMODB_MAX_ITEM_BYTES - 8_192, 'results must fit in one DynamoDB item with the job\'s other fields');
    c.numberInRange('rejectedShareThreshold', rejectedShareThreshold, 0.001, 1);
    c.intInRange('admissionMemoryMiB', props.admissionMemoryMiB, 128, 10_240);
    c.intInRange('workerMemoryMiB', props.workerMemoryMiB, 128, 10_240);
    if (derived !== undefined) {
      c.require(jobTtl.toSeconds() >= derived.messageRetentionSeconds, 'jobTtl', `${jobTtl.toSeconds()} s`,
        `>= the queue retention (${derived.messageRetentionSeconds} s)`, 'a job record must outlive its message, or a late delivery finds no record and the status endpoint answers 404');
    }
    c.require(Math.ceil(resultUrlExpiry.toSeconds()) >= 1 && resultUrlExpiry.toSeconds() <= 604_800, 'resultUrlExpiry', `${resultUrlExpiry.toSeconds()} s`,
      '1 s .. 7 days (the SigV4 presign limit)', 'pick a shorter expiry');
    (props.tierApiKeys ?? []).forEach((t, i) => {
      if (derived !== undefined) {
        c.require(derived.tiers.some((x) => x.name === t.tier), `tierApiKeys[${i}].tier`, t.tier, `one of the tiers: ${derived.tiers.map((x) => x.name).join(', ')}`, 'name a tier of limits.tiers');
      }
    });
    c.throwIfAny();
    const limits = derived!;
    this.limits = limits;
    const retentionDays = Math.ceil(limits.messageRetentionSeconds / 86_400);
    if (limits.maxReceiveCount < SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT) {
      Annotations.of(this).addWarningV2('keras-inference-guard:queueLowMaxReceiveCount',
        `maxReceiveCount ${limits.maxReceiveCount} is below the ${SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT} AWS recommends for Lambda consumers: a job whose deliveries are throttled or crash reaches the dead-letter queue early.`);
    }

    const security = postureOf(props.security, this);
    this.key = security.encryptionKey(this);
    const encryption = this.key ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.key } : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    // ---- queues -----------------------------------------------------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // Standard-queue expiry counts from the original enqueue, so the DLQ keeps messages longer.
      retentionPeriod: Duration.seconds(limits.deadLetterRetentionSeconds),
      ...encryption,
      enforceSSL: true,
      maxMessageSizeBytes: SQS_MAX_MESSAGE_BYTES,
    });
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', 'This queue is the dead-letter queue of the job queue; a DLQ of the DLQ would only move the same messages again.');

    this.queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(limits.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(limits.messageRetentionSeconds),
      // Long polling: fewer empty receives when the queue is idle.
      receiveMessageWaitTime: Duration.seconds(SQS_LONG_POLL_MAX_S),
      // Set explicitly: the default changed over time. Admission sends at most maxInlineMessageBytes
      // (claim check above); the direct integration is bounded by the same cap plus its envelope.
      maxMessageSizeBytes: Math.min(SQS_MAX_MESSAGE_BYTES, limits.maxInlineMessageBytes + 1_024),
      ...encryption,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: limits.maxReceiveCount },
    });

    // ---- job store ----------------------------------------------------------------------------
    this.jobTable = props.jobTable ?? new dynamodb.Table(this, 'JobTable', {
      partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      ...(this.key ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key } : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    if (!props.jobTable) this.protectTable(security, jobTtl);

    if (props.payloadBucket) {
      this.payloadBucket = props.payloadBucket;
    } else {
      const payloadExpiry = Duration.days(Math.max(retentionDays + 1, Math.ceil(jobTtl.toDays({ integral: false }))));
      const accessLogs = props.accessLogsBucket ?? (security.isRegulated ? accessLogBucket(security, this, 'AccessLogs', 'the job payload bucket') : undefined);
      const bucket = new s3.Bucket(this, 'PayloadBucket', {
        ...dataBucketProps(security, this),
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: accessLogs ? 'payload-bucket/' : undefined,
        lifecycleRules: [
          // A payload must outlive its message; results live as long as the job record.
          { id: 'ExpirePayloads', prefix: 'payloads/', expiration: payloadExpiry },
          { id: 'ExpireResults', prefix: 'results/', expiration: Duration.days(Math.max(1, Math.ceil(jobTtl.toDays({ integral: false })))) },
          { id: 'AbortUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
          ...(security.isRegulated ? [{ id: 'ExpireOldVersions', noncurrentVersionExpiration: noncurrentExpiration(security, payloadExpiry) }] : []),
        ],
      });
      if (!accessLogs) {
        const reason = 'Objects are written and read only by this construct\'s functions under a short lifecycle; CloudTrail S3 data events are the audit trail. Pass accessLogsBucket to enable server access logs.';
        acknowledge(bucket, 'AwsSolutions-S1', reason);
        acknowledgeCompliance(bucket, 'S3BucketLoggingEnabled', `${reason} The regulated posture adds an access log bucket.`);
      }
      acknowledgeDataBucket(security, bucket, `Claim-check payloads and large results of queued jobs, kept at most ${payloadExpiry.toDays()} days`);
      this.payloadBucket = bucket;
    }

    // ---- functions ----------------------------------------------------------------------------
    const common: Record<string, string> = {
      [HANDLER_ENV.tableName]: this.jobTable.tableName,
      [HANDLER_ENV.bucketName]: this.payloadBucket.bucketName,
      [HANDLER_ENV.jobTtlSeconds]: String(jobTtl.toSeconds()),
    };

    // Regulated posture: the functions run in the service's VPC where there is one.
    const functionVpc = security.isRegulated ? props.vpc : undefined;
    const inVpc = functionVpc ? { vpc: functionVpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } } : {};
    this.admissionFunction = queueFunction(this, 'Admission', {
      ...inVpc,
      encryptionKey: this.key,
      // The handler with the request schema compiled to validation code at synth.
      code: admissionCode(this.requestSchema),
      memoryMiB: props.admissionMemoryMiB ?? 512,
      timeout: Duration.seconds(10),
      // Opt-in: a reservation does not deploy on low-quota accounts (see reserveAdmissionConcurrency).
      reservedConcurrentExecutions: props.reserveAdmissionConcurrency ? limits.admissionReservedConcurrency : undefined,
      logRetention,
      description: 'Admits async inference jobs: validates, checks the backlog budget, enqueues',
      environment: {
        ...common,
        [HANDLER_ENV.queueUrl]: this.queue.queueUrl,
        [HANDLER_ENV.queueName]: this.queue.queueName,
        [HANDLER_ENV.depthBudget]: String(limits.depthBudget),
        [HANDLER_ENV.drainRate]: String(limits.drainRatePerSecond),
        [HANDLER_ENV.resumeFraction]: String(limits.resumeFraction),
        [HANDLER_ENV.maxRetryAfter]: String(limits.acceptableWaitSeconds),
        [HANDLER_ENV.depthCacheTtlMs]: String(Math.round(limits.depthCacheTtlSeconds * 1000)),
        [HANDLER_ENV.admissionEnvironments]: String(limits.admissionReservedConcurrency),
        [HANDLER_ENV.maxRequestBytes]: String(limits.maxRequestBytes),
        [HANDLER_ENV.maxInlineMessageBytes]: String(limits.maxInlineMessageBytes),
        [HANDLER_ENV.costModel]: JSON.stringify(limits.costModel),
        [HANDLER_ENV.costBudgetUnits]: String(limits.costBudgetUnits),
        [HANDLER_ENV.drainUnitsPerSecond]: String(limits.drainUnitsPerSecond),
        [HANDLER_ENV.maxJobCostUnits]: String(limits.maxJobCostUnits),
        [HANDLER_ENV.costTiers]: JSON.stringify(limits.tiers),
        [HANDLER_ENV.costLedger]: String(props.backend.givesCostUnitsBack),
        ...(props.tierApiKeys?.length ? {
          [HANDLER_ENV.keyTiers]: Stack.of(this).toJsonString(Object.fromEntries(
            props.tierApiKeys.flatMap((t) => t.apiKeys.map((k) => [k.keyId, t.tier] as const)))),
        } : {}),
      },
    });
    this.queue.grantSendMessages(this.admissionFunction);
    this.grantTable(this.admissionFunction, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    this.grantObjects(this.admissionFunction, ['s3:PutObject'], 'payloads/*');

    let worker: lambda.Function | undefined;
    if (props.backend.runsLambdaWorker) {
      const workerRole = queueFunctionRole(this, 'Worker');
      const backend = props.backend.bind(this, workerRole);
      worker = queueFunction(this, 'Worker', {
        code: 'worker',
        role: workerRole,
        encryptionKey: this.key,
        memoryMiB: props.workerMemoryMiB ?? 512,
        timeout: Duration.seconds(limits.workerTimeoutSeconds),
        logRetention,
        description: `Runs queued inference jobs against ${backend.name}`,
        vpc: props.workerVpc ?? backend.vpc ?? functionVpc,
        vpcSubnets: props.workerVpcSubnets ?? (backend.vpc ?? functionVpc ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined),
        securityGroups: props.workerSecurityGroups ?? backend.securityGroups,
        environment: {
          ...common,
          ...backend.environment,
          [HANDLER_ENV.queueUrl]: this.queue.queueUrl,
          [HANDLER_ENV.perCallDeadlineMs]: String(limits.perCallDeadlineMs),
          [HANDLER_ENV.maxReceiveCount]: String(limits.maxReceiveCount),
          [HANDLER_ENV.visibilityTimeoutSeconds]: String(limits.visibilityTimeoutSeconds),
          [HANDLER_ENV.backoffBaseSeconds]: String(limits.retryBackoffBaseSeconds),
          [HANDLER_ENV.resultInlineMaxBytes]: String(resultInlineMaxBytes),
        },
      });
      this.eventSource = new sources.SqsEventSource(this.queue, {
        batchSize: limits.batchSize,
        maxConcurrency: limits.maxWorkers,
        reportBatchItemFailures: true,
      });
      worker.addEventSource(this.eventSource);
      this.grantWorker(worker);
      acknowledge(worker, 'Serverless-LambdaDLQ', 'Invoked synchronously by the SQS event source: failed messages go to the queue\'s dead-letter queue, a function DLQ would never receive anything.');
      acknowledge(worker, 'Serverless-LambdaEventSourceMappingDestination', 'SQS event sources do not support on-failure destinations; the queue\'s redrive policy sends failed messages to its dead-letter queue.');
    }
    this.workerFunction = worker;

    this.statusFunction = queueFunction(this, 'Status', {
      ...inVpc,
      encryptionKey: this.key,
      code: 'status',
      memoryMiB: 256,
      timeout: Duration.seconds(10),
      // Reached from the API like admission, so capped the same way (InferenceGuard-LambdaConcurrencyCap).
      reservedConcurrentExecutions: props.reserveAdmissionConcurrency ? limits.admissionReservedConcurrency : undefined,
      logRetention,
      description: 'Returns the status and result of an async inference job',
      environment: { ...common, [HANDLER_ENV.presignSeconds]: String(Math.ceil(resultUrlExpiry.toSeconds())) },
    });
    if (!props.reserveAdmissionConcurrency) {
      const reason = 'Capped by the API stage throttle (concurrency <= burst + rate x the 10 s function timeout) on every account; reserved concurrency is opt-in (reserveAdmissionConcurrency) because Lambda keeps 100 executions unreserved, so a reservation fails to deploy on accounts whose concurrency quota is below 110.';
      for (const fn of [this.admissionFunction, this.statusFunction]) {
        acknowledge(fn, 'InferenceGuard-LambdaConcurrencyCap', reason);
        // In the template too, in the form kig review reads (the cdk-nag metadata format), so a review
        // of the synthesized output agrees with the pack without the pack being registered.
        (fn.node.defaultChild as CfnResource).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'InferenceGuard-LambdaConcurrencyCap', reason }] });
      }
    }
    this.grantTable(this.statusFunction, ['dynamodb:GetItem']);
    this.reconcilerFunction = deadLetterReconciler(this, {
      ...inVpc,
      deadLetterQueue: this.deadLetterQueue, queue: this.queue, tableName: this.jobTable.tableName, logRetention, encryptionKey: this.key,
      grantTable: (grantee, actions) => this.grantTable(grantee, actions),
    });
    this.grantObjects(this.statusFunction, ['s3:GetObject'], 'results/*');
    for (const f of [this.admissionFunction, this.statusFunction]) {
      acknowledge(f, 'Serverless-LambdaDLQ', 'Invoked synchronously by API Gateway: the caller gets the error, there is no asynchronous event to keep.');
      acknowledgeCompliance(f, 'LambdaDLQ', 'Invoked synchronously by API Gateway: the caller gets the error; a function DLQ keeps only failed asynchronous invocations, which this function never has.');
      if (!props.reserveAdmissionConcurrency) {
        acknowledgeCompliance(f, 'LambdaConcurrency', 'Capped by the API stage throttle (concurrency <= burst + rate x the 10 s timeout); reserved concurrency is opt-in (reserveAdmissionConcurrency) because it fails to deploy on accounts whose concurrency quota is below 100 + the reservation.');
      }
    }
    if (worker) {
      acknowledgeCompliance(worker, 'LambdaDLQ', 'Invoked synchronously by the SQS event source: failed messages go to the queue\'s dead-letter queue, a function DLQ would never receive anything.');
      acknowledgeCompliance(worker, 'LambdaConcurrency', `Capped by the SQS event source's maximum concurrency (${limits.maxWorkers}), which leaves the account pool alone; a reservation would also fail on accounts with a low concurrency quota.`);
    }
    for (const f of [this.admissionFunction, this.statusFunction, this.reconcilerFunction, ...(worker ? [worker] : [])]) {
      grantKeyUse(this.key, f);
      if (!f.isBoundToVpc) {
        acknowledgeCompliance(f, 'LambdaInsideVPC', security.isRegulated
          ? 'The service has no VPC (its backend is reached through its AWS API); the function calls only AWS APIs (SQS, DynamoDB, S3, SageMaker runtime) over TLS with SigV4. Pass vpc to run it in one.'
          : 'The function calls only AWS APIs (SQS, DynamoDB, S3, SageMaker runtime) over TLS with SigV4. Standard posture; SecurityPosture.regulated() runs it in the service\'s VPC where there is one.');
      }
    }
    this.checkEnvironmentSize();

    // ---- alarms -------------------------------------------------------------------------------
    this.alarms = queueAlarms(this, {
      limits, profile: props.profile, alarmTopic: props.alarmTopic, rejectedShareThreshold, worker, reconciler: this.reconcilerFunction, costLedger: props.backend.givesCostUnitsBack,
      depth: this.metricDepth(), rejectedShare: this.metricRejectedShare(), queueName: this.queue.queueName, deadLetterQueueName: this.deadLetterQueue.queueName,
    });
  }

  /** Jobs waiting or in flight: ApproximateNumberOfMessagesVisible + NotVisible (Maximum, 1 min), what admission bounds. */
  public metricDepth(props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
    return messagesInQueue(this.queue.queueName, 'Jobs waiting or in flight', props);
  }

  /**
   * Cost units a tier's jobs held after each admission (Maximum, 1 min), from the admission
   * function's Embedded Metric Format log lines (dimensions `QueueName`, `Tier`): the tier's use
   * of its budget share (`limits.tiers`).
   */
  public metricTierUnitsHeld(tier: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return catalogMetric(METRIC_CATALOG.tierCostUnitsHeld, { [QUEUE_METRICS.dimension]: this.queue.queueName, Tier: tier }, { statistic: 'Maximum' }).with({ period: Duration.minutes(1), ...props });
  }

  /**
   * A dashboard widget: each tier's held cost units against its budget share, and the queue's budget.
   */
  public tierBudgetWidget(): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title: `Job queue cost units per tier (budget ${this.limits.costBudgetUnits})`,
      width: 12,
      left: this.limits.tiers.map((t) => this.metricTierUnitsHeld(t.name, { label: `${t.name} (share ${t.budgetUnits}, key ${t.keyBudgetUnits})` })),
      leftAnnotations: [
        { value: this.limits.costBudgetUnits, label: 'queue budget' },
        ...this.limits.tiers.map((t) => ({ value: t.budgetUnits, label: `${t.name} budget` })),
      ],
    });
  }

  /**
   * Jobs admitted (Sum), from the admission function's Embedded Metric Format log lines
   * (namespace `KerasInferenceGuard/Queue`, dimension `QueueName`).
   */
  public metricAdmitted(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.emfMetric(QUEUE_METRICS.admitted, props);
  }

  /** Jobs rejected with 429 (Sum), from the admission function's Embedded Metric Format log lines. */
  public metricRejected(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.emfMetric(QUEUE_METRICS.rejected, props);
  }

  /** Share of submissions rejected with 429 (0..1) per minute. */
  public metricRejectedShare(props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'Share of submissions rejected (429)',
      period: Duration.minutes(1),
      ...props,
      // No submissions in a period gives no data point, which the alarm treats as not breaching.
      expression: 'FILL(rejected, 0) / (FILL(admitted, 0) + FILL(rejected, 0))',
      usingMetrics: { admitted: this.metricAdmitted(), rejected: this.metricRejected() },
    });
  }

  /**
   * Adds `POST /jobs` and `GET /jobs/{id}` under `resource`. Request model, validator and
   * authorization come from the caller (the guarded API), as on `/predict`.
   */
  public attachToApi(resource: apigw.IResource, options: AttachToApiOptions = {}): JobsApi {
    const submission = options.submission ?? JobSubmission.boundedAdmission();
    const auth: apigw.MethodOptions = {
      authorizationType: options.authorizationType,
      authorizer: options.authorizer,
      authorizationScopes: options.authorizationScopes,
      apiKeyRequired: options.apiKeyRequired,
      requestValidator: options.requestValidator,
    };
    const errorModels = { 'application/json': apigw.Model.EMPTY_MODEL };
    const jobsResource = resource.addResource('jobs');
    const jobResource = jobsResource.addResource('{id}');
    const submitMethod = submission.kind === 'direct'
      ? directSubmitMethod(this, this.queue, jobsResource, auth, options.requestModel)
      : jobsResource.addMethod('POST', new apigw.LambdaIntegration(this.admissionFunction, { timeout: Duration.seconds(11) }), {
        ...auth,
        requestModels: options.requestModel ? { 'application/json': options.requestModel } : undefined,
        methodResponses: [202, 400, 409, 413, 415, 422, 429, 503].map((code) => ({
          statusCode: String(code), responseModels: errorModels,
          responseParameters: code === 429 || code === 503 || code === 409 ? { 'method.response.header.Retry-After': true } : undefined,
        })),
      });
    const statusMethod = jobResource.addMethod('GET', new apigw.LambdaIntegration(this.statusFunction, { timeout: Duration.seconds(11) }), {
      ...auth,
      requestParameters: { 'method.request.path.id': true },
      methodResponses: [200, 400, 404, 503].map((code) => ({ statusCode: String(code), responseModels: errorModels })),
    });
    // A throttled admission or status function fails the integration: answer 503 + Retry-After, not 500.
    if (resource.api instanceof apigw.RestApiBase) addIntegrationFailureResponse(resource.api);
    return { jobsResource, jobResource, submitMethod, statusMethod };
  }

  private emfMetric(name: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    const entry = name === QUEUE_METRICS.admitted ? METRIC_CATALOG.jobsAdmitted : METRIC_CATALOG.jobsRejected;
    return catalogMetric(entry, { [QUEUE_METRICS.dimension]: this.queue.queueName }).with(props);
  }

  /**
   * Grants what a queue worker needs: consume the queue (sqs:ReceiveMessage, ChangeMessageVisibility,
   * DeleteMessage, GetQueueAttributes, GetQueueUrl), claim and finish job records (dynamodb:GetItem,
   * UpdateItem), read and delete claim-check payloads (`payloads/*`), write large results (`results/*`).
   * Use it for an external consumer (`WorkerBackend.externalConsumer()`).
   */
  public grantWorker(grantee: iam.IGrantable): void {
    this.queue.grantConsumeMessages(grantee);
    // Table and bucket encrypted with the customer-managed key (regulated posture).
    grantKeyUse(this.key, grantee);
    // test/queue/grants-cover-calls.test.ts runs the worker and checks its calls against these grants.
    this.grantTable(grantee, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.grantObjects(grantee, ['s3:GetObject', 's3:DeleteObject'], 'payloads/*');
    this.grantObjects(grantee, ['s3:PutObject'], 'results/*');
  }

  /**
   * Regulated posture: the job table goes into a daily AWS Backup plan (35-day retention) in a vault
   * encrypted with the customer-managed key, beside point-in-time recovery. Standard: PITR only.
   */
  private protectTable(security: SecurityPosture, jobTtl: Duration): void {
    if (!security.isRegulated) {
      acknowledgeCompliance(this.jobTable, 'DynamoDBInBackupPlan',
        `Job records expire after ${jobTtl.toDays()} days and point-in-time recovery restores any second of the last 35 days. Standard posture; SecurityPosture.regulated() adds a daily AWS Backup plan.`);
      return;
    }
    const vault = new backup.BackupVault(this, 'BackupVault', { encryptionKey: this.key });
    const plan = new backup.BackupPlan(this, 'BackupPlan', { backupVault: vault, backupPlanRules: [backup.BackupPlanRule.daily()] });
    const selection = plan.addSelection('JobTable', { resources: [backup.BackupResource.fromDynamoDbTable(this.jobTable)] });
    acknowledge(selection, 'AwsSolutions-IAM4', 'AWSBackupServiceRolePolicyForBackup is the AWS managed policy AWS Backup documents for the role that creates backups; its actions are what a backup job needs.',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup']);
  }

  private grantTable(grantee: iam.IGrantable, actions: string[]): void {
    iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.jobTable.tableArn] });
  }

  private grantObjects(grantee: iam.IGrantable, actions: string[], prefix: string): void {
    iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.payloadBucket.arnForObjects(prefix)] });
    const bucketArn = nagResourceText(this, this.payloadBucket.bucketArn);
    {
      const principal = grantee.grantPrincipal;
      const scope = principal instanceof Construct ? principal : undefined;
      if (scope) acknowledge(scope, 'AwsSolutions-IAM5', `Objects are keyed by job id under ${prefix.replace(/\*$/, '')}; the function reaches only that prefix of the payload bucket.`,
        [`Resource::${bucketArn}/${prefix}`]);
    }
  }

  /** Lambda caps all environment variables of a function at 4 KiB (the request schema travels as code in the asset, not here). */
  private checkEnvironmentSize(): void {
    const c = new ProblemCollector('QUEUE_INVALID', this.node.path);
    for (const fn of [this.admissionFunction, this.workerFunction, this.statusFunction]) {
      if (!fn) continue;
      const env = (fn.node.defaultChild as lambda.CfnFunction).environment as { variables?: Record<string, string> } | undefined;
      // Tokens (queue URL, names) resolve to short strings; count them at a generous 128 bytes.
      const size = Object.entries(env?.variables ?? {}).reduce((n, [k, v]) => n + k.length + (Token.isUnresolved(v) ? 128 : Buffer.byteLength(String(v))), 0);
      c.require(size <= LAMBDA_ENV_VARS_MAX_BYTES, `${fn.node.scope?.node.id}.environment`, `${size} bytes`,
        `at most ${LAMBDA_ENV_VARS_MAX_BYTES} bytes (Lambda limit)`, 'shorten the settings passed to the function (backend URL, endpoint and resource names)');
    }
    c.throwIfAny();
  }
}
