import { aws_cloudwatch as cloudwatch, aws_lambda as lambda, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GuardAlarmSpec } from '../../alarms/alarm-factory';
import { GuardAlarms } from '../../alarms/guard-alarms';
import { METRIC_CATALOG, catalogMetric } from '../../alarms/metric-catalog';
import { InferenceProfile } from '../../profile/inference-profile';
import { QueueLimits } from '../../profile/queue-limits';
import { GuardAlarmDefinition, buildGuardAlarms } from '../../alarms/guard-alarm-builder';
import { RECONCILE_INTERVAL } from './dead-letter-reconciler';
import { messagesInQueue } from './queue-metrics';

/** What the queue's alarms read. */
export interface QueueAlarmInputs {
  readonly limits: QueueLimits;
  readonly profile: InferenceProfile;
  readonly alarmTopic?: sns.ITopic;
  readonly rejectedShareThreshold: number;
  readonly worker?: lambda.Function;
  readonly reconciler: lambda.Function;
  /** Whether admission holds cost units in its ledger (the backend gives them back): the ledger's repair alarm. */
  readonly costLedger: boolean;
  readonly depth: cloudwatch.IMetric;
  readonly rejectedShare: cloudwatch.IMetric;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
}

/**
 * The job queue's alarms, built by the alarm factory under `owner/Alarms`: oldest job against the
 * wait budget, depth at the admission budget, dead letters, rejected share, the worker's errors,
 * throttles and duration near its timeout, the reconciler's errors and its repairs of the admission
 * ledger.
 */
