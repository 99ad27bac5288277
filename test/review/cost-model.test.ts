/**
 * The template cost model (`templateCost`, `renderCost`, `limitsCost`) on small templates, one
 * component kind and one branch at a time. Every expected figure is worked out by hand in the
 * comment beside it, with a price table of its own (below) so that no figure depends on the
 * library's defaults; the rendered formulas are checked in full, since they are what a reader sees.
 */
import { ComponentKind, ComponentRef, listComponents } from '../../lib/review/components';
import { CostReport, INFERENCE_API_WAF_RULES, limitsCost, renderCost, templateCost } from '../../lib/review/cost';
import { PriceTable } from '../../lib/review/prices';
import { CfnTemplateResource, TemplateModel } from '../../lib/nag/template/template-model';

/** Prices chosen for hand arithmetic, each distinct from the others. */
const P: PriceTable = {
  region: 'eu-test-1',
  asOf: '2026-01-02',
  sources: ['https://prices.example/a', 'https://prices.example/b'],
  apiGatewayRestPerMillion: 3.5,
  apiGatewayHttpPerMillion: 1.1,
  wafWebAclPerMonth: 5,
  wafRulePerMonth: 2,
  wafPerMillionRequests: 0.6,
  lambdaPerGbSecond: 0.00002,
  lambdaArmPerGbSecond: 0.000016,
  lambdaPerMillionRequests: 0.2,
  sqsPerMillionRequests: 0.4,
  logsIngestPerGb: 0.5,
  fargatePerVcpuHour: 0.04,
  fargatePerGbHour: 0.005,
  sageMakerServerlessPerGbSecond: 0.00003,
  kmsKeyPerMonth: 1.5,
  kmsPer10kRequests: 0.03,
  sageMakerInstancePerHour: { 'ml.g5.xlarge': 1.41, 'ml.m5.large': 0.115 },
  ec2InstancePerHour: { 'g5.xlarge': 1.006 },
};

type Resources = Record<string, CfnTemplateResource>;
const near = (v: number, digits = 9) => expect.closeTo(v, digits);
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** The cost report of a template, for the components the review lists (or those given). */
function costOf(resources: Resources, opts: { parameters?: Record<string, { Type: string; Default?: unknown }>; components?: (m: TemplateModel) => ComponentRef[]; prices?: PriceTable } = {}): CostReport {
  const model = new TemplateModel({ Resources: resources, ...(opts.parameters ? { Parameters: opts.parameters } : {}) });
  return templateCost(model, opts.components ? opts.components(model) : listComponents(model), opts.prices ?? P);
}
const component = (r: CostReport, id: string) => {
  const c = r.components.find((x) => x.id === id);
  if (!c) throw new Error(`no component ${id} in ${r.components.map((x) => x.id).join(', ')}`);
  return c;
};

// ---- resource builders -----------------------------------------------------------------------------

