/**
 * AWS limits this library validates against. Each number lives here once, with its source.
 */

// ---- API Gateway (REST) ----------------------------------------------------------------------

/** Minimum integration timeout. Source: API Gateway quotas, "Maximum integration timeout in milliseconds"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). */
export const APIGW_MIN_INTEGRATION_TIMEOUT_MS = 50;
/** Default maximum integration timeout for every REST endpoint type (same source). Edge-optimized APIs can never exceed it. */
export const APIGW_MAX_INTEGRATION_TIMEOUT_MS = 29_000;
/**
 * Ceiling this library accepts for an extended (quota-raised) timeout on Regional/private APIs.
 * AWS documents the raise (What's New, June 2024) but no hard number; 5 minutes is the figure
 * commonly granted, so larger values are refused rather than guessed.
 */
export const APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS = 300_000;
/** Account-level steady-state throttle per Region. Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html */
export const APIGW_ACCOUNT_RATE_LIMIT_RPS = 10_000;
/** Account-level burst per Region (same source). */
export const APIGW_ACCOUNT_BURST_LIMIT = 5_000;
/** Account-level steady-state throttle in the smaller Regions (same source). */
export const APIGW_SMALL_REGION_RATE_LIMIT_RPS = 2_500;
/** Account-level burst in the smaller Regions (same source). */
export const APIGW_SMALL_REGION_BURST_LIMIT = 1_250;
/** Regions with the smaller account throttle (same source). */
export const APIGW_SMALL_REGIONS: readonly string[] = [
  'af-south-1', 'eu-south-1', 'ap-southeast-3', 'me-central-1', 'ap-south-2', 'ap-southeast-4',
  'eu-south-2', 'eu-central-2', 'il-central-1', 'ca-west-1', 'ap-southeast-5', 'ap-southeast-7', 'mx-central-1',
];
/** REST API payload limit, not adjustable (same source). */
export const APIGW_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API key value length. Source: CloudFormation AWS::ApiGateway::ApiKey, usage-plans page. */
export const APIGW_API_KEY_MIN_LENGTH = 20;
export const APIGW_API_KEY_MAX_LENGTH = 128;
/**
 * A REST API stage name: letters, digits, hyphens and underscores, at most 128 characters.
 * Source: API Gateway API reference, Stage `stageName` ("Stage names can only contain alphanumeric
 * characters, hyphens, and underscores. Maximum length is 128 characters.").
 */
export const APIGW_STAGE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

// ---- WAFv2 -----------------------------------------------------------------------------------

/** Allowed rate-based rule evaluation windows (s). Source: WAF rate-based rule high-level settings. */
export const WAF_RATE_WINDOWS_SECONDS: readonly number[] = [60, 120, 300, 600];
/** Minimum rate-based rule limit (requests per window). Same source. */
export const WAF_RATE_LIMIT_MIN = 10;
/**
 * Maximum rate-based rule limit (requests per window). Source: the CloudFormation resource schema of
 * AWS::WAFv2::WebACL (aws-cloudformation/aws-cloudformation-resource-providers-wafv2, as shipped in
 * cfn-lint's schemas), `definitions.RateLimit`: integer, minimum 10, maximum 2,000,000,000.
 */
export const WAF_RATE_LIMIT_MAX = 2_000_000_000;
/**
 * Name of a managed rule group (ManagedRuleGroupStatement.Name): 1-128 characters of `[\w-]`; the
 * vendor name is 1-128 characters with at least one that is not white space.
 * Source: https://docs.aws.amazon.com/waf/latest/APIReference/API_ManagedRuleGroupSummary.html (Name, VendorName)
 */
export const WAF_MANAGED_RULE_GROUP_NAME_PATTERN = /^[\w-]{1,128}$/;
export const WAF_VENDOR_NAME_PATTERN = /^(?=.*\S).{1,128}$/;
/** Body inspection limits WAF can be set to for API Gateway (bytes). Source: web-acl-setting-body-inspection-limit.html */
export const WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES: readonly number[] = [16_384, 32_768, 49_152, 65_536];
/** Default body inspection limit for API Gateway (same source). */
export const WAF_APIGW_DEFAULT_BODY_INSPECTION_BYTES = 16_384;

// ---- SageMaker -------------------------------------------------------------------------------

