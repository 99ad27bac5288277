import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, numberEnv, requireEnv } from '../shared/env';
import type { ProxyEvent, ProxyResult } from '../shared/http';
import { problemsOf, SchemaValidateFunction } from '../shared/request-validator';
import { admit, AdmissionConfig, AdmissionDeps, DepthGauge } from './core';
import { writeLine } from '../shared/metrics';

// Created once per execution environment: clients keep their connections, and the depth gauge's
// cache lives as long as the environment.
const config: AdmissionConfig = {
  queueUrl: requireEnv(ENV.queueUrl),
  queueName: requireEnv(ENV.queueName),
  tableName: requireEnv(ENV.tableName),
  bucketName: requireEnv(ENV.bucketName),
  depthBudget: numberEnv(ENV.depthBudget),
  drainRatePerSecond: numberEnv(ENV.drainRate),
  resumeFraction: numberEnv(ENV.resumeFraction, 0.5),
  maxRetryAfterSeconds: numberEnv(ENV.maxRetryAfter),
  depthCacheTtlMs: numberEnv(ENV.depthCacheTtlMs),
  environments: numberEnv(ENV.admissionEnvironments),
  maxRequestBytes: numberEnv(ENV.maxRequestBytes),
  maxInlineMessageBytes: numberEnv(ENV.maxInlineMessageBytes),
  jobTtlSeconds: numberEnv(ENV.jobTtlSeconds),
  cost: JSON.parse(requireEnv(ENV.costModel)) as AdmissionConfig['cost'],
  costBudgetUnits: numberEnv(ENV.costBudgetUnits),
  drainUnitsPerSecond: numberEnv(ENV.drainUnitsPerSecond),
  maxJobCostUnits: numberEnv(ENV.maxJobCostUnits),
  tiers: JSON.parse(requireEnv(ENV.costTiers)) as AdmissionConfig['tiers'],
  costLedger: process.env[ENV.costLedger] !== 'false',
  keyTiers: JSON.parse(process.env[ENV.keyTiers] || '{}') as AdmissionConfig['keyTiers'],
};
const deps: AdmissionDeps = {
  sqs: new SQSClient({}),
  ddb: new DynamoDBClient({}),
  s3: new S3Client({}),
  // The model's request schema as code: ajv's standalone output, generated at synth and staged
  // beside this bundle (lib/queue/private/admission-code.ts), so a cold start compiles nothing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validate: problemsOf(require('./request-validator.js') as SchemaValidateFunction),
  now: () => Date.now(),
  log: writeLine,
};
const gauge = new DepthGauge(config, deps.sqs, deps.now);

/** API Gateway (REST, Lambda proxy) handler of `POST /jobs`. */
export async function handler(event: ProxyEvent): Promise<ProxyResult> {
  return admit(event, config, deps, gauge);
}