const restApi = (name = 'svc'): CfnTemplateResource => ({ Type: 'AWS::ApiGateway::RestApi', Properties: { Name: name } });
/** A REST stage; `rate`/`burst` are the stage default (`*` `/*`) throttle when given. */
const stage = (api: string, name: unknown, rate?: unknown, burst?: unknown, extra: Record<string, unknown> = {}, more: object[] = []): CfnTemplateResource => ({
  Type: 'AWS::ApiGateway::Stage',
  Properties: {
    RestApiId: ref(api), DeploymentId: ref(`${api}Dep`), StageName: name,
    MethodSettings: [...(rate === undefined && burst === undefined ? [] : [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst }]), ...more],
    ...extra,
  },
});
const deployment = (api: string): CfnTemplateResource => ({ Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: ref(api) } });
/** A deployment that creates a stage (`StageName`), with its stage description. */
const deploymentStage = (api: string, name: string, description: Record<string, unknown>): CfnTemplateResource => ({
  Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: ref(api), StageName: name, StageDescription: description },
});
const lambdaUri = (fn: string) => ({ 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', arnOf(fn), '/invocations']] });
const lambdaMethod = (api: unknown, fn: string, extra: Record<string, unknown> = {}): CfnTemplateResource => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: { RestApiId: api, HttpMethod: 'POST', AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaUri(fn) }, ...extra },
});
const sqsUri = (queue: string) => ({ 'Fn::Join': ['', ['arn:aws:apigateway:', ref('AWS::Region'), ':sqs:path/', ref('AWS::AccountId'), '/', { 'Fn::GetAtt': [queue, 'QueueName'] }]] });
const sqsMethod = (api: unknown, queue: string): CfnTemplateResource => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: { RestApiId: api, HttpMethod: 'POST', AuthorizationType: 'NONE', Integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: sqsUri(queue) } },
});
const fn = (props: Record<string, unknown> = {}): CfnTemplateResource => ({
  Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.h', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' }, ...props },
});
const httpApi = (name = 'h', protocol = 'HTTP'): CfnTemplateResource => ({ Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: name, ProtocolType: protocol } });
const httpStage = (api: string, props: Record<string, unknown>): CfnTemplateResource => ({ Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: ref(api), ...props } });
const httpIntegration = (api: string, f: string): CfnTemplateResource => ({
  Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: ref(api), IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: arnOf(f) },
});
const apiPermission = (f: unknown, api: string): CfnTemplateResource => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: f, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Join': ['', ['arn:aws:execute-api:us-east-1:123456789012:', ref(api), '/*/POST/']] } },
});

// ---- REST API requests -----------------------------------------------------------------------------

describe('a REST API at its stage throttle', () => {
  test('one stage: the default (`*` `/*`) rate x 3600 s x the REST price, and the report around it', () => {
    const r = costOf({ Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 37, 50) });
    expect(r).toEqual({
      region: 'eu-test-1', asOf: '2026-01-02', sources: ['https://prices.example/a', 'https://prices.example/b'],
      components: [{
        id: 'Api', label: 'API "svc" (Api)',
        // 37 rps x 3600 s = 133,200 requests x $3.50/M = $0.4662
        lines: [{ item: 'API requests at the stage throttle', perHour: near(0.4662), formula: '37 rps (prod) x 3600 s x $3.5/M' }],
        perHour: near(0.4662),
      }],
      perHour: near(0.4662),
    });
  });

  test('a Stage and a Deployment stage add up; access logs at 1 KB a request', () => {
    const r = costOf({
      Api: restApi(), ApiDep: deployment('Api'),
      Stage: stage('Api', 'prod', 37, 50, { AccessLogSetting: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:a', Format: '$context.requestId' } }),
      Beta: deploymentStage('Api', 'beta', { ThrottlingRateLimit: 12.5 }),
    });
    expect(component(r, 'Api').lines).toEqual([
      // 37 + 12.5 = 49.5 rps x 3600 s = 178,200 requests x $3.50/M = $0.6237
      { item: 'API requests at the stage throttle', perHour: near(0.6237), formula: '37 rps (prod) + 12.5 rps (beta) x 3600 s x $3.5/M' },
      // 49.5 rps x 1024 B = 50,688 B/s x 3600 s = 182,476,800 B = 0.1824768 GB x $0.50 = $0.0912384
      { item: 'access logs', perHour: near(0.0912384), formula: '49.5 rps x 1024 B x $0.5/GB' },
    ]);
    expect(r.perHour).toBeCloseTo(0.7149384, 9); // $0.6237 + $0.0912384
  });

  test("a Deployment stage's access logs (its StageDescription) are priced too", () => {
    const r = costOf({
      Api: restApi(), ApiDep: deployment('Api'),
      Beta: deploymentStage('Api', 'beta', { ThrottlingRateLimit: 12.5, AccessLogSetting: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:a' } }),
    });
    expect(component(r, 'Api').lines).toEqual([
      // 12.5 rps x 3600 s = 45,000 requests x $3.50/M = $0.1575
      { item: 'API requests at the stage throttle', perHour: near(0.1575), formula: '12.5 rps (beta) x 3600 s x $3.5/M' },
      // 12.5 rps x 1024 B = 12,800 B/s x 3600 s = 46,080,000 B = 0.04608 GB x $0.50 = $0.02304
      { item: 'access logs', perHour: near(0.02304), formula: '12.5 rps x 1024 B x $0.5/GB' },
    ]);
  });

  test('a stage name known only at deploy time is shown by its logical id; a rate from a parameter default is read', () => {
    const r = costOf({ Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', ref('StageName'), ref('Rate')) }, {
      parameters: { StageName: { Type: 'String' }, Rate: { Type: 'Number', Default: '24' } },
    });
    // 24 rps x 3600 s = 86,400 requests x $3.50/M = $0.3024
    expect(component(r, 'Api').lines).toEqual([{ item: 'API requests at the stage throttle', perHour: near(0.3024), formula: '24 rps (Stage) x 3600 s x $3.5/M' }]);
  });

  test('at most the account-level throttle: 10,000 rps itself is not capped, 10,000.5 is', () => {
    const at = costOf({ Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 10_000) });
    // 10,000 rps x 3600 s = 36,000,000 requests x $3.50/M = $126
    expect(component(at, 'Api').lines).toEqual([{ item: 'API requests at the stage throttle', perHour: near(126), formula: '10000 rps (prod) x 3600 s x $3.5/M' }]);
    const above = costOf({ Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 6000), Beta: deploymentStage('Api', 'beta', { ThrottlingRateLimit: 4000.5 }) });
    expect(component(above, 'Api').lines).toEqual([{
      item: 'API requests at the stage throttle', perHour: near(126), // 10,000 rps, as above
      formula: '6000 rps (prod) + 4000.5 rps (beta), above the account-level throttle: 10000 rps x 3600 s x $3.5/M',
    }]);
  });

  test.each([
    ['no stage in the template', {}, 'no stage in this template'],
    ['a stage without throttle settings', { Stage: stage('Api', 'prod') }, 'stage prod has no default throttle'],
    ['an unnamed stage whose only settings are per method', {
      Stage: stage('Api', undefined, undefined, undefined, {}, [
        { HttpMethod: 'POST', ResourcePath: '/*', ThrottlingRateLimit: 9 },
        { HttpMethod: '*', ResourcePath: '/predict', ThrottlingRateLimit: 8 },
      ]),
    }, 'stage Stage has no default throttle'],
    ['a throttled stage beside a Deployment stage without one', { Stage: stage('Api', 'prod', 37), Beta: deploymentStage('Api', 'beta', { MetricsEnabled: true }) }, 'stage beta has no default throttle'],
  ])('unbounded with %s, with the price at the account-level throttle', (_what, more, why) => {
    const r = costOf({ Api: restApi(), ApiDep: deployment('Api'), ...more as Resources });
    // 10,000 rps x 3600 s x $3.50/M = $126.00
    expect(component(r, 'Api')).toEqual({
      id: 'Api', label: 'API "svc" (Api)', perHour: undefined,
      lines: [{ item: 'API requests', formula: `${why}; at the account-level throttle (10000 rps, shared by every API in the Region) it would be $126.00/h`, unboundedBy: 'InferenceGuard-APIStageThrottling' }],
    });
    expect(r.perHour).toBeUndefined();
  });

  test('a stage no call reaches (every method needs an API key, no usage plan lists it) adds 0 rps', () => {
    const r = costOf({
      Api: restApi(), ApiDep: deployment('Api'),
      Get: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: ref('Api'), HttpMethod: 'GET', AuthorizationType: 'NONE', ApiKeyRequired: true, Integration: { Type: 'MOCK' } } },
      Stage: stage('Api', 'prod', 20),
      Open: stage('Api', 'beta'), // no throttle: it would make the API unbounded if calls reached it
      Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: 'prod' }], Throttle: { RateLimit: 5, BurstLimit: 5 } } },
    });
    expect(component(r, 'Api').lines).toEqual([{
      // 20 rps x 3600 s = 72,000 requests x $3.50/M = $0.252
      item: 'API requests at the stage throttle', perHour: near(0.252),
      formula: '20 rps (prod) + 0 rps (beta: 403 for every call, no usage plan lists it) x 3600 s x $3.5/M',
    }]);
  });
});

// ---- WAF -----------------------------------------------------------------------------------------

describe("a REST API's web ACLs", () => {
  const acl = (rules: number): CfnTemplateResource => ({
    Type: 'AWS::WAFv2::WebACL',
    Properties: { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: Array.from({ length: rules }, (_, i) => ({ Name: `r${i}`, Priority: i })) },
  });
  const assoc = (resourceArn: unknown, aclArn: unknown): CfnTemplateResource => ({ Type: 'AWS::WAFv2::WebACLAssociation', Properties: { ResourceArn: resourceArn, WebACLArn: aclArn } });
  const stageArn = (api: string, s: string) => ({ 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1::/restapis/', ref(api), '/stages/', ref(s)]] });

  test('each web ACL associated with the API or one of its stages, once: monthly fees over 730 h plus the inspected requests', () => {
    const r = costOf({
      Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 37),
      Acl: acl(3), Acl2: acl(0), Acl3: acl(1),
      ToStage: assoc(stageArn('Api', 'Stage'), arnOf('Acl')),
      ToApi: assoc(ref('Api'), arnOf('Acl2')),
      Again: assoc(stageArn('Api', 'Stage'), arnOf('Acl')), // the same ACL again: priced once
      Elsewhere: assoc(ref('Topic'), arnOf('Acl3')), // not an API
      Outside: assoc(stageArn('Api', 'Stage'), 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/1'), // an ACL not in the template
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Other: restApi('other'), OtherDep: deployment('Other'), OtherStage: stage('Other', 'x', 1),
      ToOther: assoc(stageArn('Other', 'OtherStage'), arnOf('Acl3')),
    });
    expect(component(r, 'Api').lines).toEqual([
      { item: 'API requests at the stage throttle', perHour: near(0.4662), formula: '37 rps (prod) x 3600 s x $3.5/M' }, // 133,200 x $3.50/M
      // ($5 + 3 x $2) / 730 h = $0.0150685; 37 rps x 3600 s x $0.60/M = $0.07992; sum $0.0949885
      { item: 'WAF web ACL Acl', perHour: near(0.0949884932), formula: '($5 + 3 rules x $2) / 730 h + 37 rps x $0.6/M' },
      // $5 / 730 h = $0.0068493 + $0.07992 = $0.0867693
      { item: 'WAF web ACL Acl2', perHour: near(0.0867693151), formula: '($5 + 0 rules x $2) / 730 h + 37 rps x $0.6/M' },
    ]);
    expect(component(r, 'Api').perHour).toBeCloseTo(0.6479578082, 9); // $0.4662 + $0.0949885 + $0.0867693
    expect(component(r, 'Other').lines).toEqual([
      { item: 'API requests at the stage throttle', perHour: near(0.0126), formula: '1 rps (x) x 3600 s x $3.5/M' }, // 3600 x $3.50/M
      // ($5 + 1 x $2) / 730 h = $0.0095890 + 1 x 3600 x $0.60/M = $0.00216: $0.0117490
      { item: 'WAF web ACL Acl3', perHour: near(0.0117490411), formula: '($5 + 1 rules x $2) / 730 h + 1 rps x $0.6/M' },
    ]);
  });

  test('an association naming the stage alone counts for its API', () => {
    const r = costOf({
      Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 37), Acl: acl(3),
      ToStage: assoc({ 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1::/restapis/abc/stages/', ref('Stage')]] }, arnOf('Acl')),
    });
    // ($5 + 3 x $2) / 730 h + 37 x 3600 x $0.60/M = $0.0150685 + $0.07992, as above
    expect(component(r, 'Api').lines[1]).toEqual({ item: 'WAF web ACL Acl', perHour: near(0.0949884932), formula: '($5 + 3 rules x $2) / 730 h + 37 rps x $0.6/M' });
  });

  test('an API without a stage throttle has no WAF line (its requests are already unbounded)', () => {
    const r = costOf({ Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod'), Acl: acl(3), ToApi: assoc(ref('Api'), arnOf('Acl')) });
    expect(component(r, 'Api').lines.map((l) => l.item)).toEqual(['API requests']);
  });
});

// ---- HTTP APIs -----------------------------------------------------------------------------------

describe('an HTTP API at its stage throttle', () => {
  test("the stages' default route throttles add up, at the HTTP price; access logs", () => {
    const r = costOf({
      Http: httpApi(),
      HStage: httpStage('Http', { StageName: '$default', DefaultRouteSettings: { ThrottlingRateLimit: 45, ThrottlingBurstLimit: 90 }, AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:1:log-group:h', Format: '$context.requestId' } }),
      Canary: httpStage('Http', { StageName: 'canary', DefaultRouteSettings: { ThrottlingRateLimit: 7.5 } }),
    });
    expect(component(r, 'Http')).toEqual({
      id: 'Http', label: 'HTTP API "h" (Http)',
      lines: [
        // 52.5 rps x 3600 s = 189,000 requests x $1.10/M = $0.2079
        { item: 'API requests at the stage throttle', perHour: near(0.2079), formula: '45 rps + 7.5 rps x 3600 s x $1.1/M' },
        // 52.5 rps x 1024 B = 53,760 B/s x 3600 s = 193,536,000 B = 0.193536 GB x $0.50 = $0.096768
        { item: 'access logs', perHour: near(0.096768), formula: '52.5 rps x 1024 B x $0.5/GB' },
      ],
      perHour: near(0.304668), // $0.2079 + $0.096768
    });
  });

  test('at most the account-level throttle', () => {
    const r = costOf({
      Http: httpApi(),
      A: httpStage('Http', { StageName: 'a', DefaultRouteSettings: { ThrottlingRateLimit: 9000 } }),
      B: httpStage('Http', { StageName: 'b', DefaultRouteSettings: { ThrottlingRateLimit: 1000.5 } }),
    });
    // 10,000 rps x 3600 s = 36,000,000 requests x $1.10/M = $39.60
    expect(component(r, 'Http').lines).toEqual([{ item: 'API requests at the stage throttle', perHour: near(39.6), formula: '9000 rps + 1000.5 rps, above the account-level throttle: 10000 rps x 3600 s x $1.1/M' }]);
  });

  test.each([
    ['no stage', {}, 'no stage in this template'],
    ['a stage without a default route throttle', { HStage: httpStage('Http', { StageName: '$default', DefaultRouteSettings: { DetailedMetricsEnabled: true } }) }, 'stage $default has no default throttle'],
    ['an unnamed stage without settings', { HStage: httpStage('Http', {}) }, 'stage HStage has no default throttle'],
  ])('unbounded with %s, with the price at the account-level throttle', (_what, more, why) => {
    const r = costOf({ Http: httpApi(), ...more as Resources });
    // 10,000 rps x 3600 s x $1.10/M = $39.60
    expect(component(r, 'Http').lines).toEqual([{ item: 'API requests', formula: `${why}; at the account-level throttle (10000 rps, shared by every API in the Region) it would be $39.60/h`, unboundedBy: 'InferenceGuard-HTTPAPIStageThrottling' }]);
  });

  test('a WebSocket API and a function without a URL are not priced, even when asked for', () => {
    const r = costOf({ Ws: httpApi('w', 'WEBSOCKET'), WsStage: httpStage('Ws', { StageName: 'prod' }), Plain: fn() }, {
      components: () => [{ kind: ComponentKind.API, id: 'Ws', label: 'ws' }, { kind: ComponentKind.FUNCTION, id: 'Plain', label: 'plain' }],
    });
    expect(r.components).toEqual([]);
    expect(r.perHour).toBe(0);
  });
});

// ---- functions behind an API ---------------------------------------------------------------------

describe('a function an API invokes', () => {
  /** REST API (stage prod 33 rps / burst 17) -> POST -> Fn (256 MB, 11 s), with the invoke permission for this API. */
  const base = (fnProps: Record<string, unknown> = { MemorySize: 256, Timeout: 11 }): Resources => ({
    Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 33, 17),
    Post: lambdaMethod(ref('Api'), 'Fn'),
    Fn: fn(fnProps),
    Perm: apiPermission(arnOf('Fn'), 'Api'),
  });
  const fnLines = (r: CostReport, api = 'Api') => component(r, api).lines.filter((l) => l.item.startsWith('Lambda '));
  const throttled = [
    // (33 rps x 3600 s + 17) = 118,817 invocations x 11 s x 0.25 GB x $0.00002/GB-s = $6.534935
    { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(6.534935), formula: "(33 rps x 3600 s + 17 burst) = 118817 invocations x 11 s timeout x 0.25 GB x $0.00002/GB-s; concurrency <= 33 rps x 11 s + 17 = 380 (Little's law); throttles: 33 rps / burst 17 (Post on stage prod)" },
    // 118,817 x ($0.20/M + 300 B x $0.50/GB = $0.35/M) = $0.04158595
    { item: 'Lambda Fn requests and logs', perHour: near(0.04158595), formula: '118817 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
  ];

  test('API Gateway its only invoker: bounded by the stage throttle (token bucket, Little\'s law)', () => {
    const r = costOf(base());
    expect(component(r, 'Api').lines).toEqual([
      { item: 'API requests at the stage throttle', perHour: near(0.4158), formula: '33 rps (prod) x 3600 s x $3.5/M' }, // 118,800 x $3.50/M
      ...throttled,
    ]);
    expect(r.perHour).toBeCloseTo(6.99232095, 8); // $0.4158 + $6.534935 + $0.04158595
  });

  test('with reserved concurrency as well, the lower bound is shown, whichever it is', () => {
    const low = costOf(base({ MemorySize: 256, Timeout: 11, ReservedConcurrentExecutions: 2 }));
    expect(fnLines(low)).toEqual([
      // 2 x 0.25 GB x 3600 s x $0.00002 = $0.036
      { item: 'Lambda Fn duration', perHour: near(0.036), formula: '2 concurrent (reserved concurrency) x 0.25 GB x 3600 s x $0.00002/GB-s' },
      // 2 x 3600 / 11 = 654.55 invocations x $0.35/M = $0.00022909
      { item: 'Lambda Fn requests and logs', perHour: near(0.000229090909, 11), formula: '2 x 3600 / 11 s timeout = 655 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
    ]);
    // Reserved 500: 500 x 0.25 x 3600 x $0.00002 = $9 (+ $0.057), above the throttle bound's $6.58.
    expect(fnLines(costOf(base({ MemorySize: 256, Timeout: 11, ReservedConcurrentExecutions: 500 })))).toEqual(throttled);
  });

  test('the Lambda defaults (128 MB, 3 s) where unset', () => {
    expect(fnLines(costOf(base({})))).toEqual([
      // 118,817 invocations x 3 s x 0.125 GB x $0.00002 = $0.8911275; 33 x 3 + 17 = 116 concurrent
      { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(0.8911275), formula: "(33 rps x 3600 s + 17 burst) = 118817 invocations x 3 s timeout x 0.125 GB x $0.00002/GB-s; concurrency <= 33 rps x 3 s + 17 = 116 (Little's law); throttles: 33 rps / burst 17 (Post on stage prod)" },
      { item: 'Lambda Fn requests and logs', perHour: near(0.04158595), formula: '118817 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
    ]);
  });

  test('reserved concurrency on arm64, when the throttle does not bound it', () => {
    const t = base({ MemorySize: 2048, Timeout: 4, ReservedConcurrentExecutions: 3, Architectures: ['arm64'] });
    t.Stage = stage('Api', 'prod');
    expect(fnLines(costOf(t))).toEqual([
      // 3 x 2 GB x 3600 s x $0.000016 = $0.3456
      { item: 'Lambda Fn duration', perHour: near(0.3456), formula: '3 concurrent (reserved concurrency) x 2 GB x 3600 s x $0.000016/GB-s (arm64)' },
      // 3 x 3600 / 4 = 2700 invocations x $0.35/M = $0.000945
      { item: 'Lambda Fn requests and logs', perHour: near(0.000945, 12), formula: '3 x 3600 / 4 s timeout = 2700 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
    ]);
    t.Fn.Properties!.Architectures = ['x86_64'];
    expect(fnLines(costOf(t))[0]).toEqual({ item: 'Lambda Fn duration', perHour: near(0.432), formula: '3 concurrent (reserved concurrency) x 2 GB x 3600 s x $0.00002/GB-s' }); // 3 x 2 x 3600 x $0.00002
  });

  test('a per-method override raises the rate and the burst; a method setting without throttle changes nothing', () => {
    const t = base();
    t.Stage = stage('Api', 'prod', 33, 17, {}, [{ HttpMethod: 'POST', ResourcePath: '/~1jobs', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 40 }, { HttpMethod: 'GET', ResourcePath: '/health', MetricsEnabled: true }]);
    expect(fnLines(costOf(t))).toEqual([
      // (50 x 3600 + 40) = 180,040 invocations x 11 s x 0.25 GB x $0.00002 = $9.9022; 50 x 11 + 40 = 590
      { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(9.9022), formula: "(50 rps x 3600 s + 40 burst) = 180040 invocations x 11 s timeout x 0.25 GB x $0.00002/GB-s; concurrency <= 50 rps x 11 s + 40 = 590 (Little's law); throttles: 50 rps / burst 40 (Post on stage prod)" },
      { item: 'Lambda Fn requests and logs', perHour: near(0.063014), formula: '180040 invocations x $0.2/M + 300 B of logs each x $0.5/GB' }, // 180,040 x $0.35/M
    ]);
  });

  test('the stage default is the `*` `/*` setting wherever it is listed', () => {
    const t = base();
    t.Stage = stage('Api', 'prod', undefined, undefined, {}, [
      { HttpMethod: '*', ResourcePath: '/~1jobs', ThrottlingRateLimit: 50 },
      { HttpMethod: 'POST', ResourcePath: '/*', ThrottlingRateLimit: 45 },
      { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 33, ThrottlingBurstLimit: 17 },
    ]);
    // Rate max(33, 50, 45) = 50, burst 17 (the default's; the others set none):
    // (50 x 3600 + 17) = 180,017 invocations x 11 s x 0.25 GB x $0.00002 = $9.900935; 50 x 11 + 17 = 567
    expect(fnLines(costOf(t))[0]).toEqual({ item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(9.900935), formula: "(50 rps x 3600 s + 17 burst) = 180017 invocations x 11 s timeout x 0.25 GB x $0.00002/GB-s; concurrency <= 50 rps x 11 s + 17 = 567 (Little's law); throttles: 50 rps / burst 17 (Post on stage prod)" });
  });

  test('stages add up; a stage without a burst has the account burst (5,000), and the sum of bursts is at most that', () => {
    const t = base();
    t.Stage = stage('Api', 'prod', 33);
    t.Beta = deploymentStage('Api', 'beta', { ThrottlingRateLimit: 12.5 });
    const r = costOf(t);
    expect(component(r, 'Api').lines[0]).toEqual({ item: 'API requests at the stage throttle', perHour: near(0.5733), formula: '33 rps (prod) + 12.5 rps (beta) x 3600 s x $3.5/M' }); // 163,800 x $3.50/M
    expect(fnLines(r)).toEqual([
      // 45.5 x 3600 + min(5000 + 5000, 5000) = 168,800 invocations x 11 s x 0.25 GB x $0.00002 = $9.284; 45.5 x 11 + 5000 = 5500.5
      { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(9.284), formula: "(45.5 rps x 3600 s + 5000 burst) = 168800 invocations x 11 s timeout x 0.25 GB x $0.00002/GB-s; concurrency <= 45.5 rps x 11 s + 5000 = 5500.5 (Little's law); throttles: 33 rps / burst 5000 (Post on stage prod) + 12.5 rps / burst 5000 (Post on stage beta)" },
      { item: 'Lambda Fn requests and logs', perHour: near(0.05908), formula: '168800 invocations x $0.2/M + 300 B of logs each x $0.5/GB' }, // 168,800 x $0.35/M
    ]);
  });

  test('stage throttles above the account-level throttle bound the function at 10,000 rps', () => {
    const t = base({});
    t.Stage = stage('Api', 'prod', 6000, 10);
    t.Beta = deploymentStage('Api', 'beta', { ThrottlingRateLimit: 4000.5, ThrottlingBurstLimit: 20 });
    expect(fnLines(costOf(t))).toEqual([
      // (10,000 x 3600 + 30) = 36,000,030 invocations x 3 s x 0.125 GB x $0.00002 = $270.000225; 10,000 x 3 + 30 = 30,030
      { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(270.000225, 6), formula: "(10000 rps x 3600 s + 30 burst) = 36000030 invocations x 3 s timeout x 0.125 GB x $0.00002/GB-s; concurrency <= 10000 rps x 3 s + 30 = 30030 (Little's law); throttles: 6000 rps / burst 10 (Post on stage prod) + 4000.5 rps / burst 20 (Post on stage beta), above the account-level throttle: 10000 rps" },
      { item: 'Lambda Fn requests and logs', perHour: near(12.6000105, 7), formula: '36000030 invocations x $0.2/M + 300 B of logs each x $0.5/GB' }, // 36,000,030 x $0.35/M
    ]);
  });

  test('a stage no call reaches is skipped, even without a throttle', () => {
    const t = base();
    t.Post.Properties!.ApiKeyRequired = true;
    t.Open = stage('Api', 'beta');
    t.Plan = { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: 'prod' }] } };
    expect(fnLines(costOf(t))).toEqual(throttled);
  });

  test('through an HTTP API: the highest route throttle, arm64', () => {
    const r = costOf({
      Http: httpApi(),
      HStage: httpStage('Http', {
        StageName: '$default', DefaultRouteSettings: { ThrottlingRateLimit: 45, ThrottlingBurstLimit: 90 },
        RouteSettings: { 'POST /predict': { ThrottlingRateLimit: 60, ThrottlingBurstLimit: 30 }, 'GET /health': { DetailedMetricsEnabled: true }, bad: 'not a map' },
      }),
      Integ: httpIntegration('Http', 'Fn'),
      Fn: fn({ MemorySize: 2048, Timeout: 4, Architectures: ['arm64'] }),
    });
    expect(component(r, 'Http').lines).toEqual([
      { item: 'API requests at the stage throttle', perHour: near(0.1782), formula: '45 rps x 3600 s x $1.1/M' }, // 162,000 x $1.10/M
      // (60 x 3600 + 90) = 216,090 invocations x 4 s x 2 GB x $0.000016 = $27.65952; 60 x 4 + 90 = 330
      { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(27.65952), formula: "(60 rps x 3600 s + 90 burst) = 216090 invocations x 4 s timeout x 2 GB x $0.000016/GB-s (arm64); concurrency <= 60 rps x 4 s + 90 = 330 (Little's law); throttles: 60 rps / burst 90 (Integ on stage $default)" },
      { item: 'Lambda Fn requests and logs', perHour: near(0.0756315), formula: '216090 invocations x $0.2/M + 300 B of logs each x $0.5/GB' }, // 216,090 x $0.35/M
    ]);
  });

  test('through an HTTP API stage without a name or a burst: the account burst', () => {
    const r = costOf({ Http: httpApi(), HStage: httpStage('Http', { DefaultRouteSettings: { ThrottlingRateLimit: 2 } }), Integ: httpIntegration('Http', 'Fn'), Fn: fn() });
    expect(component(r, 'Http').lines.slice(1)).toEqual([
      // (2 x 3600 + 5000) = 12,200 invocations x 3 s x 0.125 GB x $0.00002 = $0.0915; 2 x 3 + 5000 = 5006
      { item: 'Lambda Fn duration (API Gateway is its only invoker)', perHour: near(0.0915), formula: "(2 rps x 3600 s + 5000 burst) = 12200 invocations x 3 s timeout x 0.125 GB x $0.00002/GB-s; concurrency <= 2 rps x 3 s + 5000 = 5006 (Little's law); throttles: 2 rps / burst 5000 (Integ on stage HStage)" },
      { item: 'Lambda Fn requests and logs', perHour: near(0.00427, 11), formula: '12200 invocations x $0.2/M + 300 B of logs each x $0.5/GB' }, // 12,200 x $0.35/M
    ]);
  });

  const unbounded = (why: string, memory = 256) => [{ item: 'Lambda Fn', formula: `no concurrency cap and ${why}: up to the account pool, ${memory} MB each`, unboundedBy: 'InferenceGuard-LambdaConcurrencyCap' }];

  test.each<[string, (t: Resources) => void, string]>([
    ['an integration of an API outside the template', (t) => { t.Ext = lambdaMethod('abc123', 'Fn'); }, 'an integration belongs to an API outside this template'],
    ['an API without a stage', (t) => { t.Api2 = restApi('two'); t.Post2 = lambdaMethod(ref('Api2'), 'Fn'); }, 'API Api2 has no stage in this template'],
    ['a stage without a throttle', (t) => { t.Beta = deploymentStage('Api', 'beta', {}); }, 'stage beta of API Api has no throttle'],
    ['an HTTP API stage without a throttle', (t) => {
      t.Http = httpApi(); t.HStage = httpStage('Http', { StageName: '$default' }); t.Integ = httpIntegration('Http', 'Fn');
    }, 'stage $default of API Http has no throttle'],
    ['an API Gateway permission for another API', (t) => { t.Api2 = restApi('two'); t.Perm2 = apiPermission(ref('Fn'), 'Api2'); },
      'it has other invokers (Lambda::Permission Perm2 (principal "apigateway.amazonaws.com", SourceArn not one of the throttled APIs))'],
    ['an EventBridge permission whose SourceArn names the API', (t) => {
      t.Rule = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref('Fn'), Principal: 'events.amazonaws.com', SourceArn: { 'Fn::Join': ['', ['arn:aws:events:us-east-1:1:rule/', ref('Api')]] } } };
    }, 'it has other invokers (Lambda::Permission Rule (principal "events.amazonaws.com"))'],
    ['an SNS permission on an alias', (t) => {
      t.Alias = { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: ref('Fn'), FunctionVersion: '$LATEST', Name: 'live' } };
      t.Sns = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref('Alias'), Principal: 'sns.amazonaws.com' } };
    }, 'it has other invokers (Lambda::Permission Sns (principal "sns.amazonaws.com"))'],
    ['an event source mapping on a version', (t) => {
      t.Version = { Type: 'AWS::Lambda::Version', Properties: { FunctionName: ref('Fn') } };
      t.Esm = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: ref('Version'), EventSourceArn: 'arn:aws:kinesis:us-east-1:1:stream/s' } };
    }, 'it has other invokers (event source mapping Esm)'],
    ['a function URL', (t) => { t.Url = { Type: 'AWS::Lambda::Url', Properties: { TargetFunctionArn: arnOf('Fn'), AuthType: 'AWS_IAM' } }; }, 'it has other invokers (function URL Url)'],
    ['an IAM policy with lambda:Invoke* on every resource', (t) => {
      t.Pol = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'lambda:Invoke*'], Resource: '*' }] } } };
    }, 'it has other invokers (IAM grant of lambda:InvokeFunction in Pol)'],
    ['a managed policy with LAMBDA:INVOKEFUNCTION on the function', (t) => {
      t.Mp = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'LAMBDA:INVOKEFUNCTION', Resource: [arnOf('Other'), arnOf('Fn')] }] } } };
      t.Other = fn();
    }, 'it has other invokers (IAM grant of lambda:InvokeFunction in Mp)'],
    ['a role allowed lambda:* on the function', (t) => {
      t.Role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Policies: ['not a map', { PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:*', Resource: arnOf('Fn') }] } }] } };
    }, 'it has other invokers (IAM grant of lambda:InvokeFunction in Role)'],
    ['a role allowed every action', (t) => {
      t.Role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }] } };
    }, 'it has other invokers (IAM grant of lambda:InvokeFunction in Role)'],
  ])('unbounded when there is %s', (_what, change, why) => {
    const t = base();
    change(t);
    expect(fnLines(costOf(t))).toEqual(unbounded(why));
  });

  test('every other invoker is named, in this order: mappings, URLs, permissions (in template order), grants', () => {
    const t = base();
    t.Alias = { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: ref('Fn'), FunctionVersion: '$LATEST', Name: 'live' } };
    // The permission on the alias comes first in the template, the one on the function second (and first by name).
    t.ZPerm = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref('Alias'), Principal: 's3.amazonaws.com' } };
    t.Sns = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref('Fn'), Principal: 'sns.amazonaws.com' } };
    t.Esm = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: ref('Alias'), EventSourceArn: 'arn:aws:kinesis:us-east-1:1:stream/s' } };
    t.Url = { Type: 'AWS::Lambda::Url', Properties: { TargetFunctionArn: ref('Alias'), AuthType: 'AWS_IAM' } };
    t.Pol = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }] } } };
    expect(fnLines(costOf(t))).toEqual(unbounded('it has other invokers (event source mapping Esm, function URL Url, Lambda::Permission ZPerm (principal "s3.amazonaws.com"), Lambda::Permission Sns (principal "sns.amazonaws.com"), IAM grant of lambda:InvokeFunction in Pol)'));
  });

  test('what does not invoke it leaves the throttle bound in place', () => {
    const t = base();
    t.Other = fn();
    // Resources that mention the function without invoking it, or invoke another one.
    t.OtherPerm = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref('Other'), Principal: 'sns.amazonaws.com', SourceAccount: arnOf('Fn') } };
    t.OtherEsm = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: ref('Other'), EventSourceArn: 'arn:aws:kinesis:us-east-1:1:stream/s', DestinationConfig: { OnFailure: { Destination: arnOf('Fn') } } } };
    t.OtherVersion = { Type: 'AWS::Lambda::Version', Properties: { FunctionName: ref('Other'), Description: { 'Fn::Join': ['', ['after ', ref('Fn')]] } } };
    t.OtherVersionPerm = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: ref('OtherVersion'), Principal: 'sns.amazonaws.com' } };
    t.Pol = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'p', Roles: ['r'],
        PolicyDocument: {
          Statement: [
            { Effect: 'Deny', Action: '*', Resource: '*' },
            { Effect: 'Allow', Action: 'lambda:InvokeFunctionUrl', Resource: arnOf('Fn') },
            { Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
            { Effect: 'Allow', Action: 'xlambda:invokefunction', Resource: '*' },
            { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf('Other') },
            { Effect: 'Allow', Action: [42, ['lambda:InvokeFunction']], Resource: '*' }, // not action names
            'not a statement',
          ],
        },
      },
    };
    t.NoDoc = { Type: 'AWS::IAM::ManagedPolicy', Properties: {} };
    expect(fnLines(costOf(t))).toEqual(throttled);
  });

  test('no cap and no API bound: unbounded, whatever the API throttle', () => {
    const t = base();
    t.Ext = lambdaMethod('abc123', 'Fn');
    const r = costOf(t);
    expect(component(r, 'Api').perHour).toBeUndefined();
    expect(r.perHour).toBeUndefined();
  });
});

