import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SQSClient } from '@aws-sdk/client-sqs';
import { WORKER_SAFETY_MARGIN_MS } from '../../lib/core/queue-formulas';
import { ENV, numberEnv, requireEnv } from '../shared/env';
import { HttpBackend, ModelBackend, SageMakerBackend } from './backends';
import { BatchResponse, processBatch, SqsEvent, WorkerConfig, WorkerContext, WorkerDeps } from './core';
import { writeLine } from '../shared/metrics';

function backendFromEnv(): ModelBackend {
  const kind = requireEnv(ENV.backendKind);
  if (kind === 'sagemaker') {
    // One attempt per delivery: retries go through the queue with backoff, so the number of model
    // calls per message stays visible and bounded by maxReceiveCount.
    return new SageMakerBackend(new SageMakerRuntimeClient({ maxAttempts: 1 }), requireEnv(ENV.endpointName));
  }
  if (kind === 'http') return new HttpBackend(requireEnv(ENV.backendUrl));
  throw new Error(`${ENV.backendKind} = ${JSON.stringify(kind)}: allowed "sagemaker" or "http"`);
}

// Created once per execution environment.
const config: WorkerConfig = {
  queueUrl: requireEnv(ENV.queueUrl),
  tableName: requireEnv(ENV.tableName),
  bucketName: requireEnv(ENV.bucketName),
  perCallDeadlineMs: numberEnv(ENV.perCallDeadlineMs),
  maxReceiveCount: numberEnv(ENV.maxReceiveCount),
  visibilityTimeoutSeconds: numberEnv(ENV.visibilityTimeoutSeconds),
  backoffBaseSeconds: numberEnv(ENV.backoffBaseSeconds),
  resultInlineMaxBytes: numberEnv(ENV.resultInlineMaxBytes),
  jobTtlSeconds: numberEnv(ENV.jobTtlSeconds),
  safetyMarginMs: WORKER_SAFETY_MARGIN_MS,
};
const deps: WorkerDeps = {
  ddb: new DynamoDBClient({}),
  s3: new S3Client({}),
  sqs: new SQSClient({}),
  backend: backendFromEnv(),
  now: () => Date.now(),
  random: Math.random,
  log: writeLine,
};

/** SQS event source handler; answers with the messages to retry (ReportBatchItemFailures). */
export async function handler(event: SqsEvent, context: WorkerContext): Promise<BatchResponse> {
  const { batchItemFailures } = await processBatch(event, context, config, deps);
  return { batchItemFailures };
}
