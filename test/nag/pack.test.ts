import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { InferenceGuardChecks, recordExtendedIntegrationTimeout } from '../../lib/nag';
import { loadTemplate, reviewTemplate } from '../../lib/review';

function pairs(report: PolicyValidationPluginReport): string[] {
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${v.severity} ${r.constructPath}`)).sort();
}

/** A small worker app written with L2 constructs the way the docs show them, with every mitigation on. */
function guardedApp(): { app: App; stack: Stack; queue: sqs.Queue; dlq: sqs.Queue; api: apigw.RestApi } {
  const app = new App();
  const stack = new Stack(app, 'Guarded');
  const dlq = new sqs.Queue(stack, 'Dlq', { retentionPeriod: Duration.days(14) });
  const queue = new sqs.Queue(stack, 'Jobs', { visibilityTimeout: Duration.seconds(180), deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  const fn = new lambda.Function(stack, 'Worker', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'), timeout: Duration.seconds(30),
    logGroup: new logs.LogGroup(stack, 'WorkerLogs', { retention: logs.RetentionDays.TWO_WEEKS }),
  });
  fn.addEventSource(new SqsEventSource(queue, { maxConcurrency: 5, reportBatchItemFailures: true }));
  const ops = new sns.Topic(stack, 'Ops');
  dlq.metricApproximateNumberOfMessagesVisible().createAlarm(stack, 'DlqDepth', { threshold: 0, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD })
    .addAlarmAction(new cwActions.SnsAction(ops));
  const api = new apigw.RestApi(stack, 'Api', {
    restApiName: 'jobs', endpointTypes: [apigw.EndpointType.REGIONAL], cloudWatchRole: false,
    deployOptions: {
      throttlingRateLimit: 20, throttlingBurstLimit: 40,
      accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(stack, 'AccessLogs', { retention: logs.RetentionDays.TWO_WEEKS })),
    },
  });
  const model = api.addModel('Body', { contentType: 'application/json', schema: { type: apigw.JsonSchemaType.OBJECT } });
  api.root.addMethod('POST', new apigw.MockIntegration(), {
    apiKeyRequired: true, requestModels: { 'application/json': model }, requestValidatorOptions: { validateRequestBody: true, validateRequestParameters: true },
  });
  api.addUsagePlan('Plan', { throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 1000, period: apigw.Period.DAY }, apiStages: [{ api, stage: api.deploymentStage }] });
  api.metricServerError().createAlarm(stack, 'Api5xx', { threshold: 1, evaluationPeriods: 1 }).addAlarmAction(new cwActions.SnsAction(ops));
  const acl = new wafv2.CfnWebACL(stack, 'Acl', {
    scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'acl', sampledRequestsEnabled: true },
    rules: [{ name: 'per-ip', priority: 0, action: { block: {} }, statement: { rateBasedStatement: { limit: 100, aggregateKeyType: 'IP' } }, visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'r', sampledRequestsEnabled: true } }],
  });
  new wafv2.CfnWebACLAssociation(stack, 'AclAssociation', { resourceArn: api.deploymentStage.stageArn, webAclArn: acl.attrArn });
  return { app, stack, queue, dlq, api };
}

describe('InferenceGuardChecks (cdk-nag 3 pack)', () => {
  test('a fully guarded L2 app has no findings', () => {
    const { app } = guardedApp();
    const report = new InferenceGuardChecks(app).validateScope(app);
    expect(pairs(report)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('findings name the rule, level and construct path', () => {
    const app = new App();
    const stack = new Stack(app, 'Bare');
    const dlq = new sqs.Queue(stack, 'Dlq', { retentionPeriod: Duration.days(1) });
    new sqs.Queue(stack, 'Jobs', { deadLetterQueue: { queue: dlq, maxReceiveCount: 50 } });
    const report = new InferenceGuardChecks(app).validateScope(app);
    expect(pairs(report)).toEqual([
      'InferenceGuard-AlarmDLQDepth warning Bare/Dlq/Resource',
      'InferenceGuard-SQSDeadLetterQueue error Bare/Jobs/Resource',
      'InferenceGuard-SQSDeadLetterRetention error Bare/Jobs/Resource',
    ]);
    expect(report.violations.find((v) => v.ruleName === 'InferenceGuard-SQSDeadLetterQueue')?.description).toMatch(/maxReceiveCount.*Fix:/);
  });

  test('Validations.acknowledge silences a rule on a construct and its children', () => {
    const { app, stack, dlq } = guardedApp();
    stack.node.tryRemoveChild('DlqDepth');
    expect(pairs(new InferenceGuardChecks(app).validateScope(app))).toEqual(['InferenceGuard-AlarmDLQDepth warning Guarded/Dlq/Resource']);
    Validations.of(dlq).acknowledge({ id: 'InferenceGuard-AlarmDLQDepth', reason: 'DLQ depth alarms live in the monitoring stack' });
    expect(pairs(new InferenceGuardChecks(app).validateScope(app))).toEqual([]);
  });

  test('excludeRules drops rules for the whole app; unknown ids are refused', () => {
    const { app, stack } = guardedApp();
    stack.node.tryRemoveChild('Api5xx');
    expect(pairs(new InferenceGuardChecks(app, { excludeRules: ['InferenceGuard-AlarmAPI5XX'] }).validateScope(app))).toEqual([]);
    expect(() => new InferenceGuardChecks(app, { excludeRules: ['InferenceGuard-Nope'] })).toThrow(/excludeRules = \["InferenceGuard-Nope"\]: allowed rule ids of this pack: InferenceGuard-APIStageThrottling/);
  });

  test('recordExtendedIntegrationTimeout lets a Regional API use a raised timeout, never an edge one', () => {
    const build = (endpointType: apigw.EndpointType, record: boolean) => {
      const app = new App();
      const stack = new Stack(app, 'Slow');
      const api = new apigw.RestApi(stack, 'Api', {
        endpointTypes: [endpointType], cloudWatchRole: false,
        deployOptions: { throttlingRateLimit: 1, throttlingBurstLimit: 1, accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(stack, 'AccessLogs', { retention: logs.RetentionDays.TWO_WEEKS })) },
      });
      api.root.addMethod('GET', new apigw.HttpIntegration('https://model.example.com', { options: { timeout: Duration.seconds(90) } }));
      if (record) recordExtendedIntegrationTimeout(api, 'quota increase granted for slow batch models');
      const rules = ['InferenceGuard-APIWAFRateLimit', 'InferenceGuard-AlarmAPI5XX', 'InferenceGuard-APIRequestValidation'];
      return pairs(new InferenceGuardChecks(app, { excludeRules: rules }).validateScope(app));
    };
    expect(build(apigw.EndpointType.REGIONAL, false)).toEqual(['InferenceGuard-APIIntegrationTimeout error Slow/Api/Default/GET/Resource']);
    expect(build(apigw.EndpointType.REGIONAL, true)).toEqual([]);
    expect(build(apigw.EndpointType.EDGE, true)).toEqual(['InferenceGuard-APIIntegrationTimeout error Slow/Api/Default/GET/Resource']);
    const app = new App();
    expect(() => recordExtendedIntegrationTimeout(new apigw.RestApi(new Stack(app, 'S'), 'Api'), ' ')).toThrow(/reason = " ": allowed a non-empty reason/);
  });

  test('registered as a plugin, findings fail synth, land in policy-validation-report.json, and the bare rule id acknowledges them', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-nag-'));
    try {
      const app = new App({ outdir, context: { '@aws-cdk/core:validationReportJson': true } });
      const stack = new Stack(app, 'Bare');
      const queue = new sqs.Queue(stack, 'Jobs');
      Validations.of(app).addPlugins(new InferenceGuardChecks(app));
      expect(() => app.synth()).toThrow(/Bare\/Jobs\/Resource[\s\S]*InferenceGuard-SQSDeadLetterQueue/);
      expect(fs.readFileSync(path.join(outdir, 'policy-validation-report.json'), 'utf8')).toContain('InferenceGuard-SQSDeadLetterQueue');

      Validations.of(queue).acknowledge({ id: 'InferenceGuard-SQSDeadLetterQueue', reason: 'results queue: a failed write is retried by the producer' });
      const again = new App({ outdir, context: { '@aws-cdk/core:validationReportJson': true } });
      const stack2 = new Stack(again, 'Bare');
      Validations.of(new sqs.Queue(stack2, 'Jobs')).acknowledge({ id: 'InferenceGuard-SQSDeadLetterQueue', reason: 'results queue: a failed write is retried by the producer' });
      Validations.of(again).addPlugins(new InferenceGuardChecks(again));
      expect(() => again.synth()).not.toThrow();
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the pack and review share their rules', () => {
  test('acknowledgements written to the template (writeSuppressionsToCloudFormation) are honoured by kig review', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-ack-'));
    try {
      const { app, stack, dlq } = guardedApp();
      stack.node.tryRemoveChild('DlqDepth');
      Validations.of(dlq).acknowledge({ id: 'InferenceGuard-AlarmDLQDepth', reason: 'DLQ depth alarms live in the monitoring stack' });
      new InferenceGuardChecks(app, { writeSuppressionsToCloudFormation: true });
      const assembly = app.synth({ force: true });
      fs.cpSync(assembly.directory, outdir, { recursive: true });
      const { kig } = await import('../review/support');
      const r = await kig(['review', outdir, '-f', 'json', '--fail-on', 'warning']);
      const report = JSON.parse(r.stdout);
      expect(report.templates[0].findings).toEqual([]);
      expect(report.templates[0].acknowledged).toMatchObject([{ ruleId: 'InferenceGuard-AlarmDLQDepth', acknowledged: 'DLQ depth alarms live in the monitoring stack' }]);
      expect(r.code).toBe(0);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  const dir = path.join(__dirname, '..', 'review', 'fixtures');
  for (const file of fs.readdirSync(dir).filter((f) => /\.(json|ya?ml)$/.test(f)).sort()) {
    test(`${file}: the pack on the included template finds what review finds`, () => {
      const loaded = loadTemplate(path.join(dir, file), dir);
      const fromReview = [...new Set(reviewTemplate(loaded).findings.map((f) => `${f.ruleId} ${f.level} Fixture/Template/${f.resource}`))].sort();
      const app = new App();
      const stack = new Stack(app, 'Fixture');
      new CfnInclude(stack, 'Template', { templateFile: path.join(dir, file) });
      const report = new InferenceGuardChecks(app).validateScope(app);
      expect(pairs(report)).toEqual(fromReview);
      expect(fromReview.length).toBeGreaterThan(0);
    });
  }
});

describe('HTTP APIs and function URLs in a CDK app', () => {
  test('the pack and kig review report the same HTTP API and function URL findings', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-http-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Http');
      const fn = new lambda.Function(stack, 'Predict', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'), timeout: Duration.seconds(40),
        logGroup: new logs.LogGroup(stack, 'PredictLogs', { retention: logs.RetentionDays.TWO_WEEKS }),
      });
      const api = new apigwv2.HttpApi(stack, 'Api', { apiName: 'predict-http' });
      api.addRoutes({ path: '/predict', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Predict', fn) });
      fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      const report = new InferenceGuardChecks(app).validateScope(app);
      const fromPack = pairs(report).map((p) => p.split(' ')[0]);
      expect([...new Set(fromPack)].sort()).toEqual([
        'InferenceGuard-APIAccessLogging', 'InferenceGuard-AlarmEntryPoint',
        'InferenceGuard-HTTPAPIEdgeProtection', 'InferenceGuard-HTTPAPIRouteAuthorization', 'InferenceGuard-HTTPAPIStageThrottling',
        'InferenceGuard-LambdaAPITimeout', 'InferenceGuard-LambdaConcurrencyCap', 'InferenceGuard-LambdaFunctionURLAuth',
      ]);
      const assembly = app.synth();
      const { kig } = await import('../review/support');
      const r = await kig(['review', assembly.directory, '-f', 'json']);
      const fromReview = JSON.parse(r.stdout).templates[0].findings.map((f: { ruleId: string }) => f.ruleId);
      expect([...new Set<string>(fromReview)].sort()).toEqual([...new Set(fromPack)].sort());
      expect(r.code).toBe(1);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