// ---- function URLs ---------------------------------------------------------------------------------

describe('a function with a URL', () => {
  const url = (reserved?: number): Resources => ({
    Fn: fn({ MemorySize: 1536, Timeout: 7, ...(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved }), FunctionName: 'open' }),
    Url: { Type: 'AWS::Lambda::Url', Properties: { TargetFunctionArn: arnOf('Fn'), AuthType: 'NONE' } },
  });
  test('at its reserved concurrency', () => {
    expect(component(costOf(url(9)), 'Fn')).toEqual({
      id: 'Fn', label: 'function "open" (Fn) (function URL)',
      lines: [
        // 9 x 1.5 GB x 3600 s x $0.00002 = $0.972
        { item: 'Lambda Fn duration', perHour: near(0.972), formula: '9 concurrent (reserved concurrency) x 1.5 GB x 3600 s x $0.00002/GB-s' },
        // 9 x 3600 / 7 = 4628.57 invocations x $0.35/M = $0.00162
        { item: 'Lambda Fn requests and logs', perHour: near(0.00162, 12), formula: '9 x 3600 / 7 s timeout = 4629 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
      ],
      perHour: near(0.97362), // $0.972 + $0.00162
    });
  });
  test('without: unbounded, naming the URL', () => {
    expect(component(costOf(url()), 'Fn').lines).toEqual([{
      item: 'Lambda Fn', formula: 'no concurrency cap and a function URL (Url) invokes it with no throttle: up to the account pool, 1536 MB each', unboundedBy: 'InferenceGuard-LambdaConcurrencyCap',
    }]);
  });
  test('every URL is named, the alias\'s too', () => {
    const t = url();
    t.Alias = { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: ref('Fn'), FunctionVersion: '$LATEST', Name: 'live' } };
    t.AliasUrl = { Type: 'AWS::Lambda::Url', Properties: { TargetFunctionArn: ref('Alias'), AuthType: 'NONE' } };
    expect(component(costOf(t), 'Fn').lines[0].formula).toBe('no concurrency cap and a function URL (Url, AliasUrl) invokes it with no throttle: up to the account pool, 1536 MB each');
  });

  test('a cap so large the price overflows reads unbounded, beyond any number of dollars', () => {
    const c = component(costOf(url(1e308)), 'Fn');
    // 1e308 x 1.5 GB x 3600 s overflows to Infinity, and so do 1e308 x 3600 / 7 invocations.
    expect(c).toEqual({
      id: 'Fn', label: 'function "open" (Fn) (function URL)', perHour: undefined,
      lines: [
        { item: 'Lambda Fn duration', formula: '1e+308 concurrent (reserved concurrency) x 1.5 GB x 3600 s x $0.00002/GB-s: beyond any number of dollars', unboundedBy: 'a value too large to bound anything' },
        { item: 'Lambda Fn requests and logs', formula: '1e+308 x 3600 / 7 s timeout = Infinity invocations x $0.2/M + 300 B of logs each x $0.5/GB: beyond any number of dollars', unboundedBy: 'a value too large to bound anything' },
      ],
    });
  });
});

