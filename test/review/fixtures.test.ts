import * as path from 'path';
import { loadTemplate, reviewTemplate, MitigationMark } from '../../lib/review';

const dir = path.join(__dirname, 'fixtures');
const review = (file: string) => reviewTemplate(loadTemplate(path.join(dir, file), dir));
/** `rule resource xN` for each failing rule/resource pair, sorted. */
const findings = (file: string) => {
  const counts = new Map<string, number>();
  for (const f of review(file).findings) counts.set(`${f.ruleId} ${f.resource}`, (counts.get(`${f.ruleId} ${f.resource}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} x${n}`).sort();
};

describe('review on templates that reproduce common real setups', () => {
  test('an empty usage plan: four missing limits on the plan, nothing else', () => {
    expect(findings('empty-usage-plan.json')).toEqual(['InferenceGuard-APIUsagePlanLimits UsagePlan x4']);
    const row = review('empty-usage-plan.json').components.find((c) => c.id === 'Api')!;
    expect(row.mitigations['rate limiting'].mark).toBe(MitigationMark.MISSING);
    // No TimeoutInMillis: the 29 s platform default, shown as such rather than as a choice.
    expect(row.mitigations.timeouts.mark).toBe(MitigationMark.DEFAULT);
  });

  test('no DLQ (YAML with short forms): the missing redrive policy only', () => {
    expect(findings('no-dlq.yaml')).toEqual(['InferenceGuard-SQSDeadLetterQueue Jobs x1']);
    const row = review('no-dlq.yaml').components.find((c) => c.id === 'Jobs')!;
    expect(row.mitigations['queue management'].mark).toBe(MitigationMark.MISSING);
    expect(row.mitigations['resource limits'].mark).toBe(MitigationMark.PRESENT);
  });

  test('no alarms: the API 5XX alarm and the DLQ depth alarm', () => {
    expect(findings('no-alarms.json')).toEqual(['InferenceGuard-AlarmAPI5XX Api x1', 'InferenceGuard-AlarmDLQDepth JobsDlq x1']);
    const r = review('no-alarms.json');
    expect(r.components.map((c) => [c.label, c.mitigations.alarms.mark])).toEqual([
      ['API "jobs-api" (Api)', MitigationMark.MISSING],
      ['queue Jobs', MitigationMark.MISSING],
    ]);
  });

  test('the 29 s default on an edge-optimized API: 60 s refused on EDGE, SageMaker and the 20 s ALB cut first', () => {
    expect(findings('edge-29s-default.json')).toEqual([
      'InferenceGuard-APIIntegrationTimeout PredictPost x1',
      'InferenceGuard-APITimeoutChain DetectPost x1',
      'InferenceGuard-APITimeoutChain PredictPost x1',
    ]);
    const chain = review('edge-29s-default.json').findings.find((f) => f.resource === 'DetectPost')!;
    expect(chain.message).toMatch(/29000 ms \(the default when TimeoutInMillis is absent\): allowed less than 20000 ms/);
  });

  test('ECS containers with only a soft memory reservation: both containers, GPU count present; no service alarms', () => {
    expect(findings('ecs-soft-memory.json')).toEqual(['InferenceGuard-AlarmComputeHealth ModelService x1', 'InferenceGuard-ECSContainerLimits ModelTask x2']);
    const row = review('ecs-soft-memory.json').components.find((c) => c.id === 'ModelService')!;
    expect(row.mitigations['resource limits'].results.filter((r) => r.ruleId !== 'InferenceGuard-LogGroupRetention').map((r) => [r.ruleId, r.status])).toEqual([
      ['InferenceGuard-ECSContainerLimits', 'non-compliant'],
      ['InferenceGuard-ECSGPUCount', 'compliant'],
    ]);
  });

  test('async scaling on a metric async endpoints do not publish (YAML)', () => {
    // The only alarm-like thing in this setup is the scaling policy, so the endpoint has no alarms either.
    expect(findings('async-invocations-scaling.yaml')).toEqual(['InferenceGuard-AlarmComputeHealth AsyncEndpoint x1', 'InferenceGuard-SageMakerAsyncScalingMetric InvocationsScaling x1']);
    const row = review('async-invocations-scaling.yaml').components.find((c) => c.id === 'AsyncEndpoint')!;
    expect(row.mitigations['queue management'].mark).toBe(MitigationMark.MISSING);
    expect(row.mitigations['resource limits'].mark).toBe(MitigationMark.PRESENT);
  });

  test('each finding points at the line of its resource', () => {
    const f = review('no-dlq.yaml').findings[0];
    expect(f.line).toBe(10);
  });

  test('HTTP API -> Lambda -> SageMaker with every protection; a function URL with AuthType NONE is open to anyone', () => {
    // Peers' gaps review now covers: access logs, alarms on the HTTP API and the URL, and the
    // implicit /aws/lambda/<name> log groups that never expire.
    expect(findings('http-api-lambda.yaml')).toEqual([
      'InferenceGuard-APIAccessLogging Stage x1', 'InferenceGuard-AlarmEntryPoint Api x1', 'InferenceGuard-AlarmEntryPoint Direct x1',
      'InferenceGuard-LambdaFunctionURLAuth DirectUrl x1', 'InferenceGuard-LambdaLogRetention Direct x1', 'InferenceGuard-LambdaLogRetention Predict x1',
    ]);
    const r = review('http-api-lambda.yaml');
    expect(r.components.map((c) => [c.label, ...Object.values(c.mitigations).map((m) => m.mark)])).toEqual([
      // Alarms read missing, not n/a: an HTTP API and a function URL can be watched.
      ['HTTP API "predict-http" (Api)', 'missing', 'present', 'present', 'n/a', 'missing'],
      ['function Direct (function URL)', 'missing', 'n/a', 'missing', 'n/a', 'missing'],
    ]);
    expect(r.findings.find((f) => f.ruleId === 'InferenceGuard-LambdaFunctionURLAuth')!.message).toMatch(/AuthType = NONE, and Lambda::Permission DirectUrlPublic grants lambda:InvokeFunctionUrl to "\*" \(open to anyone on the internet\): allowed AWS_IAM; the only cap on callers now is reserved concurrency 5 of function Direct/);
  });

  test('queue verdicts: equal DLQ retention, maxReceiveCount 15 and an always-in-ALARM silent alarm read wrong, not missing', () => {
    expect(findings('verdicts-queue.yaml')).toEqual([
      'InferenceGuard-AlarmActions DlqDepth x1', 'InferenceGuard-AlarmDLQDepth JobsDlq x1', 'InferenceGuard-LambdaLogRetention Worker x1',
      'InferenceGuard-SQSDeadLetterQueue Jobs x1', 'InferenceGuard-SQSDeadLetterRetention Jobs x1',
    ]);
    const row = review('verdicts-queue.yaml').components.find((c) => c.id === 'Jobs')!;
    expect(row.mitigations['queue management'].mark).toBe(MitigationMark.WRONG);
    expect(row.mitigations.alarms.mark).toBe(MitigationMark.WRONG);
    expect(review('verdicts-queue.yaml').findings.find((f) => f.ruleId.endsWith('AlarmDLQDepth'))!.message)
      .toMatch(/no AlarmActions, so nobody is notified; GreaterThanOrEqualToThreshold 0 holds for every value, so the alarm is always in ALARM/);
  });

  test('API verdicts: an unused usage plan is not an error, GET is validated, a silent 5XX alarm is wrong, the default timeout reads default, log retention is a resource limit', () => {
    expect(findings('verdicts-api.yaml')).toEqual([
      'InferenceGuard-APIRequestValidation SearchGet x2', 'InferenceGuard-AlarmAPI5XX Api x1', 'InferenceGuard-AlarmActions Api5xx x1', 'InferenceGuard-LogGroupRetention AccessLogs x1',
    ]);
    const row = review('verdicts-api.yaml').components[0];
    expect(Object.values(row.mitigations).map((m) => m.mark)).toEqual(['missing', 'default', 'present', 'n/a', 'wrong']);
    expect(row.mitigations['resource limits'].results.map((x) => x.ruleId)).toContain('InferenceGuard-LogGroupRetention');
    expect(row.mitigations['rate limiting'].results.map((x) => x.ruleId)).not.toContain('InferenceGuard-APIUsagePlanLimits');
  });

  test('ECS verdicts: an internet-facing ALB without WAF gets a row; the queue worker\'s default visibility timeout is checked', () => {
    expect(findings('verdicts-ecs.yaml')).toEqual([
      'InferenceGuard-ALBAccessLogging Lb x1', 'InferenceGuard-ALBWAFRateLimit Lb x1', 'InferenceGuard-AlarmComputeHealth Service x1', 'InferenceGuard-AlarmDLQDepth JobsDlq x1', 'InferenceGuard-AlarmEntryPoint Lb x1',
      'InferenceGuard-SQSWorkerVisibilityTimeout Service x1',
    ]);
    const r = review('verdicts-ecs.yaml');
    expect(r.components.map((c) => [c.label, c.mitigations.timeouts.mark, c.mitigations['rate limiting'].mark])).toEqual([
      ['queue Jobs', 'missing', 'n/a'], ['service Service', 'missing', 'n/a'], ['internet-facing load balancer Lb', 'n/a', 'missing'],
    ]);
  });
});
