// The numbers and answers InferenceApi writes into the template, each checked against a literal
// worked out by hand from the profile (the arithmetic beside it): stage and usage-plan throttles,
// quotas, the WAF rules and every gateway response. Imports only the modules it needs (not the
// package index), so it stays fast enough to run once per mutant under mutation testing.
import { App, Stack, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InferenceApi } from '../../lib/api';
import { addIntegrationFailureResponse } from '../../lib/api/integration-failure';
import { ModelArtifact, SageMakerRealtimeBackend } from '../../lib/compute';
import { ModelSignature, TensorDType } from '../../lib/model';
import { InferenceProfile, InferenceProfileProps, deriveLimits } from '../../lib/profile';
import { BASE_PROFILE } from '../support/profiles';

const SIGNATURE = ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.FLOAT32, shape: [28, 28, 1], maxBatchSize: 8 });

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** One InferenceApi in front of a SageMaker real-time backend; its resources by type. */
function apiTemplate(profileProps: Partial<InferenceProfileProps>, options: Parameters<typeof deriveLimits>[1], apiProps: { managedRuleGroups?: Array<{ name: string; vendor?: string }> } = {}) {
  const stack = new Stack(new App(), 'Numbers');
  const profile = InferenceProfile.of({ ...BASE_PROFILE, ...profileProps });
  const limits = deriveLimits(profile, { backend: SageMakerRealtimeBackend.capabilitiesFor(profile), ...options });
  const backend = new SageMakerRealtimeBackend(stack, 'Backend', { model: ModelArtifact.fromS3Uri('s3://models-bucket/m/model.tar.gz'), profile, limits, instanceType: 'ml.g5.xlarge' });
  const api = new InferenceApi(stack, 'Api', { target: backend, limits, signature: SIGNATURE, apiName: 'numbers', ...apiProps });
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties);
  return { api, ofType };
}