// ---- queues ----------------------------------------------------------------------------------------

describe('a queue: its producers at their API throttle, its consumers at their cap', () => {
  /** Api (37 rps) -> SQS Jobs -> Worker (640 MB, 25 s), with the given event source and reserved concurrency. */
  const queue = (max?: number, reserved?: number): Resources => ({
    Api: restApi(), ApiDep: deployment('Api'), Stage: stage('Api', 'prod', 37),
    Send: sqsMethod(ref('Api'), 'Jobs'),
    Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs', RedrivePolicy: { deadLetterTargetArn: arnOf('Dlq'), maxReceiveCount: 3 } } },
    Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
    Worker: fn({ MemorySize: 640, Timeout: 25, ...(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved }) }),
    Esm: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: arnOf('Jobs'), FunctionName: ref('Worker'), ...(max === undefined ? {} : { ScalingConfig: { MaximumConcurrency: max } }) } },
  });
  // 37 messages/s x 3 requests x 3600 s = 399,600 requests x $0.40/M = $0.15984
  const sqs = { item: 'SQS requests', perHour: near(0.15984), formula: '37 messages/s from Api x 3 requests x 3600 s x $0.4/M' };

  test('the event source MaximumConcurrency when it is the lower cap', () => {
    const r = costOf(queue(4, 6));
    expect(r.components.map((c) => c.id)).toEqual(['Api', 'Jobs']); // the DLQ folds into its source
    expect(component(r, 'Jobs')).toEqual({
      id: 'Jobs', label: 'queue "jobs" (Jobs)',
      lines: [
        sqs,
        // 4 x 0.625 GB x 3600 s x $0.00002 = $0.18
        { item: 'Lambda Worker duration', perHour: near(0.18), formula: '4 concurrent (event source MaximumConcurrency) x 0.625 GB x 3600 s x $0.00002/GB-s' },
        // 4 x 3600 / 25 = 576 invocations x $0.35/M = $0.0002016
        { item: 'Lambda Worker requests and logs', perHour: near(0.0002016, 12), formula: '4 x 3600 / 25 s timeout = 576 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
      ],
      perHour: near(0.3400416), // $0.15984 + $0.18 + $0.0002016
    });
    // The API's own line: it has no function of its own.
    expect(component(r, 'Api').lines).toEqual([{ item: 'API requests at the stage throttle', perHour: near(0.4662), formula: '37 rps (prod) x 3600 s x $3.5/M' }]);
    expect(r.perHour).toBeCloseTo(0.8062416, 9); // $0.4662 + $0.3400416
  });

  test('the reserved concurrency when it is the lower cap, or the only one', () => {
    // 6 x 0.625 GB x 3600 s x $0.00002 = $0.27; 6 x 3600 / 25 = 864 invocations x $0.35/M = $0.0003024
    const six = [
      { item: 'Lambda Worker duration', perHour: near(0.27), formula: '6 concurrent (reserved concurrency) x 0.625 GB x 3600 s x $0.00002/GB-s' },
      { item: 'Lambda Worker requests and logs', perHour: near(0.0003024, 12), formula: '6 x 3600 / 25 s timeout = 864 invocations x $0.2/M + 300 B of logs each x $0.5/GB' },
    ];
    expect(component(costOf(queue(8, 6)), 'Jobs').lines).toEqual([sqs, ...six]);
    expect(component(costOf(queue(undefined, 6)), 'Jobs').lines).toEqual([sqs, ...six]);
    // MaximumConcurrency alone: 4 x 0.625 GB x 3600 s x $0.00002 = $0.18
    expect(component(costOf(queue(4)), 'Jobs').lines[1]).toEqual({ item: 'Lambda Worker duration', perHour: near(0.18), formula: '4 concurrent (event source MaximumConcurrency) x 0.625 GB x 3600 s x $0.00002/GB-s' });
    // Equal caps: either name is right; the event source's is shown.
    expect(component(costOf(queue(6, 6)), 'Jobs').lines[1].formula).toBe('6 concurrent (event source MaximumConcurrency) x 0.625 GB x 3600 s x $0.00002/GB-s');
  });

  test('no cap: unbounded, with the consumer rule', () => {
    const r = costOf(queue());
    expect(component(r, 'Jobs')).toEqual({
      id: 'Jobs', label: 'queue "jobs" (Jobs)', perHour: undefined,
      lines: [sqs, { item: 'Lambda Worker', formula: 'no concurrency cap: up to the account pool, 640 MB each', unboundedBy: 'InferenceGuard-SQSConsumerConcurrency' }],
    });
    expect(r.perHour).toBeUndefined();
  });

  test('producers: each API once, at the sum of their throttles; an unthrottled one makes it unbounded', () => {
    const t = queue(4);
    Object.assign(t, {
      Send2: sqsMethod(ref('Api'), 'Jobs'), // a second method of the same API: its throttle counts once
      Api2: restApi('two'), Api2Dep: deployment('Api2'), Stage2: stage('Api2', 'prod', 12),
      Send3: sqsMethod(ref('Api2'), 'Jobs'),
      SendOut: sqsMethod('abc123', 'Jobs'), // an API outside the template
      NotSqs: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: ref('Api3'), HttpMethod: 'POST', Integration: { Type: 'HTTP', Uri: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Jobs', 'QueueName'] }, '.example']] } } } },
      SqsTopic: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: ref('Api3'), HttpMethod: 'PUT', Integration: { Type: 'AWS', Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1:sqs:path/', { 'Fn::GetAtt': ['Topic', 'TopicName'] }]] } } } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Api3: restApi('three'), Api3Dep: deployment('Api3'), // no stage: it would make the queue unbounded if counted
    });
    // (37 + 12) = 49 messages/s x 3 x 3600 s = 529,200 requests x $0.40/M = $0.21168
    expect(component(costOf(t), 'Jobs').lines[0]).toEqual({ item: 'SQS requests', perHour: near(0.21168), formula: '49 messages/s from Api, Api2 x 3 requests x 3600 s x $0.4/M' });
    t.Stage2 = stage('Api2', 'prod');
    expect(component(costOf(t), 'Jobs').lines[0]).toEqual({ item: 'SQS requests', formula: 'fed by Api, Api2 without a stage throttle', unboundedBy: 'InferenceGuard-APIStageThrottling' });
  });

  test('a consumer outside the template, a mapping that only sends failures to the queue, and a queue nothing feeds or reads add no line', () => {
    const r = costOf({
      Jobs: { Type: 'AWS::SQS::Queue', Properties: {} },
      Stream: fn({ ReservedConcurrentExecutions: 2 }),
      Kinesis: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: 'arn:aws:kinesis:us-east-1:1:stream/s', FunctionName: ref('Stream'), DestinationConfig: { OnFailure: { Destination: arnOf('Jobs') } } } },
      Idle: { Type: 'AWS::SQS::Queue', Properties: {} },
      Esm: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: arnOf('Jobs'), FunctionName: 'external-function', ScalingConfig: { MaximumConcurrency: 2 } } },
    });
    expect(r.components).toEqual([]);
  });
});

