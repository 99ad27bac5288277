import { AlarmAPI5XX, AlarmComputeHealth, AlarmDLQDepth, LogGroupRetention, OutcomeDetail } from '../../../lib/nag';
import { check, expectCompliant, expectFindings, expectNotApplicable, getAtt, Resources } from '../support';

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
