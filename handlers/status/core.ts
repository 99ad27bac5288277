import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fromItem, S } from '../shared/dynamo';
import { ClientError, dependencyError, HandlerError } from '../shared/errors';
import { errorResponse, json, ProxyEvent, ProxyResult } from '../shared/http';
import { JOB_ID_PATTERN } from '../shared/job';

/** Settings of the status function. */
export interface StatusConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** Lifetime of a presigned result URL (s). */
  readonly presignSeconds: number;
}

/** Clients of the status function. */
export interface StatusDeps {
  readonly ddb: DynamoDBClient;
  readonly s3: S3Client;
  readonly log: (line: string) => void;
}

/** Handles `GET /jobs/{id}`: 400 for a malformed id, 404 for an unknown one, 200 with status and result. */
export async function getStatus(event: ProxyEvent, config: StatusConfig, deps: StatusDeps): Promise<ProxyResult> {
  const requestId = event.requestContext?.requestId;
  try {
    const id = (event.pathParameters?.id ?? '').toLowerCase();
    if (!JOB_ID_PATTERN.test(id)) {
      throw new ClientError(400, 'MalformedJobId', 'The job id must be a UUID as returned by POST /jobs.', [{ path: 'path:id', message: 'must be a UUID' }]);
    }
    let item;
    try {
      item = (await deps.ddb.send(new GetItemCommand({ TableName: config.tableName, Key: { jobId: S(id) }, ConsistentRead: true }))).Item;
    } catch (e) {
      throw dependencyError('DynamoDB', e);
    }
    const job = fromItem(item);
    if (!job) throw new ClientError(404, 'JobNotFound', 'No job has this id (it may have expired, or not been picked up yet if it was enqueued directly).');

    const body: Record<string, unknown> = {
      jobId: job.jobId, status: job.status, attempts: job.attempts ?? 0,
      createdAt: job.createdAt !== undefined ? new Date(job.createdAt).toISOString() : undefined,
      updatedAt: job.updatedAt !== undefined ? new Date(job.updatedAt).toISOString() : undefined,
    };
    if (job.result !== undefined) {
      body.resultContentType = job.resultContentType;
      body.result = isJson(job.resultContentType) ? parseOr(job.result) : job.result;
    }
    if (job.resultKey !== undefined) {
      // Large results stay in S3; the client downloads them directly with a short-lived URL.
      body.resultContentType = job.resultContentType;
      body.resultUrl = await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: config.bucketName, Key: job.resultKey }), { expiresIn: config.presignSeconds });
    }
    if (job.error !== undefined) body.error = parseOr(job.error);
    return json(200, body);
  } catch (e) {
    const err = e instanceof HandlerError ? e : dependencyError('status', e);
    if (!(e instanceof HandlerError)) deps.log(JSON.stringify({ level: 'error', msg: 'status failed', error: (e as Error).message, requestId }));
    return errorResponse(err, requestId);
  }
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType ?? '');
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