// ---- SageMaker endpoints ---------------------------------------------------------------------------

describe('a SageMaker endpoint at its maximum', () => {
  test("each variant's instances: a scalable target's MaxCapacity, else InitialInstanceCount", () => {
    const r = costOf({
      Config: {
        Type: 'AWS::SageMaker::EndpointConfig',
        Properties: { ProductionVariants: [
          { VariantName: 'AllTraffic', ModelName: 'm', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 3 },
          { VariantName: 'Shadow', ModelName: 'm', InstanceType: 'ml.m5.large', InitialInstanceCount: 2 },
        ] },
      },
      Endpoint: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: { 'Fn::GetAtt': ['Config', 'EndpointConfigName'] } } },
      Target: {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        Properties: { MaxCapacity: 7, MinCapacity: 1, ServiceNamespace: 'sagemaker', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', ResourceId: { 'Fn::Join': ['', ['endpoint/', { 'Fn::GetAtt': ['Endpoint', 'EndpointName'] }, '/variant/AllTraffic']] } },
      },
    });
    expect(component(r, 'Endpoint')).toEqual({
      id: 'Endpoint', label: 'endpoint Endpoint',
      lines: [
        { item: 'variant AllTraffic instances at their maximum', perHour: near(9.87), formula: '7 (scalable target Target MaxCapacity) x ml.g5.xlarge $1.41/h' }, // 7 x $1.41
        { item: 'variant Shadow instances at their maximum', perHour: near(0.23), formula: '2 (InitialInstanceCount (no autoscaling)) x ml.m5.large $0.115/h' }, // 2 x $0.115
      ],
      perHour: near(10.1), // $9.87 + $0.23
    });
  });

  test('serverless variants, unknown instance types and counts known only at deploy time', () => {
    const r = costOf({
      Config: {
        Type: 'AWS::SageMaker::EndpointConfig',
        Properties: { EndpointConfigName: 'cfg', ProductionVariants: [
          { VariantName: 'Serverless', ModelName: 'm', ServerlessConfig: { MaxConcurrency: 5, MemorySizeInMB: 3072 } },
          { VariantName: 'Param', ModelName: 'm', InstanceType: 'ml.m5.large', InitialInstanceCount: ref('CountWithDefault') },
          { VariantName: 'NoType', ModelName: 'm', InitialInstanceCount: 2 },
          { VariantName: 'RefType', ModelName: 'm', InstanceType: ref('Type'), InitialInstanceCount: 2 },
          { VariantName: 'Gpu', ModelName: 'm', InstanceType: 'ml.p5.48xlarge', InitialInstanceCount: 1 },
          { VariantName: 'Deploy', ModelName: 'm', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: ref('Count') },
        ] },
      },
      Endpoint: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: 'cfg', EndpointName: 'e' } },
    }, { parameters: { Count: { Type: 'Number' }, CountWithDefault: { Type: 'Number', Default: 4 }, Type: { Type: 'String' } } });
    expect(component(r, 'Endpoint')).toEqual({
      id: 'Endpoint', label: 'endpoint "e" (Endpoint)',
      lines: [
        // 5 x 3 GB x 3600 s x $0.00003 = $1.62
        { item: 'variant Serverless (serverless)', perHour: near(1.62), formula: '5 concurrent x 3 GB x 3600 s x $0.00003/GB-s' },
        { item: 'variant Param instances at their maximum', perHour: near(0.46), formula: '4 (InitialInstanceCount (no autoscaling)) x ml.m5.large $0.115/h' }, // 4 x $0.115
        { item: 'variant NoType', formula: '2 x ?: no price for this instance type (add it with --prices)' },
        { item: 'variant RefType', formula: '2 x ?: no price for this instance type (add it with --prices)' },
        { item: 'variant Gpu', formula: '1 x ml.p5.48xlarge: no price for this instance type (add it with --prices)' },
        { item: 'variant Deploy', formula: 'InitialInstanceCount (no autoscaling) is only known at deploy time: not priced' },
      ],
      perHour: near(2.08), // the priced lines: $1.62 + $0.46
    });
  });

  test.each([
    ['MemorySizeInMB', { MaxConcurrency: 5 }],
    ['MaxConcurrency', { MemorySizeInMB: 2048 }],
  ])('a serverless variant without %s is unbounded', (_missing, config) => {
    const r = costOf({
      Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'S', ModelName: 'm', ServerlessConfig: config }] } },
      Endpoint: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: { 'Fn::GetAtt': ['Config', 'EndpointConfigName'] } } },
    });
    expect(component(r, 'Endpoint').lines).toEqual([{ item: 'variant S (serverless)', formula: 'MaxConcurrency or MemorySizeInMB not set', unboundedBy: 'InferenceGuard-SageMakerServerlessConcurrency' }]);
    expect(component(r, 'Endpoint').perHour).toBeUndefined();
  });

  test('an endpoint config outside the template is not priced', () => {
    const r = costOf({ Endpoint: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: 'elsewhere' } } });
    expect(component(r, 'Endpoint').lines).toEqual([{ item: 'endpoint', formula: 'endpoint config not in this template: not priced' }]);
  });

  test('sums too large for a number: the component and the report read unbounded', () => {
    const config = (n: number): CfnTemplateResource => ({
      Type: 'AWS::SageMaker::EndpointConfig',
      Properties: { ProductionVariants: Array.from({ length: n }, (_, i) => ({ VariantName: `v${i}`, ModelName: 'm', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 1e308 })) },
    });
    const endpoint = (c: string): CfnTemplateResource => ({ Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: { 'Fn::GetAtt': [c, 'EndpointConfigName'] } } });
    // 1e308 x $1.41 = 1.41e308, a finite number; two of them, 2.82e308, are not.
    const two = costOf({ C: config(2), E: endpoint('C') });
    expect(component(two, 'E').lines.map((l) => l.perHour)).toEqual([near(1.41e308, -300), near(1.41e308, -300)]);
    expect(component(two, 'E').perHour).toBeUndefined();
    expect(two.perHour).toBeUndefined();
    const apart = costOf({ C1: config(1), E1: endpoint('C1'), C2: config(1), E2: endpoint('C2') });
    expect(apart.components.map((c) => c.perHour)).toEqual([near(1.41e308, -300), near(1.41e308, -300)]);
    expect(apart.perHour).toBeUndefined();
  });
});

