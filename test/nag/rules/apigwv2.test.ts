import { HTTPAPIEdgeProtection, HTTPAPIIntegrationTimeout, HTTPAPIRouteAuthorization, HTTPAPIStageThrottling } from '../../../lib/nag/rules';
import { OutcomeDetail, RuleStatus } from '../../../lib/nag/rule';
import { check, expectCompliant, expectFindings, expectNotApplicable, getAtt, ref, Resources } from '../support';

const api = (props: Record<string, unknown> = {}): Resources => ({ Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'predict', ProtocolType: 'HTTP', ...props } } });
const ws: Resources = { Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'chat', ProtocolType: 'WEBSOCKET' } } };

describe('InferenceGuard-HTTPAPIStageThrottling', () => {
  const stage = (settings?: Record<string, unknown>): Resources => ({ Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: ref('Api'), StageName: '$default', ...(settings ? { DefaultRouteSettings: settings } : {}) } } });
  test('compliant: rate and burst on the default route settings', () => {
    expectCompliant(check(HTTPAPIStageThrottling, { ...api(), ...stage({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }) }, 'Stage'));
  });
  test('non-compliant: absent (missing); above the account limit (wrong)', () => {
    expectFindings(check(HTTPAPIStageThrottling, { ...api(), ...stage() }, 'Stage'), /ThrottlingRateLimit = absent/, /ThrottlingBurstLimit = absent/);
    const high = check(HTTPAPIStageThrottling, { ...api(), ...stage({ ThrottlingRateLimit: 20000, ThrottlingBurstLimit: 100 }) }, 'Stage');
    expectFindings(high, /ThrottlingRateLimit = 20000: allowed above 0 and at most the account limit 10000 rps/);
    expect(high.detail).toBe(OutcomeDetail.WRONG);
  });
  test('not applicable: a WebSocket API stage', () => {
    expectNotApplicable(check(HTTPAPIStageThrottling, { ...ws, ...stage() }, 'Stage'));
  });
});

describe('InferenceGuard-HTTPAPIIntegrationTimeout', () => {
  const integration = (t?: number): Resources => ({ Int: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: ref('Api'), IntegrationType: 'AWS_PROXY', IntegrationUri: 'arn:aws:lambda:us-east-1:1:function:f', ...(t !== undefined ? { TimeoutInMillis: t } : {}) } } });
  test('compliant: 29 s; default (absent, 30 s) reads as the default', () => {
    expectCompliant(check(HTTPAPIIntegrationTimeout, { ...api(), ...integration(29000) }, 'Int'));
    const d = check(HTTPAPIIntegrationTimeout, { ...api(), ...integration() }, 'Int');
    expect([d.status, d.detail]).toEqual([RuleStatus.COMPLIANT, OutcomeDetail.DEFAULT]);
  });
  test('non-compliant: above the 30 s ceiling, below 50 ms', () => {
    expectFindings(check(HTTPAPIIntegrationTimeout, { ...api(), ...integration(60000) }, 'Int'), /TimeoutInMillis = 60000 ms: allowed 50-30000 ms \(HTTP APIs cannot be extended\)/);
    expectFindings(check(HTTPAPIIntegrationTimeout, { ...api(), ...integration(10) }, 'Int'), /10 ms/);
  });
});

describe('InferenceGuard-HTTPAPIRouteAuthorization', () => {
  const route = (auth?: string): Resources => ({ Route: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: ref('Api'), RouteKey: 'POST /predict', ...(auth ? { AuthorizationType: auth } : {}) } } });
  test('compliant: JWT or a Lambda authorizer', () => {
    expectCompliant(check(HTTPAPIRouteAuthorization, { ...api(), ...route('JWT') }, 'Route'));
    expectCompliant(check(HTTPAPIRouteAuthorization, { ...api(), ...route('CUSTOM') }, 'Route'));
  });
  test('non-compliant: NONE, or absent (NONE by default)', () => {
    expectFindings(check(HTTPAPIRouteAuthorization, { ...api(), ...route('NONE') }, 'Route'), /route "POST \/predict" \(Route\) AuthorizationType = NONE/);
    expectFindings(check(HTTPAPIRouteAuthorization, { ...api(), ...route() }, 'Route'), /= NONE/);
  });
});

describe('InferenceGuard-HTTPAPIEdgeProtection', () => {
  const distribution = (acl: boolean): Resources => ({
    Dist: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Enabled: true, ...(acl ? { WebACLId: 'arn:aws:wafv2:us-east-1:1:global/webacl/a/1' } : {}), Origins: [{ Id: 'api', DomainName: { 'Fn::Select': [1, { 'Fn::Split': ['//', getAtt('Api', 'ApiEndpoint')] }] } }] } } },
  });
  test('compliant: CloudFront with a web ACL in front and the execute-api endpoint disabled', () => {
    expectCompliant(check(HTTPAPIEdgeProtection, { ...api({ DisableExecuteApiEndpoint: true }), ...distribution(true) }, 'Api'));
  });
  test('non-compliant: nothing in front (WAF cannot be attached); a distribution without ACL; the endpoint still open (wrong)', () => {
    expectFindings(check(HTTPAPIEdgeProtection, api(), 'Api'), /per-client limit = none \(WAF cannot be attached to an HTTP API\)/);
    expectFindings(check(HTTPAPIEdgeProtection, { ...api(), ...distribution(false) }, 'Api'), /CloudFront distribution Dist has no WebACLId/);
    const open = check(HTTPAPIEdgeProtection, { ...api(), ...distribution(true) }, 'Api');
    expectFindings(open, /DisableExecuteApiEndpoint = false \(the execute-api URL bypasses the distribution\)/);
    expect(open.detail).toBe(OutcomeDetail.WRONG);
  });
  test('not applicable: a WebSocket API', () => {
    expectNotApplicable(check(HTTPAPIEdgeProtection, ws, 'Api'));
  });
});
