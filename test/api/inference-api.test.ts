import { App, Stack, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ModelSignature, TensorDType } from '../../lib';
import { errorOf } from '../support/errors';
import { SIGNATURE, serviceStack } from '../support/stacks';

/** Content-Length above the 150,000-byte cap, worked out by hand from its digits (see content-length.test.ts). */
const OVER_150000 = '^([1-9][0-9]{6,}|[2-9][0-9]{5}|1[6-9][0-9]{4}|15[1-9][0-9]{3}|150[1-9][0-9]{2}|1500[1-9][0-9]{1}|15000[1-9])$';

describe('InferenceApi template', () => {
  const { template, service } = serviceStack();
  const limits = service.limits;

  test('Regional REST API with IAM authorization and API keys on POST /predict', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', ApiKeyRequired: true });
  });

  test('stage MethodSettings: default throttling for every method and per-method throttling', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: limits.throttle.rateLimit, ThrottlingBurstLimit: limits.throttle.burstLimit, LoggingLevel: 'ERROR' }),
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1predict', ThrottlingRateLimit: limits.throttle.rateLimit, ThrottlingBurstLimit: limits.throttle.burstLimit }),
      ]),
    });
  });

  test('JSON access log with the fields that matter during an attack, into a log group with retention', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      sourceIp: '$context.identity.sourceIp', apiKeyId: '$context.identity.apiKeyId', status: '$context.status',
      errorResponseType: '$context.error.responseType', integrationLatency: '$context.integrationLatency', requestId: '$context.requestId',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('usage plans: one per tier with Throttle and Quota, each with an API key', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 3);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 3);
    for (const tier of limits.usagePlanTiers) {
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: tier.rateLimit, BurstLimit: tier.burstLimit },
        Quota: { Limit: tier.quotaPerDay, Period: 'DAY' },
        ApiStages: [Match.objectLike({ Throttle: { '/predict/POST': { RateLimit: tier.rateLimit, BurstLimit: tier.burstLimit } } })],
      });
    }
  });

  test('WAF: per-IP RateBasedStatement, oversize rule, associated with the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Name: 'PerIpRateLimit', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: limits.waf.rateLimitPerIp, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } } }),
        Match.objectLike({ Name: 'OversizeRequest', Statement: { RegexMatchStatement: Match.objectLike({ RegexString: OVER_150000, FieldToMatch: { SingleHeader: { Name: 'content-length' } } }) } }),
      ]),
    });
    const assoc = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'))[0];
    expect(JSON.stringify(assoc.Properties.ResourceArn)).toContain('/stages/');
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', Match.anyValue());
  });

  test('a small payload cap uses a WAF body size rule with the smallest sufficient inspection limit', () => {
    const { template: t } = serviceStack({ limitOverrides: { maxPayloadBytes: 40_000 } }, { maxRequestBytes: 30_000 });
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_48' } } },
      Rules: Match.arrayWith([Match.objectLike({ Name: 'OversizeRequest', Statement: { SizeConstraintStatement: { FieldToMatch: { Body: { OversizeHandling: 'MATCH' } }, ComparisonOperator: 'GT', Size: 40_000, TextTransformations: Match.anyValue() } } })]),
    });
  });

  test('integration: direct to SageMaker runtime InvokeEndpoint with the derived timeout', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({
        Type: 'AWS', IntegrationHttpMethod: 'POST', TimeoutInMillis: limits.timeouts.integrationTimeoutMs, PassthroughBehavior: 'NEVER',
        Uri: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp(':runtime.sagemaker:path/endpoints/')])]) }),
      }),
    });
  });

  test('error mapping: every non-2xx backend status maps to a non-2xx response, never 200', () => {
    const method = Object.values(template.findResources('AWS::ApiGateway::Method')).find((m) => m.Properties.HttpMethod === 'POST')!;
    const responses = method.Properties.Integration.IntegrationResponses as Array<{ SelectionPattern?: string; StatusCode: string; ResponseParameters?: Record<string, string> }>;
    const mapped = (code: number) => responses.filter((r) => r.SelectionPattern !== undefined && new RegExp(`^(?:${r.SelectionPattern})$`).test(String(code)));
    for (let code = 100; code <= 599; code++) {
      const m = mapped(code);
      if (code >= 200 && code < 300) {
        expect(m).toHaveLength(0);
      } else {
        expect(m).toHaveLength(1);
        expect(m[0].StatusCode).not.toMatch(/^2/);
      }
    }
    expect(mapped(424)[0].StatusCode).toBe('424');
    expect(mapped(500)[0].StatusCode).toBe('502');
    expect(mapped(503)[0].StatusCode).toBe('503');
    expect(mapped(503)[0].ResponseParameters!['method.response.header.Retry-After']).toBe("'1'");
    expect(mapped(429)[0].StatusCode).toBe('503');
    expect(mapped(429)[0].ResponseParameters!['method.response.header.Retry-After']).toBe("'95'");
  });

  test('request validator (body and parameters) and the model schema', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: Match.objectLike({ $schema: 'http://json-schema.org/draft-04/schema#', required: ['instances'] }) });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', RequestValidatorId: Match.anyValue(), RequestModels: { 'application/json': Match.anyValue() } });
  });

  test('gateway responses: JSON bodies and Retry-After where it applies', () => {
    const expected: Record<string, [string | undefined, boolean]> = {
      THROTTLED: ['429', true], QUOTA_EXCEEDED: ['429', true], WAF_FILTERED: ['403', true], REQUEST_TOO_LARGE: ['413', false],
      BAD_REQUEST_BODY: ['400', false], INTEGRATION_TIMEOUT: ['504', true],
    };
    for (const [type, [status, retry]] of Object.entries(expected)) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type, StatusCode: status,
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error"') },
        ResponseParameters: retry ? Match.objectLike({ 'gatewayresponse.header.Retry-After': Match.anyValue() }) : Match.absent(),
      });
    }
    const bad = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).find((r) => r.Properties.ResponseType === 'BAD_REQUEST_BODY')!;
    expect(bad.Properties.ResponseTemplates['application/json']).toContain('$context.error.validationErrorString');
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'INTEGRATION_FAILURE', StatusCode: '503', ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" } });
  });

  test('throttled requests are counted from the access log', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.status = "429" }', MetricTransformations: [Match.objectLike({ MetricName: 'ThrottledRequests' })] });
  });
});