// ---- ECS services ----------------------------------------------------------------------------------

describe('an ECS service at its maximum', () => {
  const task = (props: Record<string, unknown>): CfnTemplateResource => ({ Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'c', Image: 'i' }], ...props } });
  const service = (props: Record<string, unknown>): CfnTemplateResource => ({ Type: 'AWS::ECS::Service', Properties: { Cluster: ref('Cluster'), TaskDefinition: ref('Task'), ...props } });
  const cluster: CfnTemplateResource = { Type: 'AWS::ECS::Cluster', Properties: {} };

  test('Fargate (launch type): DesiredCount x (vCPU x price + GB x price)', () => {
    const r = costOf({ Cluster: cluster, Task: task({ Cpu: '512', Memory: '3072' }), Service: service({ LaunchType: 'FARGATE', DesiredCount: 3, ServiceName: 'model' }) });
    expect(component(r, 'Service')).toEqual({
      id: 'Service', label: 'service "model" (Service)',
      // 3 x (0.5 vCPU x $0.04 + 3 GB x $0.005) = 3 x $0.035 = $0.105
      lines: [{ item: 'Fargate tasks at their maximum', perHour: near(0.105), formula: '3 (DesiredCount (no autoscaling)) x (0.5 vCPU x $0.04 + 3 GB x $0.005)' }],
      perHour: near(0.105),
    });
  });

  test('Fargate (capacity provider): the scalable target MaxCapacity', () => {
    const r = costOf({
      Cluster: cluster, Task: task({ Cpu: 512, Memory: 3072 }),
      Service: service({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }], DesiredCount: 2 }),
      Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { MaxCapacity: 6, MinCapacity: 1, ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: { 'Fn::Join': ['/', ['service', ref('Cluster'), { 'Fn::GetAtt': ['Service', 'Name'] }]] } } },
    });
    // 6 x (0.5 x $0.04 + 3 x $0.005) = 6 x $0.035 = $0.21
    expect(component(r, 'Service').lines).toEqual([{ item: 'Fargate tasks at their maximum', perHour: near(0.21), formula: '6 (scalable target Target MaxCapacity) x (0.5 vCPU x $0.04 + 3 GB x $0.005)' }]);
  });

  test('Fargate (task compatibility), one task when no count is set', () => {
    const r = costOf({ Cluster: cluster, Task: task({ Cpu: '1024', Memory: '2048', RequiresCompatibilities: ['FARGATE'] }), Service: service({}) });
    // 1 x (1 vCPU x $0.04 + 2 GB x $0.005) = $0.05
    expect(component(r, 'Service').lines).toEqual([{ item: 'Fargate tasks at their maximum', perHour: near(0.05), formula: '1 (DesiredCount (no autoscaling)) x (1 vCPU x $0.04 + 2 GB x $0.005)' }]);
  });

  test('Fargate without task Cpu or Memory is unbounded', () => {
    const r = costOf({ Cluster: cluster, Task: task({ Cpu: '1024', RequiresCompatibilities: ['FARGATE'] }), Service: service({ DesiredCount: 2 }) });
    expect(component(r, 'Service').lines).toEqual([{ item: 'Fargate tasks', formula: 'task Cpu or Memory not set', unboundedBy: 'InferenceGuard-ECSContainerLimits' }]);
    const noCpu = costOf({ Cluster: cluster, Task: task({ Memory: '1024', RequiresCompatibilities: ['FARGATE'] }), Service: service({ DesiredCount: 2 }) });
    expect(component(noCpu, 'Service').lines[0].unboundedBy).toBe('InferenceGuard-ECSContainerLimits');
  });

  test.each([
    ['a task definition outside the template', { Service: service({ TaskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/t:1', LaunchType: 'FARGATE' }) }],
    ['a count known only at deploy time', { Task: task({ Cpu: '1024', Memory: '2048' }), Service: service({ LaunchType: 'FARGATE', DesiredCount: ref('Count') }) }],
  ])('not priced with %s', (_what, more) => {
    const r = costOf({ Cluster: cluster, ...more as Resources }, { parameters: { Count: { Type: 'Number' } } });
    expect(component(r, 'Service').lines).toEqual([{ item: 'tasks', formula: 'task definition or task count not readable: not priced' }]);
  });

  test('EC2 capacity: the Auto Scaling groups behind its capacity providers, at MaxSize', () => {
    const provider = (asg: string): CfnTemplateResource => ({ Type: 'AWS::ECS::CapacityProvider', Properties: { AutoScalingGroupProvider: { AutoScalingGroupArn: ref(asg) } } });
    const asg = (maxSize: unknown, lt?: string): CfnTemplateResource => ({ Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '0', MaxSize: maxSize, ...(lt ? { LaunchTemplate: { LaunchTemplateId: ref(lt), Version: '1' } } : {}) } });
    const lt = (type: string): CfnTemplateResource => ({ Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: type } } });
    const r = costOf({
      Cluster: cluster, Task: task({ RequiresCompatibilities: ['EC2'] }),
      Service: service({ DesiredCount: 2, CapacityProviderStrategy: [ref('Cp'), ref('Cp2'), ref('Cp3'), ref('Cp4'), 'external', 'not a map'].map((c) => (typeof c === 'string' ? c : { CapacityProvider: c })) }),
      Cp: provider('Asg'), Asg: asg('4', 'Lt'), Lt: lt('g5.xlarge'),
      Cp2: provider('Asg2'), Asg2: asg(2, 'Lt2'), Lt2: lt('g6.xlarge'),
      Cp3: provider('Asg3'), Asg3: asg(ref('Max'), 'Lt'),
      Cp4: provider('Asg4'), Asg4: asg(3),
    }, { parameters: { Max: { Type: 'Number' } } });
    expect(component(r, 'Service').lines).toEqual([
      { item: 'EC2 capacity Asg at MaxSize', perHour: near(4.024), formula: '4 x g5.xlarge $1.006/h' }, // 4 x $1.006
      { item: 'EC2 capacity Asg2', formula: 'MaxSize 2 x g6.xlarge: not priced (add the instance type with --prices)' },
      { item: 'EC2 capacity Asg3', formula: 'MaxSize ? x g5.xlarge: not priced (add the instance type with --prices)' },
      { item: 'EC2 capacity Asg4', formula: 'MaxSize 3 x ?: not priced (add the instance type with --prices)' },
    ]);
    const none = costOf({ Cluster: cluster, Task: task({}), Service: service({ LaunchType: 'EC2' }) });
    expect(component(none, 'Service').lines).toEqual([{ item: 'EC2 capacity', formula: 'no Auto Scaling group in this template: not priced' }]);
  });

  test('an instance type that is not written is not looked up (not even as a price table key "undefined")', () => {
    const odd = { ...P, sageMakerInstancePerHour: { ...P.sageMakerInstancePerHour, undefined: 9 }, ec2InstancePerHour: { ...P.ec2InstancePerHour, undefined: 9 } };
    const r = costOf({
      Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'NoType', ModelName: 'm', InitialInstanceCount: 2 }] } },
      Endpoint: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: { 'Fn::GetAtt': ['Config', 'EndpointConfigName'] } } },
      Cluster: cluster, Task: task({}), Service: service({ CapacityProviderStrategy: [{ CapacityProvider: ref('Cp') }] }),
      Cp: { Type: 'AWS::ECS::CapacityProvider', Properties: { AutoScalingGroupProvider: { AutoScalingGroupArn: ref('Asg') } } },
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '0', MaxSize: '3' } },
    }, { prices: odd });
    expect(component(r, 'Endpoint').lines).toEqual([{ item: 'variant NoType', formula: '2 x ?: no price for this instance type (add it with --prices)' }]);
    expect(component(r, 'Service').lines).toEqual([{ item: 'EC2 capacity Asg', formula: 'MaxSize 3 x ?: not priced (add the instance type with --prices)' }]);
  });

  test('a task definition no service runs has a row, and no price', () => {
    const r = costOf({ Task: task({ Cpu: '1024', Memory: '2048' }) });
    expect(r.components).toEqual([]);
    expect(r.perHour).toBe(0);
  });
});

