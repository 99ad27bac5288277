import { APIAccessLogging, APIIntegrationTimeout, APIKeyUsagePlan, APIRequestValidation, APIStageThrottling, APITimeoutChain, APIUsagePlanLimits, APIWAFRateLimit, EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY } from '../../../lib/nag/rules';
import { getAtt, check, expectCompliant, expectFindings, expectNotApplicable, ref, Resources } from '../support';

const api = (props: Record<string, unknown> = {}, metadata?: Record<string, unknown>): Resources => ({
  Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'orders', ...props }, ...(metadata ? { Metadata: metadata } : {}) },
});
const stage = (props: Record<string, unknown> = {}): Resources => ({
  Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { StageName: 'prod', RestApiId: ref('Api'), ...props } },
});
const method = (props: Record<string, unknown>): Resources => ({
  Method: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'POST', RestApiId: ref('Api'), AuthorizationType: 'NONE', ...props } },
});
const throttle = { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 };

describe('InferenceGuard-APIStageThrottling', () => {
  test('compliant: default method setting with rate and burst', () => {
    expectCompliant(check(APIStageThrottling, { ...api(), ...stage({ MethodSettings: [throttle] }) }, 'Stage'));
  });
  test('compliant: a Deployment stage with StageDescription throttling', () => {
    const r = { ...api(), Dep: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: ref('Api'), StageName: 'prod', StageDescription: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } } } };
    expectCompliant(check(APIStageThrottling, r, 'Dep'));
  });
  test('non-compliant: no method settings, or only a rate, or a per-method setting only', () => {
    expectFindings(check(APIStageThrottling, { ...api(), ...stage() }, 'Stage'), /ThrottlingRateLimit = absent/, /ThrottlingBurstLimit = absent/);
    expectFindings(check(APIStageThrottling, { ...api(), ...stage({ MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 5 }] }) }, 'Stage'), /ThrottlingBurstLimit = absent/);
    expectFindings(check(APIStageThrottling, { ...api(), ...stage({ MethodSettings: [{ ...throttle, ResourcePath: '/predict' }] }) }, 'Stage'), /Rate/, /Burst/);
  });
  test('non-compliant: a stage default above the account limit limits nothing', () => {
    expectFindings(check(APIStageThrottling, { ...api(), ...stage({ MethodSettings: [{ ...throttle, ThrottlingRateLimit: 20000 }] }) }, 'Stage'), /20000: allowed above 0 and at most the account limit 10000/);
  });
  test('not applicable: a deployment that creates no stage', () => {
    expectNotApplicable(check(APIStageThrottling, { ...api(), Dep: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: ref('Api') } } }, 'Dep'));
  });
  test('a key-protected stage: not applicable when no plan lists it; checked when a plan may (one parameter without a default names both)', () => {
    const keyed = { ...api(), ...method({ ApiKeyRequired: true }) };
    const plan = (s: unknown) => ({ Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: s }] } } });
    expectNotApplicable(check(APIStageThrottling, { ...keyed, ...stage(), ...plan('dev') }, 'Stage'));
    const byParameter = { ...keyed, ...stage({ StageName: ref('StageName') }), ...plan(ref('StageName')) };
    expectFindings(check(APIStageThrottling, byParameter, 'Stage', { StageName: { Type: 'String' } }), /ThrottlingRateLimit = absent/, /ThrottlingBurstLimit = absent/);
  });
});

describe('InferenceGuard-APIUsagePlanLimits', () => {
  test('compliant: throttle and quota', () => {
    expectCompliant(check(APIUsagePlanLimits, { Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { Throttle: { RateLimit: 1, BurstLimit: 2 }, Quota: { Limit: 100, Period: 'DAY' } } } }, 'Plan'));
  });
  test('non-compliant: an empty plan, and a plan without a quota', () => {
    expectFindings(check(APIUsagePlanLimits, { Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { Throttle: {} } } }, 'Plan'), /RateLimit/, /BurstLimit/, /Quota.Limit/, /Quota.Period/);
    expectFindings(check(APIUsagePlanLimits, { Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { Throttle: { RateLimit: 1, BurstLimit: 2 } } } }, 'Plan'), /Quota.Limit/, /Quota.Period/);
  });
});

