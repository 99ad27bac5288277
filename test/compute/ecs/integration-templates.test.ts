import * as velocity from 'velocityjs';
import { Duration, aws_apigateway as apigw } from 'aws-cdk-lib';
import { AlbVpcLinkIntegration } from '../../../lib';
import { ECS_STATUS_MAPPING } from '../../../lib/compute/ecs';
import { newStack } from './fixtures';

/**
 * Renders the ECS integration's response templates with a Velocity engine against the bodies
 * TF Serving (JSON `{"error": ...}`) and the ALB (HTML) send, to check every failure becomes JSON
 * with the right status.
 */
function render(template: string, backendBody: string): string {
  const parsed = (() => { try { return JSON.parse(backendBody); } catch { return {}; } })();
  return velocity.render(template, {
    input: {
      body: backendBody,
      path: (p: string) => p.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((o: any, k) => (o == null ? undefined : o[k]), parsed),
    },
    util: { escapeJavaScript: (s: unknown) => JSON.stringify(String(s ?? '')).slice(1, -1) },
    context: { requestId: 'req-1' },
  });
}

const integration = new AlbVpcLinkIntegration({
  vpcLink: apigw.VpcLink.fromVpcLinkId(newStack(), 'Link', 'abc123'),
  loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/x/1',
  uri: 'http://internal-x.eu-west-1.elb.amazonaws.com:80/v1/models/m:predict',
  timeout: Duration.seconds(6),
  contentType: 'application/json',
  retryAfterSeconds: 2,
});
const responses = integration.integrationResponses;
const forStatus = (code: number) => responses.find((r) => r.selectionPattern && new RegExp(`^(?:${r.selectionPattern})$`).test(String(code)))!;
const json = (code: number) => forStatus(code).responseTemplates!['application/json'];

test('TF Serving input errors keep 400 and pass the server message on, quotes escaped', () => {
  const body = JSON.stringify({ error: 'JSON Value: "abc" Type: String is not of expected type: float' });
  const out = JSON.parse(render(json(400), body));
  expect(out).toEqual({ error: 'invalid_input', message: 'JSON Value: "abc" Type: String is not of expected type: float', requestId: 'req-1' });
});

test('other 4xx (e.g. 404 servable not found) become 424 with the server message', () => {
  const r = forStatus(404);
  expect(r.statusCode).toBe('424');
  expect(JSON.parse(render(r.responseTemplates!['application/json'], JSON.stringify({ error: 'Servable not found' }))).message).toBe('Servable not found');
});

test('load balancer HTML bodies become fixed JSON; 503 and 429 carry Retry-After', () => {
  const html = '<html><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>';
  for (const [code, status, error] of [[502, '502', 'bad_gateway'], [503, '503', 'backend_unavailable'], [504, '504', 'backend_timeout'], [500, '502', 'bad_gateway']] as const) {
    const r = forStatus(code);
    expect(r.statusCode).toBe(status);
    expect(JSON.parse(render(r.responseTemplates!['application/json'], html))).toMatchObject({ error, requestId: 'req-1' });
  }
  expect(forStatus(503).responseParameters).toEqual({ 'method.response.header.Retry-After': "'2'" });
  expect(forStatus(429).responseParameters).toEqual({ 'method.response.header.Retry-After': "'2'" });
});

test('a 4xx without a JSON body still gets a JSON message', () => {
  expect(JSON.parse(render(json(405), 'Method Not Allowed')))
    .toEqual({ error: 'model_error', message: 'the model server refused the request', requestId: 'req-1' });
});

test('every status has exactly one mapping and none falls through to 200', () => {
  expect(ECS_STATUS_MAPPING.length).toBe(7);
  for (let code = 100; code < 600; code++) {
    const n = responses.filter((r) => r.selectionPattern && new RegExp(`^(?:${r.selectionPattern})$`).test(String(code))).length;
    expect([code, n]).toEqual([code, code >= 200 && code < 300 ? 0 : 1]);
  }
});
