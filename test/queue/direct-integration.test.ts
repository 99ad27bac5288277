import { randomUUID } from 'crypto';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { App, Stack, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as velocity from 'velocityjs';
import { parseJobMessage } from '../../handlers/shared/job';
import { getStatus } from '../../handlers/status/core';
import { SageMakerBackend } from '../../handlers/worker/backends';
import { processBatch } from '../../handlers/worker/core';
import { InferenceProfile, InferenceQueue, JobSubmission, WorkerBackend } from '../../lib';
import { FakeSageMaker } from '../support/fake-sagemaker';
import { localClients, MotoServer, startMoto } from '../support/moto';
import { createFixture, lambdaContext, pollOnce, workerConfig } from '../support/queue-fixture';
import { getJob, TEST_SIGNATURE } from '../support/requests';
import { formUrlEncode } from '../support/api-gateway-templates';

/**
 * The direct API Gateway -> SQS integration, executed: its request template is rendered with a
 * Velocity engine as API Gateway would, the form body is sent to a real SQS peer (moto) with the
 * Query protocol API Gateway uses, and the worker processes what arrives.
 */
const profile = InferenceProfile.of({
  model: 'm', hardware: 'ml.g5.xlarge', latencyMs: { p50: 80, p90: 120, p99: 200 }, sustainableConcurrency: 4, throughputPerInstanceRps: 20,
  peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
});

function integration() {
  const stack = new Stack(new App(), 'S');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  new InferenceQueue(stack, 'Jobs', { profile, signature: TEST_SIGNATURE, backend: WorkerBackend.sageMakerEndpointByName('ep') })
    .attachToApi(api.root, { submission: JobSubmission.directToQueue() });
  const method = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method')).find((m) => m.Properties.HttpMethod === 'POST')!;
  return method.Properties.Integration as {
    RequestTemplates: Record<string, string>;
    IntegrationResponses: Array<{ SelectionPattern?: string; StatusCode: string; ResponseTemplates?: Record<string, string> }>;
  };
}

function renderRequest(template: string, body: string, requestId: string): string {
  return velocity.render(template, {
    input: { body, json: () => body },
    util: { urlEncode: formUrlEncode },
    context: { requestId },
  });
}

/** The integration response API Gateway picks for an SQS status code (the default one when no pattern matches). */
function responseFor(i: ReturnType<typeof integration>, status: number) {
  return i.IntegrationResponses.find((r) => r.SelectionPattern !== undefined && new RegExp(`^(?:${r.SelectionPattern})$`).test(String(status)))
    ?? i.IntegrationResponses.find((r) => r.SelectionPattern === undefined)!;
}

/**
 * What API Gateway sends with the rendered template: a form POST to the queue URL, signed for
 * the `sqs` service with the integration role (moto reads the service from the credential scope
 * and does not check the signature).
 */
function sendAsApiGateway(queueUrl: string, form: string): Promise<Response> {
  return fetch(queueUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Authorization': 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host, Signature=0',
    },
    body: form,
  });
}

let moto: MotoServer;
let fake: FakeSageMaker;
beforeAll(async () => {
  [moto, fake] = await Promise.all([startMoto(), FakeSageMaker.start()]);
});
afterAll(async () => {
  await Promise.all([moto?.stop(), fake?.stop()]);
});

test('a directly enqueued job is sent with the Query protocol, processed by the worker and visible in the status endpoint', async () => {
  const i = integration();
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
  const requestId = randomUUID();
  const body = '{"instances": [[1.5, 2, 3]], "signature_name": "serving_default"}';
  const form = renderRequest(i.RequestTemplates['application/json'], body, requestId);
  expect(form.startsWith('Action=SendMessage&MessageBody=')).toBe(true);
  const message = parseJobMessage(new URLSearchParams(form).get('MessageBody')!);
  expect(message).toEqual({ v: 1, jobId: requestId, contentType: 'application/json', request: JSON.parse(body) });

  const res = await sendAsApiGateway(f.queueUrl, form);
  expect(res.status).toBe(200);
  const ok = responseFor(i, res.status);
  expect(ok.StatusCode).toBe('202');
  expect(JSON.parse(velocity.render(ok.ResponseTemplates!['application/json'], { context: { requestId, path: '/prod/jobs' } })))
    .toEqual({ jobId: requestId, status: 'QUEUED', statusUrl: `/prod/jobs/${requestId}` });

  fake.behave = () => ({ body: { predictions: [[0.25]] } });
  await pollOnce(clients.sqs, f.queueUrl, 10, (e) => processBatch(e, lambdaContext(10_000), workerConfig(f), {
    ...clients, backend: new SageMakerBackend(fake.client(), 'ep'), now: Date.now, random: Math.random, log: () => undefined,
  }));
  expect(JSON.parse(fake.calls[0].body)).toEqual(JSON.parse(body));
  const status = await getStatus(getJob(requestId), { tableName: f.tableName, bucketName: f.bucketName, presignSeconds: 60 }, { ...clients, log: () => undefined });
  expect(JSON.parse(status.body)).toMatchObject({ jobId: requestId, status: 'SUCCEEDED', result: { predictions: [[0.25]] } });
});

test('a message the queue refuses (too large) is a 400 for the caller, never a 2xx', async () => {
  const i = integration();
  const clients = localClients(moto.endpoint);
  const f = await createFixture(clients, { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
  await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: f.queueUrl, Attributes: { MaximumMessageSize: '1024' } }));
  const body = JSON.stringify({ instances: [[1, 2, 3]], pad: 'x'.repeat(2_000) });
  const res = await sendAsApiGateway(f.queueUrl, renderRequest(i.RequestTemplates['application/json'], body, randomUUID()));
  expect(res.status).toBe(400);
  const mapped = responseFor(i, res.status);
  expect(mapped.StatusCode).toBe('400');
  expect(JSON.parse(mapped.ResponseTemplates!['application/json'])).toMatchObject({ error: 'QueueRejected' });
  for (const status of [403, 404, 500, 503]) expect(responseFor(i, status).StatusCode).toMatch(/^5/);
});
