import { ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localClients, MotoServer, startMoto } from '../support/moto';

/**
 * test/support/moto-server.py hands requests of the AWS JSON protocol (DynamoDB, SQS as the SDK
 * calls it) straight to moto's response classes instead of through moto_server's Flask routing. The
 * SDK must see the same answers either way: results, service errors, and what a malformed request
 * gets. The same calls go to a server of each route, and the answers are compared with what differs
 * by nature (generated ids, timestamps, the server's port) taken out.
 */
let direct: MotoServer;
let flask: MotoServer;
beforeAll(async () => {
  [direct, flask] = await Promise.all([startMoto(), startMoto(30_000, 'waitress', 'flask')]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), flask?.stop()]);
});

type Answer = { ok: unknown } | { error: { name: string; message: string; status?: number } };

/** An SDK call's output without its request id. */
const withoutMetadata = (o: any) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== '$metadata'));

async function answer(call: () => Promise<unknown>, keep: (out: any) => unknown): Promise<Answer> {
  try {
    return { ok: keep(await call()) };
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { error: { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode } };
  }
}

async function calls(endpoint: string): Promise<Record<string, Answer>> {
  const { sqs, ddb } = localClients(endpoint) as { sqs: SQSClient; ddb: DynamoDBClient };
  const out: Record<string, Answer> = {};
  const local = (s: string) => s.replace(endpoint, 'ENDPOINT');
  out.createQueue = await answer(() => sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '30' } })), (o) => local(o.QueueUrl));
  const queueUrl = `${endpoint}/123456789012/jobs`;
  out.send = await answer(() => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' })), (o) => o.MD5OfMessageBody);
  out.depth = await answer(() => sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'VisibilityTimeout'] })), (o) => o.Attributes);
  out.receive = await answer(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 })), (o) => o.Messages?.map((m: { Body: string }) => m.Body));
  out.missingQueue = await answer(() => sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint}/123456789012/nowhere`, AttributeNames: ['All'] })), withoutMetadata);
  out.badAttribute = await answer(() => sqs.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { MaximumMessageSize: 'lots' } })), (o) => local(o.QueueUrl));
  out.createTable = await answer(() => ddb.send(new CreateTableCommand({
    TableName: 'jobs', AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST',
  })), (o) => [o.TableDescription.TableStatus, o.TableDescription.KeySchema]);
  out.put = await answer(() => ddb.send(new PutItemCommand({ TableName: 'jobs', Item: { jobId: { S: 'a' }, n: { N: '1' } } })), (o) => o.Attributes ?? null);
  out.update = await answer(() => ddb.send(new UpdateItemCommand({
    TableName: 'jobs', Key: { jobId: { S: 'a' } }, UpdateExpression: 'ADD n :one', ConditionExpression: 'n < :cap',
    ExpressionAttributeValues: { ':one': { N: '1' }, ':cap': { N: '5' } }, ReturnValues: 'ALL_NEW',
  })), (o) => o.Attributes);
  out.conditionFails = await answer(() => ddb.send(new UpdateItemCommand({
    TableName: 'jobs', Key: { jobId: { S: 'a' } }, UpdateExpression: 'ADD n :one', ConditionExpression: 'n < :cap',
    ExpressionAttributeValues: { ':one': { N: '1' }, ':cap': { N: '2' } },
  })), withoutMetadata);
  out.get = await answer(() => ddb.send(new GetItemCommand({ TableName: 'jobs', Key: { jobId: { S: 'a' } }, ConsistentRead: true })), (o) => o.Item);
  out.missingTable = await answer(() => ddb.send(new DescribeTableCommand({ TableName: 'nowhere' })), withoutMetadata);
  out.badExpression = await answer(() => ddb.send(new UpdateItemCommand({
    TableName: 'jobs', Key: { jobId: { S: 'a' } }, UpdateExpression: 'ADD n', ExpressionAttributeValues: { ':one': { N: '1' } },
  })), withoutMetadata);
  // Not JSON at all: what moto answers a request its handler cannot read.
  const raw = await fetch(endpoint, {
    method: 'POST', body: '{"TableName": ',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.GetItem', 'Authorization': 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' },
  });
  out.malformed = { ok: { status: raw.status, body: await raw.text() } };
  return out;
}

test('requests sent straight to moto\'s response classes get what moto_server\'s Flask routing answers', async () => {
  const [viaDirect, viaFlask] = await Promise.all([calls(direct.endpoint), calls(flask.endpoint)]);
  expect(viaDirect).toEqual(viaFlask);
  // The comparison covers answers of each kind: results, service errors, and a 4xx/5xx for a broken request.
  expect(viaDirect.conditionFails).toEqual({ error: expect.objectContaining({ name: ConditionalCheckFailedException.name, status: 400 }) });
  expect(viaDirect.missingQueue).toEqual({ error: expect.objectContaining({ status: 400 }) });
  expect(viaDirect.get).toEqual({ ok: { jobId: { S: 'a' }, n: { N: '2' } } });
  expect(viaDirect.depth).toEqual({ ok: { ApproximateNumberOfMessages: '1', VisibilityTimeout: '30' } });
});