describe('InferenceApi numbers: 3 instances of 180 req/s, concurrency 8, p50 18 ms, p99 41 ms, 120,000-byte requests', () => {
  // Tiers that divide nothing exactly: basic 15 % of the stage (35 % of the day), premium 45 %.
  const { ofType } = apiTemplate({}, {
    maxInstances: 3,
    usagePlanTiers: [{ name: 'basic', shareOfStageRate: 0.15, dailyDutyCycle: 0.35 }, { name: 'premium', shareOfStageRate: 0.45 }],
  });

  test('stage throttle: 3 x 180 req/s x 0.8 = 432 req/s, burst 2 waves x 3 x 8 = 48; the default and POST /predict', () => {
    const [stage] = ofType('AWS::ApiGateway::Stage');
    const settings = stage.MethodSettings.map((m: any) => [m.HttpMethod, m.ResourcePath, m.ThrottlingRateLimit, m.ThrottlingBurstLimit]);
    expect(settings).toEqual([['*', '/*', 432, 48], ['POST', '/~1predict', 432, 48]]);
  });

  test('usage plans: tiers scaled under the per-key ceiling, bursts and daily quotas', () => {
    // Per-key ceiling: 1 instance x 180 x 0.8 headroom x 0.5 / heavy cost round2(41 / 18) = 2.28
    // = 72 / 2.28 = 31.5789 -> 31.58 req/s. Premium 432 x 0.45 = 194.4 is above it: every tier is
    // scaled by 31.58 / 194.4, keeping its ratio to premium:
    //   premium 31.58 req/s, burst ceil(48 x 0.45 = 21.6) = 22, quota ceil(31.58 x 86,400 x 0.5) = 1,364,256;
    //   basic 31.58 x 0.15 / 0.45 = 10.5267 -> 10.53 req/s, burst ceil(48 x 0.15 = 7.2) = 8,
    //         quota ceil(10.53 x 86,400 x 0.35 = 318,427.2) = 318,428.
    const plans = ofType('AWS::ApiGateway::UsagePlan').map((u) => ({
      name: u.UsagePlanName, throttle: u.Throttle, quota: u.Quota, method: Object.entries(u.ApiStages[0].Throttle), description: u.Description,
    }));
    expect(plans).toEqual([
      {
        name: 'numbers-basic', throttle: { RateLimit: 10.53, BurstLimit: 8 }, quota: { Limit: 318_428, Period: 'DAY' },
        method: [['/predict/POST', { RateLimit: 10.53, BurstLimit: 8 }]],
        description: 'Tier basic: 10.53 req/s, burst 8, 318428/day per API key (best effort; WAF enforces the hard per-IP limit)',
      },
      {
        name: 'numbers-premium', throttle: { RateLimit: 31.58, BurstLimit: 22 }, quota: { Limit: 1_364_256, Period: 'DAY' },
        method: [['/predict/POST', { RateLimit: 31.58, BurstLimit: 22 }]],
        description: 'Tier premium: 31.58 req/s, burst 22, 1364256/day per API key (best effort; WAF enforces the hard per-IP limit)',
      },
    ]);
    expect(ofType('AWS::ApiGateway::ApiKey').map((k) => k.Description)).toEqual([
      'Usage-plan accounting key for tier basic (not an authentication credential)',
      'Usage-plan accounting key for tier premium (not an authentication credential)',
    ]);
    expect(ofType('AWS::ApiGateway::UsagePlanKey')).toHaveLength(2);
  });

  test('WAF: per-IP rate ceil(1.2 x 31.58 x 300 s = 11,368.8) = 11,369; a 150,000-byte cap checked on Content-Length', () => {
    const [acl] = ofType('AWS::WAFv2::WebACL');
    // 120,000 x 1.25 = 150,000 bytes: above WAF's largest body inspection limit (64 KB = 65,536).
    expect(acl.AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } });
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Rules).toEqual([
      {
        Name: 'PerIpRateLimit', Priority: 0, Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: 11_369, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'PerIpRateLimit', SampledRequestsEnabled: true },
      },
      {
        Name: 'OversizeRequest', Priority: 1, Action: { Block: {} },
        Statement: {
          RegexMatchStatement: {
            FieldToMatch: { SingleHeader: { Name: 'content-length' } },
            // Above 150,000, digit by digit (see content-length.test.ts).
            RegexString: '^([1-9][0-9]{6,}|[2-9][0-9]{5}|1[6-9][0-9]{4}|15[1-9][0-9]{3}|150[1-9][0-9]{2}|1500[1-9][0-9]{1}|15000[1-9])$',
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
          },
        },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'OversizeRequest', SampledRequestsEnabled: true },
      },
    ]);
  });

  test('gateway responses: status, Retry-After and the JSON body of each', () => {
    const body = (error: string, message: string) => `{"error": "${error}", "message": ${message}, "requestId": "$context.requestId"}`;
    const responses = Object.fromEntries(ofType('AWS::ApiGateway::GatewayResponse').map((g) => [g.ResponseType, [g.StatusCode, g.ResponseParameters, g.ResponseTemplates]]));
    const retry = (s: string) => ({ 'gatewayresponse.header.Retry-After': `'${s}'` });
    expect(responses).toEqual({
      THROTTLED: ['429', retry('1'), { 'application/json': body('TooManyRequests', '"Rate limit exceeded. Retry after the number of seconds in Retry-After."') }],
      // A daily quota: come back within the hour rather than at midnight UTC.
      QUOTA_EXCEEDED: ['429', retry('3600'), { 'application/json': body('QuotaExceeded', '"The daily quota of this API key is used up."') }],
      // Blocked by the rate rule: retry after its 300 s window.
      WAF_FILTERED: ['403', retry('300'), { 'application/json': body('Blocked', '"Blocked by the web application firewall: too many requests from this address, or the request is too large."') }],
      REQUEST_TOO_LARGE: ['413', undefined, { 'application/json': body('PayloadTooLarge', '"The request body exceeds the limit of 150000 bytes."') }],
      BAD_REQUEST_BODY: ['400', undefined, { 'application/json': '{"error": "InvalidRequest", "message": "$context.error.validationErrorString", "requestId": "$context.requestId"}' }],
      BAD_REQUEST_PARAMETERS: ['400', undefined, { 'application/json': body('InvalidRequest', '"A required header is missing: send Content-Type: application/json."') }],
      UNSUPPORTED_MEDIA_TYPE: ['415', undefined, { 'application/json': body('UnsupportedMediaType', '"Send Content-Type: application/json."') }],
      // Integration timeout: max(5 s floor, 41 ms x 3) = 5 s model server + 1 s = 6,000 ms.
      INTEGRATION_TIMEOUT: ['504', retry('1'), { 'application/json': body('Timeout', '"The model did not answer within 6000 ms."') }],
      // API Gateway's own message, already quoted by API Gateway: not quoted again.
      DEFAULT_4XX: [undefined, undefined, { 'application/json': body('ClientError', '$context.error.messageString') }],
      DEFAULT_5XX: [undefined, retry('1'), { 'application/json': body('ServerError', '$context.error.messageString') }],
      INTEGRATION_FAILURE: ['503', retry('1'), {
        'application/json': body('ServiceUnavailable', '"The service could not take the request now (its functions are at their concurrency limit, or the integration failed). Retry after the number of seconds in Retry-After."'),
      }],
    });
  });
});

