import { ALBWAFRateLimit, LambdaAPITimeout, LambdaConcurrencyCap, LambdaFunctionURLAuth, LambdaLogRetention, SQSWorkerVisibilityTimeout } from '../../../lib/nag/rules';
import { OutcomeDetail, RuleStatus } from '../../../lib/nag/rule';
import { check, expectCompliant, expectFindings, expectNotApplicable, getAtt, ref, Resources } from '../support';

const fn = (props: Record<string, unknown> = {}): Resources => ({
  Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: '*' }] } }] } },
  Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.h', Code: { ZipFile: 'x' }, Role: getAtt('Role', 'Arn'), ...props } },
});
const restMethod = (timeout?: number): Resources => ({
  Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'a' } },
  Post: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: ref('Api'), HttpMethod: 'POST', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations' }, ...(timeout ? { TimeoutInMillis: timeout } : {}) } } },
});
const httpIntegration: Resources = {
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
  Int: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: ref('Http'), IntegrationType: 'AWS_PROXY', IntegrationUri: getAtt('Fn', 'Arn') } },
};
const url = (auth: string): Resources => ({ Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: auth, TargetFunctionArn: getAtt('Fn', 'Arn') } } });

const publicUrl = (principal: unknown = '*', action = 'lambda:InvokeFunctionUrl'): Resources => ({
  UrlPublic: { Type: 'AWS::Lambda::Permission', Properties: { Action: action, FunctionName: getAtt('Fn', 'Arn'), Principal: principal, FunctionUrlAuthType: 'NONE' } },
});

describe('InferenceGuard-LambdaFunctionURLAuth', () => {
  test('compliant: AWS_IAM', () => expectCompliant(check(LambdaFunctionURLAuth, { ...fn(), ...url('AWS_IAM') }, 'Url')));
  test('non-compliant: NONE with a permission for "*", naming the permission and the only cap left', () => {
    expectFindings(check(LambdaFunctionURLAuth, { ...fn(), ...url('NONE'), ...publicUrl() }, 'Url'), /function URL Url \(function Fn\) AuthType = NONE, and Lambda::Permission UrlPublic grants lambda:InvokeFunctionUrl to "\*" \(open to anyone on the internet\): allowed AWS_IAM; the only cap on callers now is none: the function has no reserved concurrency/);
    expectFindings(check(LambdaFunctionURLAuth, { ...fn({ ReservedConcurrentExecutions: 5 }), ...url('NONE'), ...publicUrl({ AWS: '*' }, 'lambda:*') }, 'Url'), /reserved concurrency 5 of function Fn/);
  });
  test('compliant: NONE without a public permission answers 403 to everyone, and says so', () => {
    const o = check(LambdaFunctionURLAuth, { ...fn(), ...url('NONE') }, 'Url');
    expectCompliant(o);
    expect(o.findings[0]).toMatch(/AuthType NONE, but no AWS::Lambda::Permission in this template grants lambda:InvokeFunctionUrl to principal "\*" on function Fn: every call gets 403/);
    // A permission for one account, or for another action, does not open the URL.
    expectCompliant(check(LambdaFunctionURLAuth, { ...fn(), ...url('NONE'), ...publicUrl('111111111111') }, 'Url'));
    expectCompliant(check(LambdaFunctionURLAuth, { ...fn(), ...url('NONE'), ...publicUrl('*', 'lambda:GetFunction') }, 'Url'));
  });
});

describe('InferenceGuard-LambdaConcurrencyCap', () => {
  test('compliant: reserved concurrency on a function behind a REST API, an HTTP API or a URL', () => {
    expectCompliant(check(LambdaConcurrencyCap, { ...fn({ ReservedConcurrentExecutions: 10 }), ...restMethod() }, 'Fn'));
    expectCompliant(check(LambdaConcurrencyCap, { ...fn({ ReservedConcurrentExecutions: 10 }), ...httpIntegration }, 'Fn'));
  });
  test('non-compliant: uncapped (says it calls SageMaker); 0 turns the function off', () => {
    expectFindings(check(LambdaConcurrencyCap, { ...fn(), ...url('AWS_IAM') }, 'Fn'), /function Fn \(invoked by function URL Url and calls SageMaker InvokeEndpoint\) ReservedConcurrentExecutions = absent/);
    expectFindings(check(LambdaConcurrencyCap, { ...fn({ ReservedConcurrentExecutions: 0 }), ...restMethod() }, 'Fn'), /= 0: allowed at least 1/);
  });
  test('not applicable: not invoked by an API or URL (SQS consumers have their own rule)', () => {
    expectNotApplicable(check(LambdaConcurrencyCap, fn(), 'Fn'));
  });
});

