import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, numberEnv, requireEnv } from '../shared/env';
import { writeLine } from '../shared/metrics';
import { reconcile, ReconcileReport, ReconcilerConfig, ReconcilerContext, ReconcilerDeps } from './core';

// Created once per execution environment.
const config: ReconcilerConfig = {
  deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
  queueUrl: requireEnv(ENV.queueUrl),
  queueName: requireEnv(ENV.queueName),
  tableName: requireEnv(ENV.tableName),
  holdSeconds: numberEnv(ENV.reconcileHoldSeconds),
  maxMessagesPerRun: numberEnv(ENV.reconcileMaxMessages),
  // A long poll (WaitTimeSeconds >= 1) asks every server of the queue; a short one samples some and
  // may answer empty while messages wait (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
  receiveWaitSeconds: 1,
  safetyMarginMs: 5_000,
};
const deps: ReconcilerDeps = { ddb: new DynamoDBClient({}), sqs: new SQSClient({}), now: () => Date.now(), log: writeLine };

/** Handler of the scheduled run (an EventBridge schedule; the event carries nothing it reads). */
export async function handler(_event: unknown, context: ReconcilerContext): Promise<ReconcileReport> {
  return reconcile(context, config, deps);
}