describe('InferenceGuard-APIKeyUsagePlan', () => {
  const plan = { Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: 'prod' }] } } };
  test('compliant: the API is in a usage plan', () => {
    expectCompliant(check(APIKeyUsagePlan, { ...api(), ...method({ ApiKeyRequired: true }), ...plan }, 'Method'));
  });
  test('non-compliant: key required, no plan for this API', () => {
    const otherPlan = { Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref('Other'), Stage: 'prod' }] } }, Other: api().Api };
    expectFindings(check(APIKeyUsagePlan, { ...api(), ...method({ ApiKeyRequired: true }), ...otherPlan }, 'Method'), /ApiKeyRequired = true: allowed a usage plan whose ApiStages include a stage of API "orders" \(Api\)/);
  });
  test('non-compliant: the plan lists the API without a stage', () => {
    const noStage = { Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref('Api') }] } } };
    expectFindings(check(APIKeyUsagePlan, { ...api(), ...method({ ApiKeyRequired: true }), ...noStage }, 'Method'), /usage plan Plan ApiStages entry for API "orders" \(Api\) Stage = absent/);
  });
  test('not applicable: no API key required', () => {
    expectNotApplicable(check(APIKeyUsagePlan, { ...api(), ...method({}) }, 'Method'));
  });
});

describe('InferenceGuard-APIWAFRateLimit', () => {
  const acl = (action: Record<string, unknown>) => ({
    Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Scope: 'REGIONAL', Rules: [{ Name: 'rate', Priority: 0, Action: action, Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } } }] } },
  });
  const assoc = (arn: unknown) => ({ Assoc: { Type: 'AWS::WAFv2::WebACLAssociation', Properties: { ResourceArn: arn, WebACLArn: getAtt('Acl', 'Arn') } } });
  const cdkArn = { 'Fn::Join': ['', ['arn:aws:apigateway:', ref('AWS::Region'), '::/restapis/', ref('Api'), '/stages/', ref('Stage')]] };
  test('compliant: stage ARN as CDK builds it, and as a Sub with the literal stage name', () => {
    expectCompliant(check(APIWAFRateLimit, { ...api(), ...stage(), ...acl({ Block: {} }), ...assoc(cdkArn) }, 'Stage'));
    const sub = { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod' };
    expectCompliant(check(APIWAFRateLimit, { ...api(), ...stage(), ...acl({ Block: {} }), ...assoc(sub) }, 'Stage'));
  });
  test('non-compliant: no association, or a rate rule that only counts', () => {
    expectFindings(check(APIWAFRateLimit, { ...api(), ...stage() }, 'Stage'), /web ACL = none associated/);
    expectFindings(check(APIWAFRateLimit, { ...api(), ...stage(), ...acl({ Count: {} }), ...assoc(cdkArn) }, 'Stage'), /only counting: rate/);
  });
});