describe('InferenceGuard-LambdaAPITimeout', () => {
  test('compliant: 20 s inside 28 s; the 3 s default inside the 29 s default reads default', () => {
    expectCompliant(check(LambdaAPITimeout, { ...fn({ Timeout: 20 }), ...restMethod(28000) }, 'Fn'));
    const d = check(LambdaAPITimeout, { ...fn(), ...restMethod() }, 'Fn');
    expect([d.status, d.detail]).toEqual([RuleStatus.COMPLIANT, OutcomeDetail.DEFAULT]);
  });
  test('non-compliant (wrong): 40 s behind the 30 s HTTP API default; 60 s behind 29 s REST', () => {
    const http = check(LambdaAPITimeout, { ...fn({ Timeout: 40 }), ...httpIntegration }, 'Fn');
    expectFindings(http, /function Fn \(calls SageMaker\) Timeout = 40 s: allowed at most the HTTP integration Int timeout 30000 ms \(default\)/);
    expect(http.detail).toBe(OutcomeDetail.WRONG);
    expectFindings(check(LambdaAPITimeout, { ...fn({ Timeout: 60 }), ...restMethod() }, 'Fn'), /REST integration Post timeout 29000 ms \(default\). Fix: lower the function timeout to 29 s or less/);
  });
  test('not applicable: no API integration', () => expectNotApplicable(check(LambdaAPITimeout, fn({ Timeout: 60 }), 'Fn')));
});

describe('InferenceGuard-ALBWAFRateLimit', () => {
  const lb = (props: Record<string, unknown> = {}): Resources => ({ Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Subnets: ['s'], ...props } } });
  test('compliant: a web ACL associated with the load balancer', () => {
    expectCompliant(check(ALBWAFRateLimit, { ...lb(), Assoc: { Type: 'AWS::WAFv2::WebACLAssociation', Properties: { ResourceArn: ref('Lb'), WebACLArn: 'arn:aws:wafv2:x' } } }, 'Lb'));
  });
  test('non-compliant: internet-facing (the default scheme) without a web ACL', () => {
    expectFindings(check(ALBWAFRateLimit, lb(), 'Lb'), /internet-facing load balancer Lb web ACL = none associated/);
  });
  test('not applicable: internal, or a network load balancer', () => {
    expectNotApplicable(check(ALBWAFRateLimit, lb({ Scheme: 'internal' }), 'Lb'));
    expectNotApplicable(check(ALBWAFRateLimit, lb({ Type: 'network' }), 'Lb'));
  });
});

describe('InferenceGuard-SQSWorkerVisibilityTimeout', () => {
  const worker = (queue: Record<string, unknown>): Resources => ({
    Jobs: { Type: 'AWS::SQS::Queue', Properties: queue },
    TaskRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
    Consume: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'c', Roles: [ref('TaskRole')], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: getAtt('Jobs', 'Arn') }] } } },
    Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { TaskRoleArn: getAtt('TaskRole', 'Arn'), ContainerDefinitions: [] } },
    Svc: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: ref('Task') } },
  });
  test('compliant: the queue sets its visibility timeout', () => expectCompliant(check(SQSWorkerVisibilityTimeout, worker({ VisibilityTimeout: 600 }), 'Svc')));
  test('non-compliant: the 30 s default', () => {
    expectFindings(check(SQSWorkerVisibilityTimeout, worker({}), 'Svc'), /queue Jobs \(consumed by ECS service Svc\) VisibilityTimeout = absent \(the 30 s default\)/);
  });
  test('not applicable: the task role receives from no queue', () => {
    const r = worker({});
    delete r.Consume;
    expectNotApplicable(check(SQSWorkerVisibilityTimeout, r, 'Svc'));
  });
});

describe('InferenceGuard-LambdaLogRetention', () => {
  const logs = (props: Record<string, unknown>): Resources => ({ Logs: { Type: 'AWS::Logs::LogGroup', Properties: props } });
  test('non-compliant: no declared log group (Lambda creates /aws/lambda/<name> without a retention)', () => {
    expectFindings(check(LambdaLogRetention, fn(), 'Fn'), /function Fn log group = its implicit log group \/aws\/lambda\/<Fn name>, created by Lambda without a retention \(logs never expire\)/);
    expectFindings(check(LambdaLogRetention, { ...fn(), ...logs({ LogGroupName: { 'Fn::Sub': '/aws/lambda/${Fn}' } }) }, 'Fn'), /function Fn log group Logs RetentionInDays = absent/);
  });
  test('compliant: the implicit group declared with a retention, or LoggingConfig.LogGroup naming one', () => {
    expectCompliant(check(LambdaLogRetention, { ...fn(), ...logs({ LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', ref('Fn')]] }, RetentionInDays: 30 }) }, 'Fn'));
    expectCompliant(check(LambdaLogRetention, { ...fn({ FunctionName: 'predict' }), ...logs({ LogGroupName: '/aws/lambda/predict', RetentionInDays: 30 }) }, 'Fn'));
    expectCompliant(check(LambdaLogRetention, { ...fn({ LoggingConfig: { LogGroup: ref('Logs') } }), ...logs({ RetentionInDays: 30 }) }, 'Fn'));
  });
});