describe('InferenceApi validation', () => {
  test('an edge-optimized API cannot take the extended timeout', () => {
    expect(() => serviceStack({ endpointType: apigw.EndpointType.EDGE, allowExtendedIntegrationTimeout: true, limitOverrides: { integrationTimeoutMs: 40_000 } }))
      .toThrow(/EDGE-optimized/);
  });

  test('an extended timeout beyond SageMaker 60 s names both ends', () => {
    const e = errorOf(() => serviceStack({ allowExtendedIntegrationTimeout: true, limitOverrides: { integrationTimeoutMs: 65_000 } }));
    expect(e.problems.map((p) => p.prop)).toContain('integrationTimeout -> SageMaker real-time endpoint');
  });

  test('a PRIVATE API needs VPC endpoints', () => {
    expect(() => serviceStack({ endpointType: apigw.EndpointType.PRIVATE })).toThrow(/vpcEndpointIds/);
    const { template } = serviceStack({ endpointType: apigw.EndpointType.PRIVATE, vpcEndpointIds: ['vpce-0123456789abcdef0'] });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['PRIVATE'] }, Policy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny' })]) }) });
  });

  test('a schema that admits bodies larger than the cap is a warning', () => {
    const big = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [224, 224, 3], maxBatchSize: 64 });
    const { stack } = serviceStack({ signature: big });
    Annotations.fromStack(stack).hasWarning('/TestStack/Svc/Api', Match.stringLikeRegexp('admits bodies up to'));
  });

  test('an invalid WAF inspection limit is refused', () => {
    const { InferenceApi } = require('../../lib');
    const { service } = serviceStack();
    const stack = new Stack(new App(), 'X');
    expect(() => new InferenceApi(stack, 'A', { target: service.backend, limits: service.limits, signature: SIGNATURE, wafBodyInspectionLimitBytes: 1000 })).toThrow(/wafBodyInspectionLimitBytes/);
  });
});
