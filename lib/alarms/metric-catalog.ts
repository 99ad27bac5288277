import { Duration, aws_cloudwatch as cw } from 'aws-cdk-lib';
import { InferenceGuardError } from '../core/errors';

/**
 * The unit an alarm threshold is expressed in, for the statistic the library reads.
 * `Fraction` is a share from 0 to 1 (the Average of a 0/1 metric, such as API Gateway's 5XXError);
 * `Percent` is 0 to 100 per unit of the alarm's `scale` (SageMaker sums CPU over vCPUs);
 * `Megabytes` is a size in MB (the CloudWatch agent's NVIDIA memory metrics).
 */
export type MetricUnit = 'Count' | 'Percent' | 'Fraction' | 'Milliseconds' | 'Microseconds' | 'Seconds' | 'Megabytes';

/** One metric the library alarms on, exactly as AWS (or this library) publishes it. */
export interface MetricCatalogEntry {
  /** CloudWatch namespace. A trailing `*` matches a per-construct namespace (the GPU sidecar's). */
  readonly namespace: string;
  readonly metricName: string;
  /** The exact dimension set (names) the metric is published with. */
  readonly dimensions: readonly string[];
  /** Statistics the library reads, and the unit the value has under each. */
  readonly statistics: Readonly<Record<string, MetricUnit>>;
  /** Where the namespace, name, dimensions and unit are documented. */
  readonly source: string;
}

const SAGEMAKER_DOC = 'https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html (endpoint invocation and instance metrics: dimensions EndpointName, VariantName)';
const SAGEMAKER_ASYNC_DOC = 'https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html (async endpoint metrics; backlog metrics carry EndpointName only)';
const APIGW_DOC = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html (dimensions ApiName, Stage)';
const WAF_DOC = 'https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html (Regional web ACL rule metrics: Region, Rule, WebACL)';
const ECS_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html (service metrics: ClusterName, ServiceName)';
const INSIGHTS_DOC = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html (ECS/ContainerInsights service metrics: ClusterName, ServiceName)';
const MANAGED_SCALING_DOC = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html (AWS/ECS/ManagedScaling CapacityProviderReservation: ClusterName, CapacityProviderName)';
const ALB_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html';
const SQS_DOC = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html (dimension QueueName)';
const LAMBDA_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (dimension FunctionName)';
const AGENT_GPU_DOC = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-NVIDIA-GPU.html (nvidia_smi_* metrics, collected with no CloudWatch Unit: utilization_gpu a percentage, memory_total and memory_used in MB; aggregated over all dimensions by the sidecar configuration)';
/** The serverless memory metric: instance namespace, real-time dimensions, percent of the configured memory size. */
const SAGEMAKER_SERVERLESS_MEMORY_DOC = 'https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html (MemoryUtilization among the metrics serverless endpoints publish, in /aws/sagemaker/Endpoints with EndpointName, VariantName as for real-time endpoints: https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html)';
const SAGEMAKER_SERVERLESS_DOC = 'https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html (the exhaustive list for serverless endpoints: Invocations, Invocation4XXErrors, Invocation5XXErrors, ModelLatency, OverheadLatency, ModelSetupTime, MemoryUtilization, with dimensions EndpointName, VariantName as for real-time endpoints; plus ServerlessConcurrentExecutionsUtilization and the provisioned-concurrency metrics, whose namespace and dimensions the page does not state, so nothing here alarms on them)';
const OWN = 'published by this library';

const sm = (metricName: string, statistics: Record<string, MetricUnit>): MetricCatalogEntry =>
  ({ namespace: 'AWS/SageMaker', metricName, dimensions: ['EndpointName', 'VariantName'], statistics, source: SAGEMAKER_DOC });
const smInstance = (metricName: string): MetricCatalogEntry =>
  ({ namespace: '/aws/sagemaker/Endpoints', metricName, dimensions: ['EndpointName', 'VariantName'], statistics: { Average: 'Percent', Maximum: 'Percent' }, source: SAGEMAKER_DOC });
const smAsyncEndpoint = (metricName: string, statistics: Record<string, MetricUnit>): MetricCatalogEntry =>
  ({ namespace: 'AWS/SageMaker', metricName, dimensions: ['EndpointName'], statistics, source: SAGEMAKER_ASYNC_DOC });
const smAsyncVariant = (metricName: string): MetricCatalogEntry =>
  ({ namespace: 'AWS/SageMaker', metricName, dimensions: ['EndpointName', 'VariantName'], statistics: { Sum: 'Count' }, source: SAGEMAKER_ASYNC_DOC });
