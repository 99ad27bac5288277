import * as fc from 'fast-check';
import { App, Stack, aws_apigateway as apigw } from 'aws-cdk-lib';
import { InferenceProfile, InferenceQueue, WorkerBackend } from '../../lib';
import { TEST_SIGNATURE } from '../support/requests';
import { Template } from 'aws-cdk-lib/assertions';
import { javaScriptEscape, renderGatewayResponse, renderIntegrationResponse as render } from '../support/api-gateway-templates';
import { serviceStack } from '../support/stacks';

/**
 * Renders the integration-response and gateway-response templates with a stand-in for API Gateway's
 * template languages (test/support/api-gateway-templates.ts), against the error bodies SageMaker
 * runtime returns and the errors API Gateway raises, to check the caller gets valid JSON and the
 * right status.
 */

/** A TF Serving error as SageMaker passes it on: names in single quotes, the body in double quotes. */
const PROFILE = InferenceProfile.of({
  model: 'm', hardware: 'ml.g5.xlarge', latencyMs: { p50: 80, p90: 120, p99: 200 }, sustainableConcurrency: 4, throughputPerInstanceRps: 20,
  peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
});

const TF_SERVING_MESSAGE = `Received client error (400) from primary with message "{ "error": "Failed to process element: 0 key: image of 'instances' list. Error: Invalid argument: JSON object: does not have named input: image" }".`;

describe('the template-language stand-in follows the documented $util.escapeJavaScript', () => {
  test("' becomes \\' (not valid in JSON), the other escapes are JavaScript's", () => {
    expect(javaScriptEscape("it's")).toBe("it\\'s");
    expect(() => JSON.parse(`"${javaScriptEscape("it's")}"`)).toThrow();
    expect(javaScriptEscape('a"b\\c/d\n\t\u0001é😀')).toBe('a\\"b\\\\c\\/d\\n\\t\\u0001\\u00E9\\uD83D\\uDE00');
  });

  test('the template form without the documented replaceAll gives a caller broken JSON on an apostrophe', () => {
    const unfixed = `{"message": "$util.escapeJavaScript($input.path('$.Message'))"}`;
    const r = render(unfixed, JSON.stringify({ Message: TF_SERVING_MESSAGE }));
    expect(() => JSON.parse(r.body)).toThrow();
  });
});

describe('integration response mapping templates', () => {
  const { template } = serviceStack();
  const method = Object.values(template.findResources('AWS::ApiGateway::Method')).find((m) => m.Properties.HttpMethod === 'POST')!;
  const responses = method.Properties.Integration.IntegrationResponses as Array<{ SelectionPattern?: string; StatusCode: string; ResponseTemplates: Record<string, string> }>;
  const forStatus = (code: number) => responses.find((r) => r.SelectionPattern && new RegExp(`^(?:${r.SelectionPattern})$`).test(String(code)))!;

  test('ModelError (424) becomes a JSON body with the model message, quotes escaped', () => {
    const r = render(forStatus(424).ResponseTemplates['application/json'], JSON.stringify({
      ErrorCode: 'CLIENT_ERROR_FROM_MODEL', OriginalStatusCode: 400, Message: 'Received client error (400) from model: "instances" is malformed',
    }));
    expect(JSON.parse(r.body)).toEqual({ error: 'ModelError', message: 'Received client error (400) from model: "instances" is malformed', requestId: 'req-123' });
  });

  test("a TF Serving message quoting names with ' stays valid JSON, in every error mapping", () => {
    for (const code of [400, 424, 429, 503, 500]) {
      const r = render(forStatus(code).ResponseTemplates['application/json'], JSON.stringify({ ErrorCode: 'CLIENT_ERROR_FROM_MODEL', OriginalStatusCode: 400, Message: TF_SERVING_MESSAGE }));
      expect(JSON.parse(r.body).message).toBe(TF_SERVING_MESSAGE);
    }
  });

  test('any message (quotes, backslashes, control characters, any Unicode) reaches the caller as valid JSON, unchanged', () => {
    const template = forStatus(424).ResponseTemplates['application/json'];
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('Message', 'message'), (message, key) => {
      const r = render(template, JSON.stringify({ [key]: message }));
      expect(JSON.parse(r.body)).toEqual({ error: 'ModelError', message, requestId: 'req-123' });
    }), { numRuns: 100 });
  });

  test('a throttling error that arrives as 400 is turned into 429 with Retry-After', () => {
    const r = render(forStatus(400).ResponseTemplates['application/json'], JSON.stringify({ message: 'ThrottlingException: Rate exceeded' }));
    expect(r.override.status).toBe(429);
    expect(r.override.header['Retry-After']).toBe('1');
    expect(JSON.parse(r.body).message).toBe('ThrottlingException: Rate exceeded');
  });

  test('a validation error stays a 400 with a JSON body', () => {
    const r = render(forStatus(400).ResponseTemplates['application/json'], JSON.stringify({ message: 'Endpoint input is invalid' }));
    expect(r.override.status).toBeUndefined();
    expect(JSON.parse(r.body)).toMatchObject({ error: 'BadRequest', message: 'Endpoint input is invalid' });
  });

  test('ModelNotReady (429), unavailable (503) and internal failures (500) give JSON bodies', () => {
    for (const [code, error] of [[429, 'ModelNotReady'], [503, 'ServiceUnavailable'], [500, 'BackendError'], [530, 'BackendError']] as const) {
      const r = render(forStatus(code).ResponseTemplates['application/json'], JSON.stringify({ message: `status ${code}` }));
      expect(JSON.parse(r.body)).toEqual({ error, message: `status ${code}`, requestId: 'req-123' });
    }
  });

  test('a non-JSON backend body still yields valid JSON', () => {
    const r = render(forStatus(502).ResponseTemplates['application/json'], '<html>Bad gateway</html>');
    expect(JSON.parse(r.body)).toEqual({ error: 'BackendError', message: '', requestId: 'req-123' });
  });
});

