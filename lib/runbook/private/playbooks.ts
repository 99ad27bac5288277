import type { StackLogGroup } from './log-groups';

/** One of the first things to check: a CloudWatch metric, or a Logs Insights query on a log group of the stack. */
export interface RunbookCheck {
  readonly what: string;
  /** Exact metric (namespace, name, dimensions, statistic, period). @default - a query */
  readonly metric?: string;
  /** Logs Insights query and the log group (logical id) it runs in. @default - a metric */
  readonly query?: { readonly logGroup: string; readonly text: string };
}

/** The limit behind an alarm: the prop that sets it and the `kig` command that re-derives it. */
export interface RunbookLimit {
  readonly prop: string;
  readonly command: string;
}

/** What the playbook of one alarm family is given. */
export interface PlaybookContext {
  readonly metricName?: string;
  /** Log groups of the stack related to the alarm's resources, by kind. */
  readonly logs: { readonly [K in StackLogGroup['kind']]: readonly StackLogGroup[] };
}

/** Logs Insights queries the runbook runs, by log kind (each is validated against the log group's fields). */
export const QUERIES = {
  accessErrors: 'fields @timestamp, status, integrationStatus, errorResponseType, errorMessage | filter status like /^5/ or integrationStatus like /^5/ | stats count(*) as requests by status, integrationStatus, errorResponseType | sort requests desc | limit 20',
  accessRejections: 'filter status like /^4/ | stats count(*) as requests by status, errorResponseType, wafResponseCode | sort requests desc | limit 20',
  accessSlow: 'fields @timestamp, resourcePath, status, integrationStatus, integrationLatency, responseLatency | filter status like /^5/ or integrationStatus like /^5/ | sort @timestamp desc | limit 50',
  accessCallers: 'stats count(*) as requests by sourceIp, apiKeyId | sort requests desc | limit 10',
  wafBlocked: 'filter action = "BLOCK" | stats count(*) as blocked by httpRequest.clientIp, terminatingRuleId | sort blocked desc | limit 20',
  lambdaErrors: 'fields @timestamp, @requestId, @message | filter @message like /(?i)(error|timed out|exception)/ | sort @timestamp desc | limit 50',
  lambdaDuration: 'filter @type = "REPORT" | stats max(@duration) as maxMs, pct(@duration, 99) as p99Ms, count(*) as invocations by bin(5m)',
  containerErrors: 'fields @timestamp, @logStream, @message | filter @message like /(?i)(error|exception|out of memory|killed)/ | sort @timestamp desc | limit 50',
} as const;

const LIMITS_CMD = 'kig limits --profile <profile.json> --max-instances <N>';
const PROFILE_CMD = 'kig profile <model endpoint or local server> (re-measure), then kig limits --profile <profile.json>';

function q(what: string, groups: readonly StackLogGroup[], text: string): RunbookCheck[] {
  return groups.slice(0, 1).map((g) => ({ what, query: { logGroup: g.logicalId, text } }));
}

/** The threshold override (AlarmThresholdOverrides) an API or backend alarm reads, by metric name. */
const THRESHOLD_PROP: Record<string, string> = {
  '5XXError': 'alarmThresholds.api5xxRate', '4XXError': 'alarmThresholds.api4xxRate', 'Latency': 'alarmThresholds.apiLatencyP99Ms',
  'IntegrationLatency': 'alarmThresholds.integrationLatencyP99Ms', 'BlockedRequests': 'alarmThresholds.wafBlockedPerMinute',
  'ModelLatency': 'alarmThresholds.modelLatencyP99Micros', 'Invocation5XXErrors': 'alarmThresholds.backend5xxPerMinute',
  'CPUUtilization': 'alarmThresholds.cpuUtilizationPercent', 'MemoryUtilization': 'alarmThresholds.memoryUtilizationPercent',
  'GPUUtilization': 'alarmThresholds.gpuUtilizationPercent', 'nvidia_smi_utilization_gpu': 'alarmThresholds.gpuUtilizationPercent',
};

/**
 * The playbook of an alarm family (by the namespace of its metric): checks 2 and 3 (check 1 is
 * always the alarm's own metric) and the limit to change.
 */
