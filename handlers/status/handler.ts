import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV, numberEnv, requireEnv } from '../shared/env';
import type { ProxyEvent, ProxyResult } from '../shared/http';
import { getStatus, StatusConfig, StatusDeps } from './core';
import { writeLine } from '../shared/metrics';

// Created once per execution environment.
const config: StatusConfig = {
  tableName: requireEnv(ENV.tableName),
  bucketName: requireEnv(ENV.bucketName),
  presignSeconds: numberEnv(ENV.presignSeconds, 900),
};
const deps: StatusDeps = { ddb: new DynamoDBClient({}), s3: new S3Client({}), log: writeLine };

/** API Gateway (REST, Lambda proxy) handler of `GET /jobs/{id}`. */
export async function handler(event: ProxyEvent): Promise<ProxyResult> {
  return getStatus(event, config, deps);
}