describe('InferenceApi WAF body rule: the smallest inspection limit that holds the cap', () => {
  test('a cap of exactly 32,768 bytes: inspected up to 32 KB, the body size rule blocks above 32,768', () => {
    const { ofType } = apiTemplate({ maxRequestBytes: 30_000 }, { overrides: { maxPayloadBytes: 32_768 } });
    const [acl] = ofType('AWS::WAFv2::WebACL');
    expect(acl.AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_32' } } });
    expect(acl.Rules[1].Statement).toEqual({
      SizeConstraintStatement: { FieldToMatch: { Body: { OversizeHandling: 'MATCH' } }, ComparisonOperator: 'GT', Size: 32_768, TextTransformations: [{ Priority: 0, Type: 'NONE' }] },
    });
  });

  test('a cap within the default 16 KB needs no association config; managed rule groups follow from priority 10', () => {
    // 12,000 x 1.25 = 15,000 bytes <= 16,384.
    const { ofType } = apiTemplate({ maxRequestBytes: 12_000 }, {}, { managedRuleGroups: [{ name: 'AWSManagedRulesCommonRuleSet' }, { name: 'PartnerRules', vendor: 'Partner' }] });
    const [acl] = ofType('AWS::WAFv2::WebACL');
    expect(acl.AssociationConfig).toBeUndefined();
    expect(acl.Rules[1].Statement.SizeConstraintStatement.Size).toBe(15_000);
    expect(acl.Rules.slice(2)).toEqual([
      {
        Name: 'AWSManagedRulesCommonRuleSet', Priority: 10, OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'AWSManagedRulesCommonRuleSet', SampledRequestsEnabled: true },
      },
      {
        Name: 'PartnerRules', Priority: 11, OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'Partner', Name: 'PartnerRules' } },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'PartnerRules', SampledRequestsEnabled: true },
      },
    ]);
  });
});

test('the integration-failure response is added once per REST API, however many parts add it', () => {
  // The guarded API adds it, and so does each job queue attached to that API.
  const stack = new Stack(new App(), 'Twice');
  const api = new apigw.RestApi(stack, 'Api');
  api.root.addMethod('GET');
  addIntegrationFailureResponse(api);
  addIntegrationFailureResponse(api);
  Template.fromStack(stack).resourcePropertiesCountIs('AWS::ApiGateway::GatewayResponse', { ResponseType: 'INTEGRATION_FAILURE' }, 1);
});