export function playbook(namespace: string, ctx: PlaybookContext): { checks: RunbookCheck[]; limit: RunbookLimit } {
  const m = ctx.metricName ?? '';
  const access = ctx.logs['api-access'];
  const threshold = THRESHOLD_PROP[m];
  if (namespace === 'AWS/ApiGateway' || namespace === 'KerasInferenceGuard') {
    const first = m === '4XXError' || namespace === 'KerasInferenceGuard'
      ? q('Which rejections: status, gateway error type and WAF code of 4XX responses', access, QUERIES.accessRejections)
      : m === 'Latency' || m === 'IntegrationLatency'
        ? q('The slow or failed requests, newest first, with integration and total latency', access, QUERIES.accessSlow)
        : q('Which failures: status, backend status and gateway error type of 5XX responses', access, QUERIES.accessErrors);
    return {
      checks: [...first, ...q('Who sends the traffic: requests by source IP and API key', access, QUERIES.accessCallers)],
      limit: { prop: threshold ?? 'alarmThresholds.throttledPerMinute (the stage throttle itself: headroom, maxInstances)', command: LIMITS_CMD },
    };
  }
  if (namespace === 'AWS/WAFV2') {
    return {
      checks: [...q('Which clients and rules: blocked requests by client IP and terminating rule', ctx.logs.waf, QUERIES.wafBlocked),
        ...q('What got through: requests by source IP and API key', access, QUERIES.accessCallers)],
      limit: { prop: 'alarmThresholds.wafBlockedPerMinute (the per-IP rate rule: limitOverrides, headroom)', command: LIMITS_CMD },
    };
  }
  if (namespace === 'AWS/SageMaker' || namespace === '/aws/sagemaker/Endpoints') {
    const instanceBound = m === '' || m === 'ApproximateBacklogSize' || m === 'ApproximateAgeOfOldestRequest' || m === 'HasBacklogWithoutCapacity' || m === 'ExpiredRequests';
    return {
      checks: [...q('What callers saw: failed requests with backend status', access, QUERIES.accessErrors),
        ...q('Who sends the traffic: requests by source IP and API key', access, QUERIES.accessCallers),
        ...q('Worker calls that failed against the endpoint', ctx.logs.lambda, QUERIES.lambdaErrors)].slice(0, 2),
      limit: { prop: threshold ?? (instanceBound ? 'maxInstances (the instance ceiling), acceptableWait' : 'maxInstances'), command: threshold === 'alarmThresholds.modelLatencyP99Micros' ? PROFILE_CMD : LIMITS_CMD },
    };
  }
  if (namespace === 'AWS/SQS' || namespace === 'KerasInferenceGuard/Queue') {
    return {
      checks: [...q('Why jobs fail or stall: worker and admission errors, newest first', ctx.logs.lambda, QUERIES.lambdaErrors),
        ...q('Whether the worker keeps up: worker duration per 5 minutes', ctx.logs.lambda.slice(-1), QUERIES.lambdaDuration),
        ...q('What the backend did meanwhile: container errors', ctx.logs.container, QUERIES.containerErrors)].slice(0, 2),
      limit: { prop: 'jobQueue.limits (acceptableWaitSeconds, maxWorkers) and maxInstances', command: `${LIMITS_CMD} (the job queue section)` },
    };
  }
  if (namespace === 'AWS/Lambda') {
    return {
      checks: [...q('The failed invocations, newest first', ctx.logs.lambda, QUERIES.lambdaErrors),
        ...q('Duration against the timeout: max and p99 per 5 minutes', ctx.logs.lambda, QUERIES.lambdaDuration)],
      limit: { prop: 'workerMemoryMiB, jobQueue.limits (worker timeout derives from the profile p99)', command: LIMITS_CMD },
    };
  }
  // ECS, its load balancer, managed scaling and GPU metrics.
  return {
    checks: [...q('What the model server logged: errors, out-of-memory kills, exceptions', ctx.logs.container, QUERIES.containerErrors),
      ...q('What callers saw: failed requests with backend status', access, QUERIES.accessErrors),
      ...q('Whether the worker keeps up: worker duration per 5 minutes', ctx.logs.lambda, QUERIES.lambdaDuration)].slice(0, 2),
    limit: { prop: threshold ?? 'maxInstances (task ceiling), limitOverrides', command: LIMITS_CMD },
  };
}
