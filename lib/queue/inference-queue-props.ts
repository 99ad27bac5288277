// The job queue's props, its admission choice and what attaching it to an API returns.
import { Duration, aws_apigateway as apigw, aws_dynamodb as dynamodb, aws_ec2 as ec2, aws_logs as logs, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { InferenceProfile } from '../profile';
import { ModelSignature } from '../model';
import { QueueLimitOptions } from '../profile/queue-limits';
import { WorkerBackend } from './worker-backend';
import { SecurityPosture } from '../security/security-posture';

/** Namespace and names of the metrics the admission function publishes (Embedded Metric Format). */
export const QUEUE_METRICS = {
  namespace: 'KerasInferenceGuard/Queue',
  dimension: 'QueueName',
  admitted: 'JobsAdmitted',
  rejected: 'JobsRejected',
} as const;

/** Props of `InferenceQueue`. */
export interface InferenceQueueProps {
  /** Measured profile of the model; every limit is derived from it. */
  readonly profile: InferenceProfile;
  /** The model's input signature. Admission validates bodies with its JSON schema, the same one `/predict` uses. */
  readonly signature: ModelSignature;
  /** Where workers send jobs. */
  readonly backend: WorkerBackend;
  /**
   * Options of the queue limits (SLO, workers, batch, redrive, ...).
   * @default - every limit derived from the profile (see `deriveQueueLimits`)
   */
  readonly limits?: QueueLimitOptions;
  /**
   * An existing job table: partition key `jobId` (string), TTL attribute `expiresAt`.
   * @default - a new on-demand table with TTL and point-in-time recovery
   */
  readonly jobTable?: dynamodb.ITable;
  /**
   * An existing bucket for claim-check payloads (`payloads/`) and large results (`results/`).
   * Give it lifecycle expiry for both prefixes.
   * @default - a new encrypted, SSL-only, private bucket whose objects expire after `jobTtl`
   */
  readonly payloadBucket?: s3.IBucket;
  /**
   * Bucket for the server access logs of the payload bucket.
   * @default - no access logs: objects are written and read only by this construct's functions,
   * and CloudTrail data events are the audit trail (acknowledged as AwsSolutions-S1)
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * How long job records, payloads and results are kept.
   * @default Duration.days(7)
   */
  readonly jobTtl?: Duration;
  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserve `limits.admissionReservedConcurrency` concurrent executions for the admission function,
   * capping it there. Lambda keeps 100 executions of the account unreserved, so a reservation
   * fails to deploy on accounts whose concurrency quota is below 100 + the reservation (new
   * accounts start lower). Without it, admission is capped by the API stage's throttle (rate and
   * burst apply to `POST /jobs` too): concurrency <= burst + rate x admission duration.
   * @default false
   */
  readonly reserveAdmissionConcurrency?: boolean;
  /**
   * Topic notified when an alarm fires or recovers.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Memory of the admission function (MiB): JSON parsing and schema validation of large bodies.
   * @default 512
   */
  readonly admissionMemoryMiB?: number;
  /**
   * Memory of the worker function (MiB).
   * @default 512
   */
  readonly workerMemoryMiB?: number;
  /**
   * Results up to this size are stored in the job record, larger ones in S3.
   * @default 65536
   */
  readonly resultInlineMaxBytes?: number;
  /**
   * Lifetime of the presigned URL the status endpoint returns for a large result.
   * @default Duration.minutes(15)
   */
  readonly resultUrlExpiry?: Duration;
  /**
   * Alarm when more than this share of job submissions is rejected with 429 (0..1).
   * @default 0.1
   */
  readonly rejectedShareThreshold?: number;
  /**
   * The usage-plan API keys of each tier named in `limits.tiers`: admission charges a job to its
   * caller's tier by the API key id API Gateway passes. Callers whose key is not listed are in the
   * first (lowest) tier.
   * @default - no keys: every caller is in the first tier
   */
  readonly tierApiKeys?: QueueTierApiKeys[];
  /**
   * VPC for the worker, when the HTTP backend is private.
   * @default - the worker runs outside a VPC
   */
  readonly workerVpc?: ec2.IVpc;
  /**
   * Subnets of the worker in `workerVpc`.
   * @default - private subnets with egress
   */
  readonly workerVpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the worker in `workerVpc`.
   * @default - a new security group
   */
  readonly workerSecurityGroups?: ec2.ISecurityGroup[];
  /**
   * Security posture: the regulated one encrypts the queues, table, bucket and log groups with its
   * customer-managed key, adds a backup plan for the table and access logs for the bucket, and puts
   * the functions in `vpc` when one is given.
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
  /**
   * VPC of the admission and status functions (and of the worker when `workerVpc` is unset) in the
   * regulated posture: private subnets with egress, HTTPS out to the AWS APIs.
   * @default - the functions run outside a VPC (the worker in the backend's VPC when it has one)
   */
  readonly vpc?: ec2.IVpc;
}

/** The API keys of one usage-plan tier of the job queue. */
export interface QueueTierApiKeys {
  /** A tier name of `limits.tiers`. */
  readonly tier: string;
  /** The tier's usage-plan API keys. */
  readonly apiKeys: apigw.IApiKey[];
}

/**
 * How `POST /jobs` enqueues. Choose with a static factory.
 */
export class JobSubmission {
  /**
   * Through the admission function: schema validation, the backlog budget (429 + Retry-After),
   * claim check for large payloads, idempotency keys, a job record from the start. The default.
   */
  public static boundedAdmission(): JobSubmission {
    return new JobSubmission('admission');
  }

  /**
   * Straight from API Gateway to SQS (no Lambda): no depth bound, no claim check (bodies are limited
   * by the queue's maximum message size), no idempotency keys; the job id is the API request id and
   * `GET /jobs/{id}` answers 404 until a worker picks the job up. Validate bodies with the request
   * model. SQS errors map to 400 (rejected message), 500 (the integration's fault) and 503 + Retry-After.
   */
  public static directToQueue(): JobSubmission {
    return new JobSubmission('direct');
  }

  private constructor(public readonly kind: 'admission' | 'direct') {}
}

/** Options of `attachToApi`. Request model, validator and authorization are the caller's, like on any method. */
export interface AttachToApiOptions {
  /**
   * How jobs are enqueued.
   * @default JobSubmission.boundedAdmission()
   */
  readonly submission?: JobSubmission;
  /**
   * Request model of `POST /jobs` (content type application/json), e.g. the model schema `/predict` uses.
   * @default - none (the admission function validates with the same schema anyway)
   */
  readonly requestModel?: apigw.IModel;
  /**
   * Request validator of both methods.
   * @default - none
   */
  readonly requestValidator?: apigw.IRequestValidator;
  /**
   * Authorization type of both methods.
   * @default - the API's default method options
   */
  readonly authorizationType?: apigw.AuthorizationType;
  /**
   * Authorizer of both methods.
   * @default - the API's default method options
   */
  readonly authorizer?: apigw.IAuthorizer;
  /**
   * OAuth scopes of both methods.
   * @default - none
   */
  readonly authorizationScopes?: string[];
  /**
   * Whether both methods require an API key (usage plans).
   * @default - the API's default method options
   */
  readonly apiKeyRequired?: boolean;
}

/** What `attachToApi` created. */
export interface JobsApi {
  /** `/jobs`. */
  readonly jobsResource: apigw.Resource;
  /** `/jobs/{id}`. */
  readonly jobResource: apigw.Resource;
  /** `POST /jobs`. */
  readonly submitMethod: apigw.Method;
  /** `GET /jobs/{id}`. */
  readonly statusMethod: apigw.Method;
}