const apigw = (metricName: string, statistics: Record<string, MetricUnit>): MetricCatalogEntry =>
  ({ namespace: 'AWS/ApiGateway', metricName, dimensions: ['ApiName', 'Stage'], statistics, source: APIGW_DOC });
const insights = (metricName: string): MetricCatalogEntry =>
  ({ namespace: 'ECS/ContainerInsights', metricName, dimensions: ['ClusterName', 'ServiceName'], statistics: { Minimum: 'Count', Maximum: 'Count', Average: 'Count' }, source: INSIGHTS_DOC });
const sqs = (metricName: string, unit: MetricUnit): MetricCatalogEntry =>
  ({ namespace: 'AWS/SQS', metricName, dimensions: ['QueueName'], statistics: { Maximum: unit, Average: unit }, source: SQS_DOC });
const lambda = (metricName: string, statistics: Record<string, MetricUnit>): MetricCatalogEntry =>
  ({ namespace: 'AWS/Lambda', metricName, dimensions: ['FunctionName'], statistics, source: LAMBDA_DOC });
const gpuAgent = (metricName: string, unit: MetricUnit): MetricCatalogEntry =>
  ({ namespace: 'KerasInferenceGuard/GPU/*', metricName, dimensions: [], statistics: { Average: unit, Maximum: unit }, source: AGENT_GPU_DOC });

/**
 * Every metric the library alarms on or scales on. Alarms are built from these entries only
 * (`catalogMetric`), and a test checks every alarm of every example against this table.
 */
