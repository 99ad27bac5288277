import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_cloudwatch as cw, aws_cloudwatch_actions as cwActions, aws_sagemaker as sagemaker, aws_sns as sns } from 'aws-cdk-lib';
import { InferenceGuardChecks } from '../../lib/nag';
import { runKig } from '../support/cli';

/** An endpoint in one stack, its alarm in another stack of the same app (a monitoring stack). */
function app(withAlarm: boolean): App {
  const a = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kig-cross-stack-')) });
  const backend = new Stack(a, 'Backend');
  const endpoint = new sagemaker.CfnEndpoint(backend, 'Endpoint', { endpointConfigName: 'config' });
  const monitoring = new Stack(a, 'Monitoring');
  if (withAlarm) {
    new cw.Alarm(monitoring, 'Errors', {
      metric: new cw.Metric({ namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors', dimensionsMap: { EndpointName: endpoint.attrEndpointName, VariantName: 'AllTraffic' }, statistic: 'Sum' }),
      threshold: 1, evaluationPeriods: 1,
    }).addAlarmAction(new cwActions.SnsAction(new sns.Topic(monitoring, 'Alarms')));
  } else {
    new cw.Alarm(monitoring, 'Other', { metric: new cw.Metric({ namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensionsMap: { QueueName: 'q' } }), threshold: 1, evaluationPeriods: 1 });
  }
  a.synth();
  return a;
}

const computeHealth = (a: App) => new InferenceGuardChecks(a).validateScope(a).violations
  .filter((v) => v.ruleName.endsWith('AlarmComputeHealth')).flatMap((v) => v.violatingResources.map((r) => r.constructPath));

test('an alarm kept in another stack of the app counts for the endpoint it watches', () => {
  expect(computeHealth(app(true))).toEqual([]);
});

test('without such an alarm the endpoint is still reported', () => {
  expect(computeHealth(app(false))).toEqual(['Backend/Endpoint']);
});

test('kig review of the cdk.out agrees with the pack', async () => {
  for (const withAlarm of [true, false]) {
    const a = app(withAlarm);
    const r = await runKig(['review', a.outdir, '--format', 'json']);
    const report = JSON.parse(r.stdout);
    const findings = report.templates.flatMap((t: { findings: Array<{ ruleId: string; resource: string }> }) => t.findings)
      .filter((f: { ruleId: string }) => f.ruleId.endsWith('AlarmComputeHealth')).map((f: { resource: string }) => f.resource);
    expect(findings).toEqual(withAlarm ? [] : ['Endpoint']);
  }
}, 60_000);
