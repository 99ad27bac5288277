import { randomUUID } from 'crypto';
import { AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { N, S } from '../../handlers/shared/dynamo';
import { getStatus, StatusConfig, StatusDeps } from '../../handlers/status/core';
import { localClients, MotoServer, startMoto } from '../support/moto';
import { createFixture, QueueFixture } from '../support/queue-fixture';
import { getJob } from '../support/requests';

let moto: MotoServer;
let clients: ReturnType<typeof localClients>;
let f: QueueFixture;
let config: StatusConfig;
let deps: StatusDeps;

beforeAll(async () => {
  moto = await startMoto();
  clients = localClients(moto.endpoint);
  f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  config = { tableName: f.tableName, bucketName: f.bucketName, presignSeconds: 60 };
  deps = { ddb: clients.ddb, s3: clients.s3, log: () => undefined };
});
afterAll(async () => {
  await moto?.stop();
});

async function put(item: Record<string, AttributeValue>) {
  await clients.ddb.send(new PutItemCommand({ TableName: f.tableName, Item: item }));
}

describe('status', () => {
  test.each([['not-a-uuid'], ['../../etc/passwd'], [''], ['12345678-1234-1234-1234-1234567890123']])('malformed id %j: 400 with a JSON body', async (id) => {
    const res = await getStatus(getJob(id), config, deps);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'MalformedJobId' });
  });

  test('unknown id: 404', async () => {
    const res = await getStatus(getJob(randomUUID()), config, deps);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'JobNotFound' });
  });

  test('queued job: 200 with its status', async () => {
    const id = randomUUID();
    await put({ jobId: S(id), status: S('QUEUED'), createdAt: N(1_700_000_000_000) });
    const res = await getStatus(getJob(id.toUpperCase()), config, deps);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ jobId: id, status: 'QUEUED', createdAt: '2023-11-14T22:13:20.000Z' });
  });

  test('finished job with a small result: returned inline as JSON', async () => {
    const id = randomUUID();
    await put({ jobId: S(id), status: S('SUCCEEDED'), result: S('{"predictions":[[0.5]]}'), resultContentType: S('application/json') });
    const body = JSON.parse((await getStatus(getJob(id), config, deps)).body);
    expect(body).toMatchObject({ status: 'SUCCEEDED', result: { predictions: [[0.5]] } });
  });

  test('finished job with a large result: a presigned URL that downloads it', async () => {
    const id = randomUUID();
    await clients.s3.send(new PutObjectCommand({ Bucket: f.bucketName, Key: `results/${id}`, Body: '{"big":true}' }));
    await put({ jobId: S(id), status: S('SUCCEEDED'), resultKey: S(`results/${id}`), resultContentType: S('application/json') });
    const body = JSON.parse((await getStatus(getJob(id), config, deps)).body);
    expect(body.resultUrl).toContain('X-Amz-Signature=');
    expect(body.resultUrl).toContain('X-Amz-Expires=60');
    const downloaded = await fetch(body.resultUrl);
    expect(downloaded.status).toBe(200);
    expect(await downloaded.json()).toEqual({ big: true });
  });

  test('failed job: the error is returned', async () => {
    const id = randomUUID();
    await put({ jobId: S(id), status: S('FAILED'), error: S('{"code":"ModelError","statusCode":424}') });
    expect(JSON.parse((await getStatus(getJob(id), config, deps)).body)).toMatchObject({ status: 'FAILED', error: { code: 'ModelError', statusCode: 424 } });
  });

  test('DynamoDB unavailable: 503 with Retry-After', async () => {
    const res = await getStatus(getJob(randomUUID()), { ...config, tableName: 'missing' }, deps);
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBeDefined();
  });
});
