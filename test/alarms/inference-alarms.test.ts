import { Match } from 'aws-cdk-lib/assertions';
import { alarmsByMetric } from '../support/alarms';
import { serviceStack } from '../support/stacks';

describe('InferenceAlarms', () => {
  const { template, service } = serviceStack();
  const t = service.limits.alarms;

  /** Finds the alarm on `metricName` (plain or labelled metric form) and checks threshold, actions and metric fields. */
  const alarm = (metricName: string, threshold: number, extra: Record<string, unknown> = {}, t2 = template) => {
    const found = alarmsByMetric(t2).filter((a) => a.metricName === metricName);
    expect(found).toHaveLength(1);
    const p = found[0].props;
    expect(p.Threshold).toBe(threshold);
    expect(p.AlarmActions).toHaveLength(1);
    expect(p.OKActions).toHaveLength(1);
    const stat = p.Metrics?.[0]?.MetricStat;
    const flat = { Namespace: p.Namespace ?? stat?.Metric?.Namespace, ExtendedStatistic: p.ExtendedStatistic ?? stat?.Stat, ComparisonOperator: p.ComparisonOperator };
    expect(flat).toMatchObject(extra);
  };

  test('API alarms with thresholds from the limits', () => {
    alarm('5XXError', t.api5xxRate, { Namespace: 'AWS/ApiGateway' });
    alarm('4XXError', t.api4xxRate);
    alarm('Latency', t.apiLatencyP99Ms, { ExtendedStatistic: 'p99' });
    alarm('IntegrationLatency', t.integrationLatencyP99Ms, { ExtendedStatistic: 'p99' });
    alarm('ThrottledRequests', t.throttledPerMinute, { Namespace: 'KerasInferenceGuard' });
    alarm('BlockedRequests', t.wafBlockedPerMinute, { Namespace: 'AWS/WAFV2' });
  });

  test('SageMaker alarms, utilization scaled by vCPUs and GPUs of ml.g5.xlarge (4 vCPU, 1 GPU)', () => {
    alarm('Invocation5XXErrors', t.backend5xxPerMinute, { ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    alarm('ModelLatency', t.modelLatencyP99Micros, { ExtendedStatistic: 'p99' });
    alarm('CPUUtilization', t.cpuUtilizationPercent * 4, { Namespace: '/aws/sagemaker/Endpoints' });
    alarm('MemoryUtilization', t.memoryUtilizationPercent);
    alarm('GPUUtilization', t.gpuUtilizationPercent);
    // TF Serving reserves nearly all GPU memory at start (no fraction with one server process): not alarmed.
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('GPUMemoryUtilization');
  });

  test('instance count at the scaling max, derived from invocations metrics', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 3.5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 10,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(ipi > 0, inv / ipi, 0)' })]),
    });
  });

  test('composite under-attack alarm and a dashboard', () => {
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0];
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    expect(rule).toContain('ThrottledSpike');
    expect(rule).toContain('WafBlocked');
    expect(rule).toContain('InstancesAtMax');
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('the alarm topic only accepts TLS publishers', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('overrides win over derived thresholds', () => {
    const { template: t2 } = serviceStack({ alarmThresholds: { apiLatencyP99Ms: 1234, cpuUtilizationPercent: 50 } });
    alarm('Latency', 1234, {}, t2);
    alarm('CPUUtilization', 200, {}, t2);
  });
});