/** Real-time InvokeEndpoint body limit: BodyBlob max in the SDK model (aws-sdk-js-v3 sagemaker-runtime.json). */
export const SAGEMAKER_REALTIME_MAX_PAYLOAD_BYTES = 6_291_456;
/** A real-time container must answer within 60 s. Source: API_runtime_InvokeEndpoint. */
export const SAGEMAKER_REALTIME_INVOCATION_TIMEOUT_MS = 60_000;
/** ModelDataDownloadTimeoutInSeconds and ContainerStartupHealthCheckTimeoutInSeconds range. Source: API_ProductionVariant. */
export const SAGEMAKER_STARTUP_TIMEOUT_MIN_S = 60;
export const SAGEMAKER_STARTUP_TIMEOUT_MAX_S = 3_600;
/** Production variant VolumeSizeInGB range. Source: API_ProductionVariant. */
export const SAGEMAKER_VOLUME_MIN_GB = 1;
export const SAGEMAKER_VOLUME_MAX_GB = 512;
/** Async: InvocationTimeoutSeconds range and default. Source: sagemaker-runtime.json (InvokeEndpointAsync). */
export const SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MIN_S = 1;
export const SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S = 3_600;
/** Async: RequestTTLSeconds range (time a request may wait in the internal queue). Source: sagemaker-runtime.json (InvokeEndpointAsync). */
export const SAGEMAKER_ASYNC_REQUEST_TTL_MIN_S = 60;
export const SAGEMAKER_ASYNC_REQUEST_TTL_MAX_S = 21_600;
/** Async: MaxConcurrentInvocationsPerInstance range. Source: API_AsyncInferenceClientConfig. */
export const SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN = 1;
export const SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX = 1_000;
/**
 * Async inference input size: requests are read from S3 and may be up to 1 GB.
 * Source: https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html ("large payload sizes (up to 1GB)").
 */
export const SAGEMAKER_ASYNC_MAX_PAYLOAD_BYTES = 1_000_000_000;
/** Async inline body limit (bytes). Source: sagemaker-runtime.json. */
export const SAGEMAKER_ASYNC_INLINE_BODY_MAX_BYTES = 128_000;
/** Serverless: ServerlessConfig.MaxConcurrency range. Source: API_ProductionVariantServerlessConfig. */
export const SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN = 1;
export const SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX = 200;
/**
 * Serverless: ServerlessConfig.MemorySizeInMB, 1024-6144 MB in 1 GB steps.
 * Source: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html
 */
export const SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB: readonly number[] = [1024, 2048, 3072, 4096, 5120, 6144];
/**
 * Serverless: ServerlessConfig.ProvisionedConcurrency range (and at most MaxConcurrency).
 * Source: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html
 */
export const SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MIN = 1;
export const SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MAX = 200;
/**
 * Serverless: the request payload cap is 4 MB, not the 6 MB of real-time endpoints.
 * Source: https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html
 */
export const SAGEMAKER_SERVERLESS_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/**
 * Serverless: one invocation must finish within 60 s.
 * Source: https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html
 */
export const SAGEMAKER_SERVERLESS_INVOCATION_TIMEOUT_MS = 60_000;
/**
 * Serverless: model download, container start and the first /ping must finish within 3 minutes.
 * Source: https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (feature exclusions and limits)
 */
export const SAGEMAKER_SERVERLESS_STARTUP_LIMIT_S = 180;
/**
 * CloudWatch metrics that async endpoints do not publish, so scaling on them never fires.
 * Source: https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html
 */
export const SAGEMAKER_METRICS_NOT_PUBLISHED_FOR_ASYNC: readonly string[] = ['Invocations', 'InvocationsPerInstance', 'OverheadLatency'];
/** Predefined target-tracking metric built on InvocationsPerInstance. Source: API_PredefinedMetricSpecification. */
export const SAGEMAKER_INVOCATIONS_PREDEFINED_METRIC = 'SageMakerVariantInvocationsPerInstance';

/**
 * The Deep Learning Containers registry account of every Region that has one (the DLC images,
 * including `tensorflow-inference`, are only in these Regions; elsewhere there is no image to pull).
 * Source: aws/deep-learning-containers docs/reference/region_availability.md ("Deep Learning
 * Containers" table, "Private ECR account IDs by region").
 */
