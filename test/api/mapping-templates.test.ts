import * as velocity from 'velocityjs';
import { serviceStack } from '../support/stacks';

/**
 * Renders the integration-response mapping templates with a Velocity engine, against the
 * error bodies SageMaker runtime returns, to check the caller gets valid JSON and the right status.
 */
interface Rendered { body: string; override: { status?: number; header: Record<string, string> } }

/** A Java-like string: API Gateway's VTL exposes java.lang.String methods such as contains(). */
function javaString(s: string): string {
  return Object.assign(new String(s), { contains: (x: string) => s.includes(x) }) as unknown as string;
}

function render(template: string, backendBody: string): Rendered {
  const parsed = (() => { try { return JSON.parse(backendBody); } catch { return {}; } })();
  const override = { header: {} as Record<string, string> } as Rendered['override'];
  const body = velocity.render(template, {
    input: {
      body: javaString(backendBody),
      path: (p: string) => p.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((o: any, k) => (o == null ? undefined : o[k]), parsed),
    },
    util: { escapeJavaScript: (s: unknown) => JSON.stringify(String(s ?? '')).slice(1, -1) },
    context: { requestId: 'req-123', responseOverride: override },
  });
  return { body, override };
}

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