// ---- customer-managed keys -------------------------------------------------------------------------

describe('customer-managed keys', () => {
  const key: CfnTemplateResource = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } };
  const kmsBucket = (algorithm: string): CfnTemplateResource => ({ Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: algorithm } }] } } });

  test("each key's monthly price, and the KMS requests of key-encrypted queues (per principal per reuse period)", () => {
    const r = costOf({
      Key1: key, Key2: key, Key3: key,
      Log: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: arnOf('Key1') } },
      Log2: { Type: 'AWS::Logs::LogGroup', Properties: {} },
      Log3: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: arnOf('Key2') } },
      B1: kmsBucket('aws:kms'), B2: kmsBucket('aws:kms:dsse'), B3: kmsBucket('AES256'), B4: { Type: 'AWS::S3::Bucket', Properties: {} },
      Q1: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: ref('Key1'), KmsDataKeyReusePeriodSeconds: 900 } },
      Q2: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: ref('Key2') } },
      Q3: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: 'alias/aws/sqs' } },
      Q4: { Type: 'AWS::SQS::Queue', Properties: {} },
    });
    expect(r.components).toEqual([{
      id: 'CustomerManagedKeys', label: 'customer-managed keys (security posture)',
      lines: [
        {
          item: '3 customer-managed KMS keys', perHour: near(0.00616438356, 11), // 3 x $1.50 / 730 h = $4.50 / 730
          formula: '3 x $1.5/month / 730 h; the KMS requests of 2 key-encrypted log groups and 2 buckets (made by CloudWatch Logs and S3 with a bucket key at a rate AWS does not publish) are not priced',
        },
        // Q1: 2 principals x 3600 s / 900 s = 8; Q2: 2 x 3600 / 300 (the default) = 24; 32 requests x $0.03 / 10,000 = $0.000096
        { item: 'KMS requests of 2 key-encrypted queues', perHour: near(0.000096, 12), formula: '1 queue x 2 principals x 3600 s / 900 s data-key reuse + 1 queue x 2 principals x 3600 s / 300 s data-key reuse = 32 requests x $0.03/10k' },
      ],
      perHour: near(0.00626038356, 11), // $0.00616438 + $0.000096
    }]);
  });

  test('queues sharing a reuse period are counted together; one key, one log group, one bucket', () => {
    const r = costOf({
      Key: key, B: kmsBucket('aws:kms'), Log: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: arnOf('Key') } },
      Q1: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: ref('Key') } },
      Q2: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: ref('Key'), KmsDataKeyReusePeriodSeconds: 300 } },
      Q3: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: ref('Key'), KmsDataKeyReusePeriodSeconds: 7 } },
    });
    expect(component(r, 'CustomerManagedKeys').lines).toEqual([
      // $1.50 / 730 h = $0.0020548
      { item: '1 customer-managed KMS key', perHour: near(0.00205479452, 11), formula: '1 x $1.5/month / 730 h; the KMS requests of 1 key-encrypted log group and 1 bucket (made by CloudWatch Logs and S3 with a bucket key at a rate AWS does not publish) are not priced' },
      // 2 queues x 2 x 3600 / 300 = 48, 1 x 2 x 3600 / 7 = 1028.57: 1076.57 requests x $0.03 / 10,000 = $0.00322971
      { item: 'KMS requests of 3 key-encrypted queues', perHour: near(0.00322971429, 11), formula: '2 queues x 2 principals x 3600 s / 300 s data-key reuse + 1 queue x 2 principals x 3600 s / 7 s data-key reuse = 1077 requests x $0.03/10k' },
    ]);
  });

  test('one key-encrypted queue', () => {
    const r = costOf({ Key: key, Q: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: arnOf('Key'), KmsDataKeyReusePeriodSeconds: 86_400 } } });
    // 2 principals x 3600 s / 86,400 s = 0.0833 requests x $0.03 / 10,000 = $0.00000025
    expect(component(r, 'CustomerManagedKeys').lines[1]).toEqual({ item: 'KMS requests of 1 key-encrypted queue', perHour: near(0.00000025, 14), formula: '1 queue x 2 principals x 3600 s / 86400 s data-key reuse = 0 requests x $0.03/10k' });
  });

  test('a key alone; queues encrypted by keys outside the template add nothing', () => {
    expect(costOf({ Key: key }).components).toEqual([{
      id: 'CustomerManagedKeys', label: 'customer-managed keys (security posture)',
      lines: [{ item: '1 customer-managed KMS key', perHour: near(0.00205479452, 11), formula: '1 x $1.5/month / 730 h' }], // $1.50 / 730 h
      perHour: near(0.00205479452, 11),
    }]);
    expect(costOf({ Q: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: 'arn:aws:kms:us-east-1:1:key/k' } } }).components).toEqual([]);
  });
});