export const METRIC_CATALOG = {
  // ---- API Gateway REST API, per stage ----
  apiCount: apigw('Count', { Sum: 'Count' }),
  api5xx: apigw('5XXError', { Average: 'Fraction', Sum: 'Count' }),
  api4xx: apigw('4XXError', { Average: 'Fraction', Sum: 'Count' }),
  apiLatency: apigw('Latency', { p99: 'Milliseconds', p90: 'Milliseconds', Average: 'Milliseconds' }),
  apiIntegrationLatency: apigw('IntegrationLatency', { p99: 'Milliseconds', p90: 'Milliseconds', Average: 'Milliseconds' }),
  /** Counted from the access log by a metric filter (429 responses). */
  apiThrottled: { namespace: 'KerasInferenceGuard', metricName: 'ThrottledRequests', dimensions: ['ApiId'], statistics: { Sum: 'Count' }, source: `${OWN}: metric filter on the API access log` } as MetricCatalogEntry,
  wafBlocked: { namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensions: ['Region', 'Rule', 'WebACL'], statistics: { Sum: 'Count' }, source: WAF_DOC } as MetricCatalogEntry,

  // ---- SageMaker real-time endpoint, per variant ----
  smInvocations: sm('Invocations', { Sum: 'Count' }),
  smInvocationsPerInstance: sm('InvocationsPerInstance', { Sum: 'Count' }),
  smInvocation5xx: sm('Invocation5XXErrors', { Sum: 'Count' }),
  smInvocation4xx: sm('Invocation4XXErrors', { Sum: 'Count' }),
  smModelLatency: sm('ModelLatency', { p99: 'Microseconds', p90: 'Microseconds', Average: 'Microseconds' }),
  smCpu: smInstance('CPUUtilization'),
  smMemory: smInstance('MemoryUtilization'),
  smGpu: smInstance('GPUUtilization'),
  smGpuMemory: smInstance('GPUMemoryUtilization'),

  // ---- SageMaker serverless endpoint (Invocation5XXErrors and ModelLatency: the real-time entries above) ----
  /** Cold start of new serverless compute; graphed, not alarmed (a cold start is expected whenever concurrency grows). */
  smServerlessModelSetupTime: { ...sm('ModelSetupTime', { Maximum: 'Microseconds', Average: 'Microseconds' }), source: SAGEMAKER_SERVERLESS_DOC } as MetricCatalogEntry,
  /**
   * Memory of the serverless container, percent of its MemorySizeInMB: near 100 % an invocation runs
   * out of memory. Alarmed (saturation).
   */
  smServerlessMemory: { ...smInstance('MemoryUtilization'), source: SAGEMAKER_SERVERLESS_MEMORY_DOC } as MetricCatalogEntry,
  /** SageMaker overhead per request, which on serverless endpoints includes cold starts; graphed. */
  smServerlessOverheadLatency: { ...sm('OverheadLatency', { p99: 'Microseconds', Average: 'Microseconds' }), source: SAGEMAKER_SERVERLESS_DOC } as MetricCatalogEntry,

  // ---- SageMaker asynchronous endpoint ----
  smAsyncBacklog: smAsyncEndpoint('ApproximateBacklogSize', { Average: 'Count', Maximum: 'Count' }),
  smAsyncBacklogPerInstance: smAsyncEndpoint('ApproximateBacklogSizePerInstance', { Average: 'Count' }),
  smAsyncOldestRequestAge: smAsyncEndpoint('ApproximateAgeOfOldestRequest', { Maximum: 'Seconds' }),
  smAsyncBacklogWithoutCapacity: smAsyncEndpoint('HasBacklogWithoutCapacity', { Average: 'Fraction', Maximum: 'Fraction' }),
  smAsyncInvocationFailures: smAsyncVariant('InvocationFailures'),
  smAsyncRequestDownloadFailures: smAsyncVariant('RequestDownloadFailures'),
  smAsyncResponseUploadFailures: smAsyncVariant('ResponseUploadFailures'),
  smAsyncNotificationFailures: smAsyncVariant('NotificationFailures'),
  smAsyncExpiredRequests: smAsyncVariant('ExpiredRequests'),

  // ---- ECS service ----
  ecsCpu: { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions: ['ClusterName', 'ServiceName'], statistics: { Average: 'Percent', Maximum: 'Percent' }, source: ECS_DOC } as MetricCatalogEntry,
  ecsMemory: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: ['ClusterName', 'ServiceName'], statistics: { Average: 'Percent', Maximum: 'Percent' }, source: ECS_DOC } as MetricCatalogEntry,
  ecsDesiredTasks: insights('DesiredTaskCount'),
  ecsRunningTasks: insights('RunningTaskCount'),
  ecsPendingTasks: insights('PendingTaskCount'),
  ecsCapacityProviderReservation: {
    namespace: 'AWS/ECS/ManagedScaling', metricName: 'CapacityProviderReservation', dimensions: ['CapacityProviderName', 'ClusterName'],
    statistics: { Minimum: 'Percent', Average: 'Percent' }, source: MANAGED_SCALING_DOC,
  } as MetricCatalogEntry,
  gpuUtilization: gpuAgent('nvidia_smi_utilization_gpu', 'Percent'),
  // Published in MB with no CloudWatch unit (the agent's NVIDIA page): a size, not a count.
  gpuMemoryUsed: gpuAgent('nvidia_smi_memory_used', 'Megabytes'),
  gpuMemoryTotal: gpuAgent('nvidia_smi_memory_total', 'Megabytes'),

  // ---- Application Load Balancer ----
  albElb5xx: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', dimensions: ['LoadBalancer'], statistics: { Sum: 'Count' }, source: `${ALB_DOC} (LoadBalancer)` } as MetricCatalogEntry,
  albTarget5xx: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: ['LoadBalancer', 'TargetGroup'], statistics: { Sum: 'Count' }, source: `${ALB_DOC} (LoadBalancer, TargetGroup)` } as MetricCatalogEntry,
  albUnhealthyHosts: { namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions: ['LoadBalancer', 'TargetGroup'], statistics: { Maximum: 'Count' }, source: `${ALB_DOC} (LoadBalancer, TargetGroup)` } as MetricCatalogEntry,
  albTargetResponseTime: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: ['LoadBalancer', 'TargetGroup'], statistics: { p99: 'Seconds' }, source: `${ALB_DOC} (LoadBalancer, TargetGroup; seconds)` } as MetricCatalogEntry,

  // ---- job queue ----
  sqsVisible: sqs('ApproximateNumberOfMessagesVisible', 'Count'),
  sqsNotVisible: sqs('ApproximateNumberOfMessagesNotVisible', 'Count'),
  sqsOldestAge: sqs('ApproximateAgeOfOldestMessage', 'Seconds'),
  jobsAdmitted: { namespace: 'KerasInferenceGuard/Queue', metricName: 'JobsAdmitted', dimensions: ['QueueName'], statistics: { Sum: 'Count' }, source: `${OWN}: admission function, Embedded Metric Format` } as MetricCatalogEntry,
  jobsRejected: { namespace: 'KerasInferenceGuard/Queue', metricName: 'JobsRejected', dimensions: ['QueueName'], statistics: { Sum: 'Count' }, source: `${OWN}: admission function, Embedded Metric Format` } as MetricCatalogEntry,
  jobsRejectedKeyAtShare: { namespace: 'KerasInferenceGuard/Queue', metricName: 'JobsRejectedKeyAtShare', dimensions: ['QueueName', 'Tier'], statistics: { Sum: 'Count' }, source: `${OWN}: admission function, Embedded Metric Format` } as MetricCatalogEntry,
  jobsRejectedTierAtShare: { namespace: 'KerasInferenceGuard/Queue', metricName: 'JobsRejectedTierAtShare', dimensions: ['QueueName', 'Tier'], statistics: { Sum: 'Count' }, source: `${OWN}: admission function, Embedded Metric Format` } as MetricCatalogEntry,
  ledgerUnitsRepaired: { namespace: 'KerasInferenceGuard/Queue', metricName: 'LedgerUnitsRepaired', dimensions: ['QueueName'], statistics: { Sum: 'Count' }, source: `${OWN}: dead-letter reconciler, Embedded Metric Format` } as MetricCatalogEntry,
  tierCostUnitsHeld: { namespace: 'KerasInferenceGuard/Queue', metricName: 'TierCostUnitsHeld', dimensions: ['QueueName', 'Tier'], statistics: { Maximum: 'Count' }, source: `${OWN}: admission function, Embedded Metric Format` } as MetricCatalogEntry,
  lambdaErrors: lambda('Errors', { Sum: 'Count' }),
  lambdaThrottles: lambda('Throttles', { Sum: 'Count' }),
  lambdaDuration: lambda('Duration', { Maximum: 'Milliseconds', p99: 'Milliseconds' }),
} as const;