describe('gateway responses (plain substitution, not VTL)', () => {
  const { template } = serviceStack();
  const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Array<{ Properties: { ResponseType: string; StatusCode?: string; ResponseParameters?: Record<string, string>; ResponseTemplates: Record<string, string> } }>;

  test("every gateway response body is valid JSON, API Gateway's quoted message included", () => {
    expect(responses.length).toBeGreaterThan(5);
    for (const r of responses) {
      const body = renderGatewayResponse(r.Properties.ResponseTemplates['application/json'], {
        message: "Missing Authentication Token", responseType: r.Properties.ResponseType, validationErrorString: '[numeric instance is greater than the required maximum (maximum: 255, found: 300)]',
      });
      expect(JSON.parse(body)).toMatchObject({ error: expect.any(String), message: expect.any(String), requestId: 'req-123' });
    }
    const default4xx = responses.find((r) => r.Properties.ResponseType === 'DEFAULT_4XX')!;
    expect(JSON.parse(renderGatewayResponse(default4xx.Properties.ResponseTemplates['application/json'], { message: 'Forbidden', responseType: 'ACCESS_DENIED' })).message).toBe('Forbidden');
  });

  test('a throttled Lambda integration (INTEGRATION_FAILURE) answers 503 with Retry-After and a JSON body', () => {
    const failure = responses.find((r) => r.Properties.ResponseType === 'INTEGRATION_FAILURE')!;
    expect(failure.Properties.StatusCode).toBe('503');
    expect(failure.Properties.ResponseParameters).toEqual({ 'gatewayresponse.header.Retry-After': "'1'" });
    expect(JSON.parse(renderGatewayResponse(failure.Properties.ResponseTemplates['application/json'], { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' })))
      .toMatchObject({ error: 'ServiceUnavailable', requestId: 'req-123' });
  });

  test('a job queue brings the same 503 for its throttled functions, once per REST API, on any REST API', () => {
    const guarded = serviceStack({ jobQueue: {} }).template;
    expect(Object.values(guarded.findResources('AWS::ApiGateway::GatewayResponse')).filter((r) => r.Properties.ResponseType === 'INTEGRATION_FAILURE')).toHaveLength(1);
    const stack = new Stack(new App(), 'Plain');
    const api = new apigw.RestApi(stack, 'Api', { deploy: false });
    new InferenceQueue(stack, 'Jobs', { profile: PROFILE, signature: TEST_SIGNATURE, backend: WorkerBackend.sageMakerEndpointByName('ep') }).attachToApi(api.root);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INTEGRATION_FAILURE', StatusCode: '503', ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
    });
  });
});
