import { App, Stack, aws_cloudwatch as cw } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { serviceStack } from '../support/stacks';
import { createGuardAlarm } from '../../lib/alarms/alarm-factory';
import { METRIC_CATALOG, catalogMetric } from '../../lib/alarms/metric-catalog';
import { alarmsOf, catalogProblems, exampleTemplates, restProblems } from './template-alarms';

const examples = exampleTemplates();

describe('every alarm of every example', () => {
  test.each(examples.map((e) => [e.name, e] as const))('%s: reads catalog metrics, in the catalog unit', (_name, e) => {
    const alarms = e.templates.flatMap((t) => alarmsOf(t.stack, t.template));
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms.flatMap(catalogProblems)).toEqual([]);
  });

  test.each(examples.map((e) => [e.name, e] as const))('%s: is quiet in the designed steady state', (_name, e) => {
    const alarms = e.templates.flatMap((t) => alarmsOf(t.stack, t.template));
    expect(alarms.flatMap(restProblems)).toEqual([]);
  });
});

describe('the checks catch the defects they exist for', () => {
  const alarmIn = (build: (s: Stack) => void) => {
    const stack = new Stack(new App(), 'S');
    build(stack);
    return alarmsOf('S', Template.fromStack(stack).toJSON())[0];
  };

  test('an async failure alarm with EndpointName alone matches no catalog entry', () => {
    const a = alarmIn((s) => new cw.Alarm(s, 'A', {
      metric: new cw.Metric({ namespace: 'AWS/SageMaker', metricName: 'InvocationFailures', dimensionsMap: { EndpointName: 'e' }, statistic: 'Sum' }),
      threshold: 0, evaluationPeriods: 1,
    }));
    expect(catalogProblems(a).join('\n')).toContain('AWS/SageMaker InvocationFailures [EndpointName] is not in the metric catalog');
  });

  test('an alarm built without the factory is reported', () => {
    const a = alarmIn((s) => new cw.Alarm(s, 'A', { metric: catalogMetric(METRIC_CATALOG.smInvocation5xx, { EndpointName: 'e', VariantName: 'v' }), threshold: 1, evaluationPeriods: 1 }));
    expect(catalogProblems(a).join('\n')).toContain('not built by the alarm factory');
  });

  test('GPUReservation >= 100 % is breached at rest (one GPU per task, target capacity 100 %)', () => {
    const a = alarmIn((s) => createGuardAlarm(s, 'A', {
      metric: catalogMetric(METRIC_CATALOG.ecsCapacityProviderReservation, { ClusterName: 'c', CapacityProviderName: 'p' }, { statistic: 'Minimum' }),
      threshold: 100, unit: 'Percent', evaluationPeriods: 3, comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: 'd', atRest: { value: 100, basis: 'target capacity' },
    }));
    expect(restProblems(a).join('\n')).toContain('breached at rest');
  });

  test('a percent threshold given as a share is out of range, and a fraction given in percent too', () => {
    const a = alarmIn((s) => createGuardAlarm(s, 'A', {
      metric: catalogMetric(METRIC_CATALOG.api5xx, { ApiName: 'a', Stage: 'prod' }, { statistic: 'Average' }),
      threshold: 5, unit: 'Fraction', evaluationPeriods: 1, description: 'd', atRest: { value: 0, basis: 'b' },
    }));
    expect(catalogProblems(a).join('\n')).toContain('is not a share');
  });

  test('the factory refuses a threshold in another unit than the metric (ModelLatency is in microseconds)', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => createGuardAlarm(stack, 'A', {
      metric: catalogMetric(METRIC_CATALOG.smModelLatency, { EndpointName: 'e', VariantName: 'v' }, { statistic: 'p99' }),
      threshold: 180, unit: 'Milliseconds', evaluationPeriods: 1, description: 'd', atRest: { value: 120, basis: 'p99' },
    })).toThrow(/ALARM_UNIT_MISMATCH[\s\S]*Microseconds/);
  });

  test('a catalog metric refuses a dimension set AWS does not publish', () => {
    expect(() => catalogMetric(METRIC_CATALOG.smAsyncInvocationFailures, { EndpointName: 'e' })).toThrow(/exactly \[EndpointName, VariantName\]/);
  });

  test('the NVIDIA memory metrics are sizes in MB (published with no CloudWatch unit), not counts', () => {
    for (const e of [METRIC_CATALOG.gpuMemoryUsed, METRIC_CATALOG.gpuMemoryTotal]) {
      expect(Object.values(e.statistics)).toEqual(['Megabytes', 'Megabytes']);
      expect(e.source).toMatch(/CloudWatch-Agent-NVIDIA-GPU\.html.*no CloudWatch Unit.*memory_total and memory_used in MB/);
    }
  });

  test('serverless MemoryUtilization: the instance namespace, EndpointName and VariantName, percent, from the serverless monitoring page', () => {
    const e = METRIC_CATALOG.smServerlessMemory;
    expect([e.namespace, e.metricName, [...e.dimensions]]).toEqual(['/aws/sagemaker/Endpoints', 'MemoryUtilization', ['EndpointName', 'VariantName']]);
    expect(e.statistics.Maximum).toBe('Percent');
    expect(e.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/sagemaker\/latest\/dg\/serverless-endpoints-monitoring\.html/);
  });

  test('every catalog entry names its source and at least one statistic', () => {
    for (const [k, e] of Object.entries(METRIC_CATALOG)) {
      expect([k, e.source.length > 20]).toEqual([k, true]);
      expect(Object.keys(e.statistics).length).toBeGreaterThan(0);
    }
  });
});

test('a threshold override that is breached at rest is a synth warning', () => {
  const { service, stack } = serviceStack({ alarmThresholds: { cpuUtilizationPercent: 50 } });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('CpuUtilization: threshold 200 Percent is breached in the designed steady state'));
  expect(warnings).toHaveLength(1);
  expect(service.backend.alarms.all.map((a) => a.node.id)).toContain('CpuUtilization');
});
