import { Duration, aws_ec2 as ec2, aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_logs as logs, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge } from '../../core/nag-text';
import { acknowledgeCompliance } from '../../security/compliance';
import { HANDLER_ENV } from '../handler-env';
import { queueFunction } from './queue-functions';

/**
 * How often the dead letters are reconciled. A job whose last delivery crashed holds its cost units
 * at most this long after SQS moved its message (plus one run), instead of until its record expires.
 */
export const RECONCILE_INTERVAL = Duration.minutes(5);

/** Retries of a tick EventBridge could not deliver (within RECONCILE_INTERVAL: a later tick supersedes it). */
export const RECONCILE_TICK_RETRIES = 2;

/** Timeout of one run. A received dead letter stays hidden at most this long if the run stops early. */
export const RECONCILE_TIMEOUT = Duration.seconds(60);

/**
 * Dead letters read in one run at most (the rest in the next run). Each costs one job-table write,
 * and a second for a job whose units go back: a thousand fit well within the timeout.
 */
export const RECONCILE_MAX_MESSAGES = 1_000;

/** What the reconciler reads and writes. */
export interface DeadLetterReconcilerOptions {
  readonly deadLetterQueue: sqs.IQueue;
  /** The job queue: the ledger audit reads its depth. */
  readonly queue: sqs.IQueue;
  readonly tableName: string;
  readonly logRetention: logs.RetentionDays;
  readonly encryptionKey?: kms.IKey;
  /** The VPC the function runs in (the regulated posture's), as the admission function does. */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Grants the function the job-table actions it needs. */
  readonly grantTable: (grantee: iam.IGrantable, actions: string[]) => void;
}

/**
 * The dead-letter reconciler (handlers/reconciler): a function run on a schedule that marks the
 * jobs SQS moved to the dead-letter queue without an outcome DEAD_LETTERED and gives their cost
 * units back to the admission ledger, leaving every message in the queue for an operator.
 */
export function deadLetterReconciler(owner: Construct, o: DeadLetterReconcilerOptions): lambda.Function {
  const fn = queueFunction(owner, 'Reconciler', {
    code: 'reconciler',
    memoryMiB: 256,
    timeout: RECONCILE_TIMEOUT,
    logRetention: o.logRetention,
    encryptionKey: o.encryptionKey,
    vpc: o.vpc,
    vpcSubnets: o.vpcSubnets,
    description: 'Settles jobs the dead-letter queue holds without an outcome and gives their cost units back',
    environment: {
      [HANDLER_ENV.deadLetterQueueUrl]: o.deadLetterQueue.queueUrl,
      [HANDLER_ENV.queueUrl]: o.queue.queueUrl,
      [HANDLER_ENV.queueName]: o.queue.queueName,
      [HANDLER_ENV.tableName]: o.tableName,
      [HANDLER_ENV.reconcileHoldSeconds]: String(RECONCILE_TIMEOUT.toSeconds()),
      [HANDLER_ENV.reconcileMaxMessages]: String(RECONCILE_MAX_MESSAGES),
    },
  });
  // Reads the dead letters and makes them visible again; never deletes one (no sqs:DeleteMessage).
  iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility'], resourceArns: [o.deadLetterQueue.queueArn] });
  // The ledger audit reads the job queue's depth (its approximate counts) and nothing else of it.
  iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:GetQueueAttributes'], resourceArns: [o.queue.queueArn] });
  // Marks a job DEAD_LETTERED, and gives back its units (the job record's flag, then the ledger
  // item); the ledger audit reads the ledger item and repairs it.
  // test/queue/grants-cover-calls.test.ts runs the reconciler and checks its calls against these grants.
  o.grantTable(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  const rule = new events.Rule(fn.node.scope as Construct, 'Schedule', {
    description: `Runs the dead-letter reconciler every ${RECONCILE_INTERVAL.toMinutes()} minutes`,
    // EventBridge rate expressions: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
    schedule: events.Schedule.rate(RECONCILE_INTERVAL),
    // A tick that cannot be delivered within one interval is superseded by the next one (a target's
    // RetryPolicy: EVENTBRIDGE_TARGET_* in core/aws-limits.ts).
    targets: [new targets.LambdaFunction(fn, { retryAttempts: RECONCILE_TICK_RETRIES, maxEventAge: RECONCILE_INTERVAL })],
  });
  // A failed run is not retried: the next tick redoes all of it, since every run starts from the
  // dead-letter queue and the job table, not from its event. EventBridge invokes the function
  // asynchronously; its retries and event age are the function's asynchronous invocation settings
  // (LAMBDA_ASYNC_* in core/aws-limits.ts).
  fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: RECONCILE_INTERVAL });
  const scheduled = `Run every ${RECONCILE_INTERVAL.toMinutes()} minutes by an EventBridge schedule whose events carry nothing: a failed run is redone by the next one, which starts again from the dead-letter queue and the job table, so a failed event has nothing to keep.`;
  acknowledge(rule, 'Serverless-EventBusDLQ', scheduled);
  acknowledge(fn, 'Serverless-LambdaDLQ', scheduled);
  acknowledge(fn, 'Serverless-LambdaAsyncFailureDestination', scheduled);
  acknowledgeCompliance(fn, 'LambdaDLQ', scheduled);
  acknowledgeCompliance(fn, 'LambdaConcurrency', `At most one run per ${RECONCILE_INTERVAL.toMinutes()}-minute tick, each shorter than ${RECONCILE_TIMEOUT.toSeconds()} s: its concurrency stays at one without a reservation.`);
  return fn;
}