describe('InferenceGuard-APIIntegrationTimeout', () => {
  const integ = (ms?: number) => ({ Integration: { Type: 'HTTP_PROXY', Uri: 'https://x.example', ...(ms ? { TimeoutInMillis: ms } : {}) } });
  const meta = { [EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY]: 'quota case 1' };
  test('compliant: the 29 s default, and an extended Regional API', () => {
    expectCompliant(check(APIIntegrationTimeout, { ...api(), ...method(integ()) }, 'Method'));
    expectCompliant(check(APIIntegrationTimeout, { ...api({ EndpointConfiguration: { Types: ['REGIONAL'] } }, meta), ...method(integ(90000)) }, 'Method'));
  });
  test('non-compliant: above 29 s on an edge API even with the flag; on a Regional API without it; above the ceiling', () => {
    expectFindings(check(APIIntegrationTimeout, { ...api({}, meta), ...method(integ(60000)) }, 'Method'), /60000 ms: allowed at most 29000 ms on an EDGE endpoint/);
    expectFindings(check(APIIntegrationTimeout, { ...api({ EndpointConfiguration: { Types: ['REGIONAL'] } }), ...method(integ(60000)) }, 'Method'), /unless the RestApi Api carries Metadata/);
    expectFindings(check(APIIntegrationTimeout, { ...api({ EndpointConfiguration: { Types: ['PRIVATE'] } }, meta), ...method(integ(400000)) }, 'Method'), /at most 300000 ms even when extended/);
  });
  test('not applicable: MOCK integrations', () => {
    expectNotApplicable(check(APIIntegrationTimeout, { ...api(), ...method({ Integration: { Type: 'MOCK' } }) }, 'Method'));
  });
});

describe('InferenceGuard-APITimeoutChain', () => {
  const sagemaker = (ms?: number) => ({ Integration: { Type: 'AWS', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:runtime.sagemaker:path/endpoints/m/invocations' }, ...(ms ? { TimeoutInMillis: ms } : {}) } });
  const alb = (seconds?: string): Resources => ({
    Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'application', ...(seconds ? { LoadBalancerAttributes: [{ Key: 'idle_timeout.timeout_seconds', Value: seconds }] } : {}) } },
  });
  const viaAlb = (ms?: number) => ({ Integration: { Type: 'HTTP_PROXY', ConnectionType: 'VPC_LINK', ConnectionId: 'abc123', IntegrationTarget: ref('Alb'), Uri: 'http://x', ...(ms ? { TimeoutInMillis: ms } : {}) } });
  test('compliant: 29 s before SageMaker 60 s; 29 s before the ALB default 60 s; NLB behind a v1 link', () => {
    expectCompliant(check(APITimeoutChain, { ...api(), ...method(sagemaker()) }, 'Method'));
    expectCompliant(check(APITimeoutChain, { ...api(), ...alb(), ...method(viaAlb()) }, 'Method'));
    const nlb = {
      Nlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'network' } },
      Link: { Type: 'AWS::ApiGateway::VpcLink', Properties: { Name: 'l', TargetArns: [ref('Nlb')] } },
    };
    expectCompliant(check(APITimeoutChain, { ...api({ EndpointConfiguration: { Types: ['REGIONAL'] } }), ...nlb, ...method({ Integration: { Type: 'HTTP', ConnectionType: 'VPC_LINK', ConnectionId: ref('Link'), Uri: 'http://x', TimeoutInMillis: 120000 } }) }, 'Method'));
  });
  test('non-compliant: 60 s against SageMaker, 29 s default against a 20 s ALB', () => {
    expectFindings(check(APITimeoutChain, { ...api(), ...method(sagemaker(60000)) }, 'Method'), /60000 ms: allowed less than 60000 ms.*SageMaker/);
    expectFindings(check(APITimeoutChain, { ...api(), ...alb('20'), ...method(viaAlb()) }, 'Method'), /29000 ms \(the default.*less than 20000 ms/);
  });
  test('not applicable: backend unknown', () => {
    expectNotApplicable(check(APITimeoutChain, { ...api(), ...method({ Integration: { Type: 'HTTP_PROXY', Uri: 'https://x' } }) }, 'Method'));
  });
});