export const DLC_REGION_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '763104351884', 'us-east-2': '763104351884', 'us-west-1': '763104351884', 'us-west-2': '763104351884',
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292', 'ap-east-2': '975050140332',
  'ap-south-1': '763104351884', 'ap-south-2': '772153158452',
  'ap-northeast-1': '763104351884', 'ap-northeast-2': '763104351884', 'ap-northeast-3': '364406365360',
  'ap-southeast-1': '763104351884', 'ap-southeast-2': '763104351884', 'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322', 'ap-southeast-5': '550225433462', 'ap-southeast-6': '633930458069', 'ap-southeast-7': '590183813437',
  'ca-central-1': '763104351884', 'ca-west-1': '204538143572',
  'eu-central-1': '763104351884', 'eu-central-2': '380420809688',
  'eu-west-1': '763104351884', 'eu-west-2': '763104351884', 'eu-west-3': '763104351884',
  'eu-north-1': '763104351884', 'eu-south-1': '692866216735', 'eu-south-2': '503227376785',
  'il-central-1': '780543022126', 'mx-central-1': '637423239942',
  'me-south-1': '217643126080', 'me-central-1': '914824155844', 'me-west-1': '124382933778',
  'sa-east-1': '763104351884',
  'cn-north-1': '727897471807', 'cn-northwest-1': '727897471807',
};

// ---- SQS / Lambda ----------------------------------------------------------------------------

/** Default queue visibility timeout (s). Source: API_SetQueueAttributes (`VisibilityTimeout`). */
export const SQS_DEFAULT_VISIBILITY_TIMEOUT_S = 30;
/** Queue visibility timeout range (s). Source: API_SetQueueAttributes. */
export const SQS_VISIBILITY_TIMEOUT_MAX_S = 43_200;
/** Default message retention (s) when MessageRetentionPeriod is absent: 4 days. Same source. */
export const SQS_DEFAULT_RETENTION_S = 345_600;
/** Message retention range (s). Same source. */
export const SQS_RETENTION_MIN_S = 60;
export const SQS_RETENTION_MAX_S = 1_209_600;
/** Maximum message size (bytes), raised to 1 MiB. Source: AWS Compute Blog, 29 Jan 2026; API_SetQueueAttributes. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
/** Redrive maxReceiveCount range. Source: SQS developer guide, dead-letter queues. */
export const SQS_MAX_RECEIVE_COUNT_MIN = 1;
export const SQS_MAX_RECEIVE_COUNT_MAX = 1_000;
/** AWS recommends queue visibility >= 6 x the consuming function's timeout. Source: services-sqs-configure.html. */
export const SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR = 6;
/** Lambda function timeout (s) when Timeout is absent. Source: CloudFormation AWS::Lambda::Function Timeout. */
export const LAMBDA_DEFAULT_TIMEOUT_S = 3;
/** SQS event source ScalingConfig.MaximumConcurrency range. Source: services-sqs-scaling.html. */
export const LAMBDA_SQS_MAX_CONCURRENCY_MIN = 2;
export const LAMBDA_SQS_MAX_CONCURRENCY_MAX = 1_000;

/** Asynchronous invocation settings of a function: retries 0-2, event age 60-21,600 s. Source: Lambda API_PutFunctionEventInvokeConfig. */
export const LAMBDA_ASYNC_MAX_RETRIES = 2;
export const LAMBDA_ASYNC_EVENT_AGE_MIN_S = 60;
export const LAMBDA_ASYNC_EVENT_AGE_MAX_S = 21_600;
/** An EventBridge rule target's RetryPolicy: retries 0-185, event age 60-86,400 s. Source: EventBridge API_RetryPolicy. */
export const EVENTBRIDGE_TARGET_MAX_RETRIES = 185;
export const EVENTBRIDGE_TARGET_EVENT_AGE_MIN_S = 60;
export const EVENTBRIDGE_TARGET_EVENT_AGE_MAX_S = 86_400;

/** Long-polling wait time range (s). Source: API_SetQueueAttributes (ReceiveMessageWaitTimeSeconds 0-20). */
export const SQS_LONG_POLL_MAX_S = 20;
/**
 * AWS recommends maxReceiveCount >= 5 on a queue consumed by Lambda, so batches that are received
 * while the function is throttled do not reach the DLQ early. Source:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html (and the Lambda operator guide, sqs-retries).
 */
export const SQS_LAMBDA_RECOMMENDED_MIN_RECEIVE_COUNT = 5;
/** SQS event source batch size on a standard queue without a batching window. Source: services-sqs-configure.html. */
export const LAMBDA_SQS_BATCH_SIZE_MAX_WITHOUT_WINDOW = 10;
/** Lambda function timeout ceiling (s). Source: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const LAMBDA_MAX_TIMEOUT_S = 900;
/** Synchronous invocation payload (request and response) limit, which caps an API Gateway proxy body. Same source. */
export const LAMBDA_SYNC_PAYLOAD_BYTES = 6_291_456;
/** Total size of a function's environment variables (bytes). Same source. */
export const LAMBDA_ENV_VARS_MAX_BYTES = 4_096;
/** Maximum DynamoDB item size (bytes). Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html */
export const DYNAMODB_MAX_ITEM_BYTES = 409_600;