export function queueAlarms(owner: Construct, o: QueueAlarmInputs): GuardAlarms {
  const { limits, worker } = o;
  const scope = new Construct(owner, 'Alarms');
  const definitions: GuardAlarmDefinition[] = [];
  const add = (id: string, spec: GuardAlarmSpec) => definitions.push({ id, spec });
  const inFlightAtRest = limits.maxWorkers * limits.batchSize;
  add('AgeOfOldestMessage', {
    description: `Oldest job waited longer than the queue SLO: acceptable wait ${limits.acceptableWaitSeconds} s + worker timeout ${limits.workerTimeoutSeconds} s. Workers are not keeping up or the backend fails.`,
    metric: catalogMetric(METRIC_CATALOG.sqsOldestAge, { QueueName: o.queueName }, { statistic: 'Maximum' }),
    threshold: limits.ageOfOldestMessageBudgetSeconds, unit: 'Seconds', evaluationPeriods: 3,
    atRest: { value: limits.acceptableWaitSeconds, basis: 'admission keeps the backlog within what the workers drain in the acceptable wait' },
  });
  add('Depth', {
    description: `Jobs waiting or in flight reached the depth budget (${limits.depthBudget}); admission answers 429.`,
    metric: o.depth,
    threshold: limits.depthBudget, unit: 'Count', evaluationPeriods: 5, datapointsToAlarm: 3,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    atRest: { value: inFlightAtRest, basis: `below the drain rate only the jobs in flight remain: ${limits.maxWorkers} workers x batch ${limits.batchSize}` },
  });
  add('DeadLetters', {
    description: 'Jobs failed on every delivery and wait in the dead-letter queue: inspect them, fix the cause, redrive.',
    // Messages in the queue, not NumberOfMessagesSent: messages moved by a redrive do not count as
    // sent. Visible and in flight: the dead-letter reconciler hides the messages it reads while it
    // runs, and a reading taken then must not end the alarm.
    metric: messagesInQueue(o.deadLetterQueueName, 'Dead letters (visible + in flight)'),
    threshold: 0, unit: 'Count', evaluationPeriods: 1,
    atRest: { value: 0, basis: 'every job succeeds or is retried to success' },
  });
  add('RejectedShare', {
    description: `More than ${o.rejectedShareThreshold * 100} % of job submissions were rejected with 429 (backlog over budget).`,
    metric: o.rejectedShare,
    threshold: o.rejectedShareThreshold, unit: 'Fraction', evaluationPeriods: 5, datapointsToAlarm: 3,
    atRest: { value: 0, basis: 'nominal load stays under the depth budget' },
  });
  for (const tier of limits.tiers) {
    const dims = { QueueName: o.queueName, Tier: tier.name };
    add(`KeyAtShare-${tier.name}`, {
      description: `An API key of tier ${tier.name} held its share of the job queue (${tier.keyBudgetUnits} cost units) and was refused with 429 KeyShareFull while other keys were admitted: one client is flooding.`,
      metric: catalogMetric(METRIC_CATALOG.jobsRejectedKeyAtShare, dims, { statistic: 'Sum' }),
      threshold: 0, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2,
      atRest: { value: 0, basis: 'no single key needs more than its share of what the workers drain in the acceptable wait' },
    });
    add(`TierAtShare-${tier.name}`, {
      description: `Jobs of tier ${tier.name} held the tier's share of the job queue (${tier.budgetUnits} cost units) and were refused with 429 TierShareFull.`,
      metric: catalogMetric(METRIC_CATALOG.jobsRejectedTierAtShare, dims, { statistic: 'Sum' }),
      threshold: 0, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2,
      atRest: { value: 0, basis: 'the tier\'s nominal load stays within its budget share' },
    });
  }
  if (worker) {
    const fn = { FunctionName: worker.functionName };
    add('WorkerErrors', {
      description: 'The worker function failed (crashed or timed out); its whole batch is redelivered.',
      metric: catalogMetric(METRIC_CATALOG.lambdaErrors, fn, { statistic: 'Sum' }),
      threshold: 0, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2,
      atRest: { value: 0, basis: 'the worker reports failed jobs as batch item failures, not by crashing' },
    });
    add('WorkerThrottles', {
      description: 'The worker function was throttled: account concurrency is exhausted, so messages wait (and count receives).',
      metric: catalogMetric(METRIC_CATALOG.lambdaThrottles, fn, { statistic: 'Sum' }),
      threshold: 0, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2,
      atRest: { value: 0, basis: 'the event source caps worker concurrency' },
    });
    add('WorkerDurationNearTimeout', {
      description: `Worker invocations took more than 80 % of the ${limits.workerTimeoutSeconds} s timeout: the model is slower than its profile.`,
      metric: catalogMetric(METRIC_CATALOG.lambdaDuration, fn, { statistic: 'Maximum' }),
      threshold: Math.round(0.8 * limits.workerTimeoutSeconds * 1000), unit: 'Milliseconds', evaluationPeriods: 3, datapointsToAlarm: 2,
      atRest: { value: limits.batchSize * o.profile.latencyMs.p99, basis: `a batch of ${limits.batchSize} jobs at the profiled p99 (${o.profile.latencyMs.p99} ms)` },
    });
  }
  add('ReconcilerErrors', {
    description: 'The dead-letter reconciler failed: jobs SQS dead-lettered without an outcome keep holding their cost units, and admission lets in that much less until a run succeeds.',
    // One period per run: two runs in a row failed.
    metric: catalogMetric(METRIC_CATALOG.lambdaErrors, { FunctionName: o.reconciler.functionName }, { statistic: 'Sum', period: RECONCILE_INTERVAL }),
    threshold: 0, unit: 'Count', evaluationPeriods: 2, datapointsToAlarm: 2,
    atRest: { value: 0, basis: 'a run reads the dead-letter queue and writes the job table; neither fails at rest' },
  });
  if (o.costLedger) add('LedgerRepaired', {
    description: 'The dead-letter reconciler found admission holding cost units that no job held, and gave them back: a worker or an admission stopped between two of its writes (a worker timeout, most often). Until the repair, admission let in that much less. Find why invocations stopped early.',
    // The reconciler publishes it after a repair only (no data point otherwise): one period per run.
    // An Embedded Metric Format metric is alarmed on as any other
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Alarms.html);
    // the periods without a repair have no data point, which the alarm factory treats as not breaching.
    metric: catalogMetric(METRIC_CATALOG.ledgerUnitsRepaired, { QueueName: o.queueName }, { statistic: 'Sum', period: RECONCILE_INTERVAL }),
    threshold: 0, unit: 'Count', evaluationPeriods: 1,
    atRest: { value: 0, basis: 'every job gives its units back when it ends' },
  });
  return buildGuardAlarms(scope, definitions, [], o.alarmTopic);
}