describe('InferenceGuard-APIRequestValidation', () => {
  const validator = (body: boolean): Resources => ({ V: { Type: 'AWS::ApiGateway::RequestValidator', Properties: { RestApiId: ref('Api'), ValidateRequestBody: body } } });
  test('compliant: body validator and a model', () => {
    expectCompliant(check(APIRequestValidation, { ...api(), ...validator(true), ...method({ RequestValidatorId: ref('V'), RequestModels: { 'application/json': 'M' } }) }, 'Method'));
  });
  test('non-compliant: no validator and no model; a validator that skips the body', () => {
    expectFindings(check(APIRequestValidation, { ...api(), ...method({}) }, 'Method'), /RequestValidatorId = absent/, /RequestModels = absent/);
    expectFindings(check(APIRequestValidation, { ...api(), ...validator(false), ...method({ RequestValidatorId: ref('V'), RequestModels: { 'application/json': 'M' } }) }, 'Method'), /ValidateRequestBody = false: allowed true/);
  });
  test('not applicable: GET', () => {
    expectNotApplicable(check(APIRequestValidation, { ...api(), ...method({ HttpMethod: 'GET' }) }, 'Method'));
  });
});

describe('InferenceGuard-APIRequestValidation on methods that read nothing from the request', () => {
  // A GET that reads a queue: the integration calls SQS ReceiveMessage with a fixed template.
  const readQueue = (integration: Record<string, unknown> = {}, props: Record<string, unknown> = {}) => ({
    ...api(),
    Jobs: { Type: 'AWS::SQS::Queue' },
    ...method({
      HttpMethod: 'GET',
      Integration: {
        Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Jobs.QueueName}' },
        RequestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        RequestTemplates: { 'application/json': 'Action=ReceiveMessage&MaxNumberOfMessages=10' },
        ...integration,
      },
      ...props,
    }),
  });
  test('not applicable: a parameterless GET whose integration passes nothing on', () => {
    const o = check(APIRequestValidation, readQueue(), 'Method');
    expectNotApplicable(o);
    expect(o.findings[0]).toMatch(/takes no parameters and its AWS integration passes nothing from the request to the backend/);
  });
  test('still checked: a template that reads $input, a mapped parameter, no template, a proxy integration', () => {
    const missing = [/RequestParameters = absent/, /RequestValidatorId = absent/];
    expectFindings(check(APIRequestValidation, readQueue({ RequestTemplates: { 'application/json': "Action=ReceiveMessage&MaxNumberOfMessages=$input.params('n')" } }), 'Method'), ...missing);
    expectFindings(check(APIRequestValidation, readQueue({ RequestParameters: { 'integration.request.querystring.n': 'method.request.querystring.n' } }), 'Method'), ...missing);
    expectFindings(check(APIRequestValidation, readQueue({ RequestTemplates: undefined }), 'Method'), ...missing);
    expectFindings(check(APIRequestValidation, readQueue({ Type: 'AWS_PROXY' }), 'Method'), ...missing);
  });
  test('a GET that declares parameters is checked for a validator', () => {
    expectFindings(check(APIRequestValidation, readQueue({}, { RequestParameters: { 'method.request.querystring.n': true } }), 'Method'), /RequestValidatorId = absent/);
  });
});

describe('InferenceGuard-APIAccessLogging', () => {
  test('non-compliant: REST and HTTP API stages without access logs', () => {
    expectFindings(check(APIAccessLogging, { ...api(), ...stage() }, 'Stage'), /stage "prod" \(Stage\) AccessLogSetting\.DestinationArn = absent/);
    expectFindings(check(APIAccessLogging, { Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } }, S: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: ref('Http'), StageName: '$default' } } }, 'S'), /HTTP API stage S AccessLogSettings\.DestinationArn = absent/);
  });
  test('compliant: a destination on the stage or on the deployment\'s StageDescription', () => {
    expectCompliant(check(APIAccessLogging, { ...api(), ...stage({ AccessLogSetting: { DestinationArn: getAtt('Logs', 'Arn') } }), Logs: { Type: 'AWS::Logs::LogGroup' } }, 'Stage'));
    expectCompliant(check(APIAccessLogging, { ...api(), Dep: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: ref('Api'), StageName: 'prod', StageDescription: { AccessLogSetting: { DestinationArn: 'arn:aws:logs:us-east-1:1:log-group:x' } } } } }, 'Dep'));
  });
});