/** Options of one catalog metric. */
export interface CatalogMetricOptions {
  /** @default - the first statistic of the entry */
  readonly statistic?: string;
  /** @default Duration.minutes(1) */
  readonly period?: Duration;
  /** @default - no label (CloudWatch shows the metric name) */
  readonly label?: string;
  /** Concrete namespace, for entries whose namespace ends in `*`. @default - the entry's namespace */
  readonly namespace?: string;
}

/**
 * A CloudWatch metric built from a catalog entry. Throws when the dimension names are not
 * exactly the entry's (an alarm on them would read a series that does not exist) or the
 * statistic is not one the entry describes.
 */
export function catalogMetric(entry: MetricCatalogEntry, dimensions: Record<string, string>, options: CatalogMetricOptions = {}): cw.Metric {
  const statistic = options.statistic ?? Object.keys(entry.statistics)[0];
  const given = Object.keys(dimensions).sort();
  const expected = [...entry.dimensions].sort();
  const namespace = options.namespace ?? entry.namespace;
  const problems = [];
  if (given.join(',') !== expected.join(',')) {
    problems.push({ prop: 'dimensions', value: `[${given.join(', ')}]`, allowed: `exactly [${expected.join(', ')}] (${entry.source})`, fix: 'pass the dimensions the metric is published with' });
  }
  if (entry.statistics[statistic] === undefined) {
    problems.push({ prop: 'statistic', value: statistic, allowed: Object.keys(entry.statistics).join(', '), fix: 'use a statistic the catalog describes, or add it with its unit' });
  }
  if (entry.namespace.endsWith('*') ? !namespace.startsWith(entry.namespace.slice(0, -1)) || namespace.endsWith('*') : namespace !== entry.namespace) {
    problems.push({ prop: 'namespace', value: namespace, allowed: entry.namespace, fix: 'use the namespace of the catalog entry' });
  }
  if (problems.length > 0) throw new InferenceGuardError('METRIC_NOT_IN_CATALOG', `${entry.namespace} ${entry.metricName}`, problems);
  return new cw.Metric({ namespace, metricName: entry.metricName, dimensionsMap: dimensions, statistic, period: options.period ?? Duration.minutes(1), label: options.label });
}

/** The unit of `entry` under `statistic`. */
export function catalogUnit(entry: MetricCatalogEntry, statistic: string): MetricUnit | undefined {
  return entry.statistics[statistic];
}

/** The catalog entry matching a published metric, or undefined. */
export function findCatalogEntry(namespace: string, metricName: string, dimensionNames: readonly string[]): MetricCatalogEntry | undefined {
  const dims = [...dimensionNames].sort().join(',');
  return Object.values(METRIC_CATALOG).find((e: MetricCatalogEntry) =>
    e.metricName === metricName
    && (e.namespace.endsWith('*') ? namespace.startsWith(e.namespace.slice(0, -1)) : e.namespace === namespace)
    && [...e.dimensions].sort().join(',') === dims);
}