// ---- the report's text, and `kig limits` --------------------------------------------------------------

describe('the cost section of a text report', () => {
  const report: CostReport = {
    region: 'eu-test-1', asOf: '2026-01-02', sources: ['a', 'b'], perHour: undefined,
    components: [
      { id: 'Api', label: 'API "svc" (Api)', perHour: 0.4662, lines: [{ item: 'API requests at the stage throttle', perHour: 0.4662, formula: 'F1' }] },
      {
        id: 'Jobs', label: 'queue Jobs', perHour: undefined,
        lines: [{ item: 'Lambda Worker', formula: 'F2', unboundedBy: 'Rule' }, { item: 'SQS requests', formula: 'F3' }, { item: 'tiny', perHour: 0.0042, formula: 'F4' }],
      },
    ],
  };
  test('plain text', () => {
    expect(renderCost(report)).toEqual([
      '  Worst-case cost per hour (eu-test-1 on-demand prices as of 2026-01-02; override with --prices FILE): unbounded',
      '    API "svc" (Api): $0.47/h',
      '      API requests at the stage throttle: $0.47/h = F1',
      '    queue Jobs: unbounded',
      '      Lambda Worker: unbounded (Rule) = F2',
      '      SQS requests: not priced = F3',
      '      tiny: $0.0042/h = F4',
      '',
      '  prices: a, b',
      '',
    ]);
  });
  test('Markdown', () => {
    expect(renderCost({ ...report, perHour: 12.345 }, true)).toEqual([
      '**Worst-case cost per hour (eu-test-1 on-demand prices as of 2026-01-02; override with --prices FILE): $12.35/h**',
      '',
      '- API "svc" (Api): **$0.47/h**',
      '  - API requests at the stage throttle: $0.47/h = F1',
      '- queue Jobs: **unbounded**',
      '  - Lambda Worker: unbounded (Rule) = F2',
      '  - SQS requests: not priced = F3',
      '  - tiny: $0.0042/h = F4',
      '',
      'Prices: a, b',
      '',
    ]);
  });
});

describe('the cost of what `kig limits` derives', () => {
  test('the API at its throttle with its two-rule web ACL and access logs, the instances at their maximum', () => {
    expect(INFERENCE_API_WAF_RULES).toBe(2);
    const c = limitsCost({ rateLimit: 37, maxInstances: 3, hardware: 'g5.xlarge' }, P);
    expect(c).toEqual({
      region: 'eu-test-1', asOf: '2026-01-02', sources: ['https://prices.example/a', 'https://prices.example/b'],
      components: [
        {
          id: 'api', label: 'InferenceApi',
          lines: [
            { item: 'API requests at the stage throttle', perHour: near(0.4662), formula: '37 rps x 3600 s x $3.5/M' }, // 133,200 x $3.50/M
            // ($5 + 2 x $2) / 730 h = $0.0123288 + 37 x 3600 x $0.60/M = $0.07992: $0.0922488
            { item: 'WAF web ACL', perHour: near(0.0922487671), formula: '($5 + 2 rules x $2) / 730 h + 37 rps x $0.6/M (managed rule groups not counted)' },
            // 37 x 1024 B = 37,888 B/s x 3600 s = 0.1363968 GB x $0.50 = $0.0681984
            { item: 'access logs', perHour: near(0.0681984), formula: '37 rps x 1024 B x $0.5/GB' },
          ],
          perHour: near(0.6266471671), // $0.4662 + $0.0922488 + $0.0681984
        },
        // 3 x $1.006 (an EC2 type, for ECS on EC2)
        { id: 'backend', label: 'Backend', lines: [{ item: 'instances at their maximum', perHour: near(3.018), formula: '3 (scaling.maxInstances) x g5.xlarge $1.006/h' }], perHour: near(3.018) },
      ],
      perHour: near(3.6446471671), // $0.6266472 + $3.018
    });
  });
  test('a SageMaker price first; an instance type without a price leaves the backend and the total unpriced', () => {
    const both = { ...P, ec2InstancePerHour: { ...P.ec2InstancePerHour, 'ml.m5.large': 0.5 } };
    expect(limitsCost({ rateLimit: 37, maxInstances: 3, hardware: 'ml.m5.large' }, both).components[1].lines).toEqual([
      { item: 'instances at their maximum', perHour: near(0.345), formula: '3 (scaling.maxInstances) x ml.m5.large $0.115/h' }, // 3 x $0.115
    ]);
    const c = limitsCost({ rateLimit: 37, maxInstances: 3, hardware: 'x1.32xlarge' }, P);
    expect(c.components[1]).toEqual({ id: 'backend', label: 'Backend', perHour: undefined, lines: [{ item: 'instances at their maximum', formula: '3 x x1.32xlarge: no price for this instance type (add it with --prices)' }] });
    expect(c.perHour).toBeUndefined();
  });
});
