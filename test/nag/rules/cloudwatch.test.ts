import { AlarmAPI5XX, AlarmActions, AlarmComputeHealth, AlarmDLQDepth, AlarmEntryPoint, LogGroupRetention } from '../../../lib/nag/rules';
import { OutcomeDetail } from '../../../lib/nag/rule';
import { check, expectCompliant, expectFindings, expectNotApplicable, getAtt, ref, Resources } from '../support';

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ops';
const alarm = (metric: string, dims: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Resources => ({
  Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: metric, Dimensions: dims, Threshold: 0, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [TOPIC], ...extra } },
});
const queues: Resources = {
  Dlq: { Type: 'AWS::SQS::Queue' },
  Jobs: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 3 } } },
};

describe('InferenceGuard-AlarmDLQDepth', () => {
  test('compliant: alarm on the DLQ depth (GetAtt QueueName, as CDK writes it); metric-math form', () => {
    expectCompliant(check(AlarmDLQDepth, { ...queues, ...alarm('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: getAtt('Dlq', 'QueueName') }]) }, 'Dlq'));
    const math: Resources = { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [TOPIC], Metrics: [{ Id: 'm', MetricStat: { Metric: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: getAtt('Dlq', 'QueueName') }] }, Period: 60, Stat: 'Maximum' } }] } } };
    expectCompliant(check(AlarmDLQDepth, { ...queues, ...math }, 'Dlq'));
  });
  test('non-compliant: no alarm; an alarm on the source queue instead', () => {
    expectFindings(check(AlarmDLQDepth, queues, 'Dlq'), /dead-letter queue Dlq depth alarm = absent/);
    expectFindings(check(AlarmDLQDepth, { ...queues, ...alarm('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: getAtt('Jobs', 'QueueName') }]) }, 'Dlq'), /absent/);
  });
  test('wrong: an alarm with no action, with actions disabled, or always in ALARM (>= 0 on a count) does not count as present', () => {
    const dims = [{ Name: 'QueueName', Value: getAtt('Dlq', 'QueueName') }];
    const silent = check(AlarmDLQDepth, { ...queues, ...alarm('ApproximateNumberOfMessagesVisible', dims, { AlarmActions: undefined }) }, 'Dlq');
    expectFindings(silent, /depth alarm Alarm = no AlarmActions, so nobody is notified/);
    expect(silent.detail).toBe(OutcomeDetail.WRONG);
    expectFindings(check(AlarmDLQDepth, { ...queues, ...alarm('ApproximateNumberOfMessagesVisible', dims, { ActionsEnabled: false }) }, 'Dlq'), /ActionsEnabled is false/);
    expectFindings(check(AlarmDLQDepth, { ...queues, ...alarm('ApproximateNumberOfMessagesVisible', dims, { ComparisonOperator: 'GreaterThanOrEqualToThreshold' }) }, 'Dlq'),
      /GreaterThanOrEqualToThreshold 0 holds for every value, so the alarm is always in ALARM/);
  });
  test('not applicable: not a DLQ', () => {
    expectNotApplicable(check(AlarmDLQDepth, queues, 'Jobs'));
  });
});

describe('InferenceGuard-AlarmAPI5XX', () => {
  const api: Resources = { Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'orders' } } };
  test('compliant: 5XXError with ApiName of the API', () => {
    expectCompliant(check(AlarmAPI5XX, { ...api, ...alarm('5XXError', [{ Name: 'ApiName', Value: 'orders' }]) }, 'Api'));
  });
  test('non-compliant: no alarm; a 4XX alarm only', () => {
    expectFindings(check(AlarmAPI5XX, api, 'Api'), /API "orders" \(Api\) 5XXError alarm = absent/);
    expectFindings(check(AlarmAPI5XX, { ...api, ...alarm('4XXError', [{ Name: 'ApiName', Value: 'orders' }]) }, 'Api'), /absent/);
  });
});

describe('InferenceGuard-AlarmComputeHealth', () => {
  const endpoint: Resources = { Ep: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: 'cfg', EndpointName: 'mnist' } } };
  const service: Resources = { Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: 'c' } } };
  test('compliant: an alarm with the endpoint name (literal or GetAtt); a service alarm on ServiceName', () => {
    expectCompliant(check(AlarmComputeHealth, { ...endpoint, ...alarm('ModelLatency', [{ Name: 'EndpointName', Value: 'mnist' }, { Name: 'VariantName', Value: 'AllTraffic' }]) }, 'Ep'));
    expectCompliant(check(AlarmComputeHealth, { ...endpoint, ...alarm('ApproximateBacklogSize', [{ Name: 'EndpointName', Value: getAtt('Ep', 'EndpointName') }]) }, 'Ep'));
    expectCompliant(check(AlarmComputeHealth, { ...service, ...alarm('CPUUtilization', [{ Name: 'ClusterName', Value: 'c' }, { Name: 'ServiceName', Value: getAtt('Svc', 'Name') }]) }, 'Svc'));
  });
  test('non-compliant: no alarm; an alarm on another endpoint', () => {
    expectFindings(check(AlarmComputeHealth, endpoint, 'Ep'), /SageMaker endpoint "mnist" \(Ep\) alarms = absent/);
    expectFindings(check(AlarmComputeHealth, { ...endpoint, ...alarm('ModelLatency', [{ Name: 'EndpointName', Value: 'other' }]) }, 'Ep'), /absent/);
    expectFindings(check(AlarmComputeHealth, service, 'Svc'), /ECS service \(Svc\) alarms = absent/);
  });
});