// ---- Load balancers --------------------------------------------------------------------------

/** ALB idle timeout default (s). Source: ELB docs, edit-load-balancer-attributes.html. */
export const ALB_DEFAULT_IDLE_TIMEOUT_S = 60;
/** NLB TCP idle timeout default and range (s). Source: network/update-idle-timeout.html. */
export const NLB_DEFAULT_IDLE_TIMEOUT_S = 350;
/**
 * ALB idle timeout range (s). AWS confirms the 60 s default (same source); the 1..4000 s range is
 * from the CloudFormation `idle_timeout.timeout_seconds` attribute description and third-party
 * pages (aws-limits reference 4.5), so values outside it are refused rather than guessed.
 */
export const ALB_MIN_IDLE_TIMEOUT_S = 1;
export const ALB_MAX_IDLE_TIMEOUT_S = 4_000;
/** Target-group deregistration delay range (s). Source: ELB target group attributes, `deregistration_delay.timeout_seconds`. */
export const ELB_MAX_DEREGISTRATION_DELAY_S = 3_600;

// ---- ECS -------------------------------------------------------------------------------------

/** CPU units per vCPU in task and container definitions. Source: API_TaskDefinition (`cpu`). */
export const ECS_CPU_UNITS_PER_VCPU = 1_024;
/**
 * Task-level CPU on EC2: 128 to 196,608 CPU units. Source: ECS API RegisterTaskDefinition `cpu`
 * ("If you're using the EC2 launch type ... Supported values are between 128 CPU units (0.125
 * vCPUs) and 196608 CPU units (192 vCPUs)").
 */
export const ECS_EC2_TASK_CPU_MIN = 128;
export const ECS_EC2_TASK_CPU_MAX = 196_608;
/** Smallest hard memory limit of a container on Docker >= 20.10 (MiB). Source: API_ContainerDefinition (`memory`). */
export const ECS_CONTAINER_MIN_MEMORY_MIB = 6;
/** Fargate's default (and this library's) `nofile` ulimit. Source: API_Ulimit. */
export const ECS_DEFAULT_NOFILE = 65_535;
/** Largest `stopTimeout` on Fargate (s). Source: API_ContainerDefinition (`stopTimeout`). */
export const FARGATE_MAX_STOP_TIMEOUT_S = 120;
/** Container health check `startPeriod` range (s). Source: API_HealthCheck. */
export const ECS_HEALTH_CHECK_MAX_START_PERIOD_S = 300;

function mibRange(fromMiB: number, toMiB: number, stepMiB: number): number[] {
  const out: number[] = [];
  for (let m = fromMiB; m <= toMiB; m += stepMiB) out.push(m);
  return out;
}

/**
 * Valid Fargate (Linux) task sizes: CPU units -> allowed task memory (MiB). 8 and 16 vCPU use
 * 4 GiB and 8 GiB steps and need platform version 1.4.0 or later. CDK does not check these
 * combinations; CloudFormation fails at deploy time. Sources:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size ,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1_024, 2_048],
  512: mibRange(1_024, 4_096, 1_024),
  1_024: mibRange(2_048, 8_192, 1_024),
  2_048: mibRange(4_096, 16_384, 1_024),
  4_096: mibRange(8_192, 30_720, 1_024),
  8_192: mibRange(16_384, 61_440, 4_096),
  16_384: mibRange(32_768, 122_880, 8_192),
};

/**
 * HTTP API (API Gateway v2) integration timeout: 50 ms to 30,000 ms, 30,000 ms when unset, not
 * adjustable. Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 * ("Maximum integration timeout").
 */
export const HTTP_API_MAX_INTEGRATION_TIMEOUT_MS = 30_000;
/** Lower bound of an HTTP API integration timeout (same page). */
export const HTTP_API_MIN_INTEGRATION_TIMEOUT_MS = 50;
/**
 * Lambda concurrent executions per account and Region by default (the pool every function without
 * reserved concurrency shares). Source: https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
export const LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY = 1_000;
/** Lambda memory when MemorySize is unset (MB). Source: CloudFormation AWS::Lambda::Function MemorySize. */
export const LAMBDA_DEFAULT_MEMORY_MB = 128;
/** Longest SQS message retention (14 days, s). Source: SQS `SetQueueAttributes` MessageRetentionPeriod. */
export const SQS_MAX_RETENTION_S = SQS_RETENTION_MAX_S;