describe('InferenceGuard-LogGroupRetention', () => {
  test('compliant: retention set', () => {
    expectCompliant(check(LogGroupRetention, { Lg: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } } }, 'Lg'));
  });
  test('non-compliant: no retention', () => {
    expectFindings(check(LogGroupRetention, { Lg: { Type: 'AWS::Logs::LogGroup' } }, 'Lg'), /RetentionInDays = absent \(logs never expire\)/);
  });
});

describe('InferenceGuard-AlarmActions', () => {
  const alarm = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'ApproximateAgeOfOldestMessage', Namespace: 'AWS/SQS', Threshold: 300, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', ...props } });
  test('non-compliant: an alarm with no actions, on anything (a queue-age alarm of a queue-processing service)', () => {
    expectFindings(check(AlarmActions, { A: alarm() }, 'A'), /alarm A AlarmActions = absent: allowed an action run when the alarm fires/);
    const disabled = check(AlarmActions, { A: alarm({ AlarmActions: ['arn:aws:sns:us-east-1:1:t'], ActionsEnabled: false }) }, 'A');
    expectFindings(disabled, /alarm A ActionsEnabled = false/);
    expect(disabled.detail).toBe(OutcomeDetail.WRONG);
  });
  test('compliant: an action; not applicable: a child of a composite alarm', () => {
    expectCompliant(check(AlarmActions, { A: alarm({ AlarmActions: ['arn:aws:sns:us-east-1:1:t'] }) }, 'A'));
    expectNotApplicable(check(AlarmActions, { A: alarm(), C: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: { 'Fn::Sub': 'ALARM(${A})' }, AlarmActions: ['arn:aws:sns:us-east-1:1:t'] } } }, 'A'));
  });
});

describe('InferenceGuard-AlarmEntryPoint', () => {
  const action = { AlarmActions: ['arn:aws:sns:us-east-1:1:t'] };
  const alarmOn = (dimension: string, value: unknown, extra: Record<string, unknown> = action) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'M', Namespace: 'N', Dimensions: [{ Name: dimension, Value: value }], Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', ...extra } });
  const http: Resources = { Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP', Name: 'h' } } };
  const alb: Resources = { Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing' } } };
  const fnWithUrl: Resources = {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'direct', Runtime: 'python3.12', Handler: 'a.h', Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::1:role/r' } },
    Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'AWS_IAM', TargetFunctionArn: getAtt('Fn', 'Arn') } },
  };
  test('non-compliant (missing, not n/a): an HTTP API, a function URL, an ALB without alarms', () => {
    expectFindings(check(AlarmEntryPoint, http, 'Api'), /HTTP API Api alarms = absent: allowed an alarm on AWS\/ApiGateway 5xx/);
    expectFindings(check(AlarmEntryPoint, fnWithUrl, 'Fn'), /function with a URL Fn alarms = absent/);
    expectFindings(check(AlarmEntryPoint, alb, 'Lb'), /internet-facing load balancer Lb alarms = absent/);
  });
  test('compliant: alarms on each with the right dimension; wrong when the alarm cannot notify', () => {
    expectCompliant(check(AlarmEntryPoint, { ...http, A: alarmOn('ApiId', ref('Api')) }, 'Api'));
    expectCompliant(check(AlarmEntryPoint, { ...fnWithUrl, A: alarmOn('FunctionName', 'direct') }, 'Fn'));
    expectCompliant(check(AlarmEntryPoint, { ...alb, A: alarmOn('LoadBalancer', getAtt('Lb', 'LoadBalancerFullName')) }, 'Lb'));
    expect(check(AlarmEntryPoint, { ...alb, A: alarmOn('LoadBalancer', getAtt('Lb', 'LoadBalancerFullName'), {}) }, 'Lb').detail).toBe(OutcomeDetail.WRONG);
  });
  test('not applicable: a function without a URL, an internal ALB', () => {
    expectNotApplicable(check(AlarmEntryPoint, { Fn: fnWithUrl.Fn }, 'Fn'));
    expectNotApplicable(check(AlarmEntryPoint, { Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal' } } }, 'Lb'));
  });
});
