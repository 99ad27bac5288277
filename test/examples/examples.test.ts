import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { checkAwsConstraints } from '../../lib/compute/private/aws-constraints';
import { InferenceGuardChecks } from '../../lib/nag';
import { cfnLint } from '../support/cfn-lint';
import { runKig } from '../support/cli';
import { EXAMPLES, removeSynthesizedExamples, synthesizeExample } from '../support/examples';
import { readmeCostTotal } from '../support/readme-cost';
import { renderRunbook } from '../../lib/runbook/render';
import { validateLogsInsightsQuery } from '../../lib/runbook/private/logs-insights';

/**
 * Every example app synthesizes with its rule packs applied, with zero unacknowledged findings;
 * every template passes cfn-lint; the InferenceGuard pack and `kig review` of the cdk.out agree.
 * Each example is synthesized once (the slow part) and every check reads that one result.
 */

/**
 * Warning-level findings an example still has, by example: real gaps to close (add the alarm or
 * acknowledge it with a reason), listed here so the pack and the review are held to exactly these.
 * Remove an entry when the gap is closed; the test fails if a listed finding disappears or a new one appears.
 */
const KNOWN_WARNINGS: Record<string, string[]> = {};

afterAll(() => removeSynthesizedExamples());

describe.each(EXAMPLES)('example %s', (name) => {
  const example = () => synthesizeExample(name);

  test('synthesizes with every rule pack passing', () => {
    const report = JSON.parse(fs.readFileSync(path.join(example().outdir, 'policy-validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  test('AwsSolutions, Serverless, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs report no unacknowledged findings', () => {
    const { app } = example();
    for (const pack of [new AwsSolutionsChecks(app), new ServerlessChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)]) {
      expect({ pack: pack.name, violations: pack.validateScope(app).violations }).toEqual({ pack: pack.name, violations: [] });
    }
  });

  test('every compliance acknowledgement names its rule and a reason of its own', () => {
    const { app } = example();
    for (const c of app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type !== 'aws:cdk:acknowledged-rules') continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          if (!/(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+$/.test(id)) continue;
          // A reason is about the resource: it is not a bare restatement of the rule, and it is long enough to say why.
          expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(/^.{60,}$/s) });
        }
      }
    }
  });

  test('every acknowledgement states a specific reason', () => {
    const { app } = example();
    const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    const reasons: string[] = [];
    for (const c of app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type === 'aws:cdk:acknowledged-rules') reasons.push(...Object.values(m.data as Record<string, string>));
      }
    }
    expect(stacks.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r.length).toBeGreaterThan(40);
  });

  test('cfn-lint passes on every template', async () => {
    const templates = example().assembly.stacks.map((s) => s.templateFullPath);
    expect(templates.length).toBeGreaterThan(0);
    expect(await cfnLint(templates)).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  test('every template follows the AWS constraint table (what AWS requires for each resource to create)', () => {
    const stacks = example().assembly.stacks;
    expect(stacks.length).toBeGreaterThan(0);
    for (const s of stacks) expect([s.stackName, checkAwsConstraints(s.template)]).toEqual([s.stackName, []]);
  });

  test('the InferenceGuard pack reports no errors, and exactly the known warnings', () => {
    const { app } = example();
    const violations = new InferenceGuardChecks(app).validateScope(app).violations;
    expect(violations.filter((v) => v.severity === 'error').map((v) => v.ruleName)).toEqual([]);
    const warnings = violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
    expect(warnings).toEqual(KNOWN_WARNINGS[name] ?? []);
  });

  test('the runbook covers every alarm with three checks and a limit; its queries parse against log groups the stack creates', () => {
    for (const stack of example().assembly.stacks) {
      const t = stack.template as Parameters<typeof renderRunbook>[0];
      const runbook = renderRunbook(t, stack.stackName);
      const alarms = Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm').map(([id]) => id).sort();
      expect(runbook.sections.map((s) => s.alarmLogicalId).sort()).toEqual(alarms);
      // The Lambda worker's log group: the function of the queue's event source mapping.
      const workers = Object.values(t.Resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
        .map((m) => (t.Resources[(m.Properties as { FunctionName: { Ref: string } }).FunctionName.Ref].Properties as { LoggingConfig: { LogGroup: { Ref: string } } }).LoggingConfig.LogGroup.Ref);
      for (const section of runbook.sections) {
        expect({ id: section.alarmLogicalId, checks: section.checks.length }).toEqual({ id: section.alarmLogicalId, checks: 3 });
        // The alarm's own metric at the period it is evaluated over (the reconciler's errors: 5 minutes).
        const props = t.Resources[section.alarmLogicalId].Properties as { Period?: number; Metrics?: Array<{ MetricStat?: { Period: number } }> };
        const period = props.Period ?? props.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period;
        if (period !== undefined) expect({ id: section.alarmLogicalId, what: section.checks[0].what }).toEqual({ id: section.alarmLogicalId, what: expect.stringContaining(`at ${period / 60}-minute resolution`) });
        // A math expression's metrics are shown under the names the expression uses.
        const own = section.checks[0].metric ?? '';
        const math = /^(.*) where (.*)$/.exec(own);
        if (math) {
          const ids = math[2].split('; ').map((part) => part.split(' = ')[0]);
          for (const name of math[1].match(/[A-Za-z_][A-Za-z0-9_]*/g)!.filter((w) => !/^[A-Z]+$/.test(w))) expect({ id: section.alarmLogicalId, name, ids }).toEqual({ id: section.alarmLogicalId, name, ids: expect.arrayContaining([name]) });
        }
        for (const check of section.checks.filter((c) => c.what.startsWith('Whether the worker keeps up') && workers.length > 0)) {
          expect({ id: section.alarmLogicalId, logGroup: check.query?.logGroup, isWorkers: workers.includes(check.query?.logGroup ?? '') })
            .toEqual({ id: section.alarmLogicalId, logGroup: check.query?.logGroup, isWorkers: true });
        }
        expect(section.limit.command).toMatch(/^kig (limits|profile) /);
        expect(runbook.markdown).toContain(`<a id="${section.anchor}"></a>`);
        for (const check of section.checks) {
          if (!check.query) continue;
          const group = runbook.logGroups.find((g) => g.logicalId === check.query!.logGroup);
          expect(t.Resources[check.query.logGroup]?.Type).toBe('AWS::Logs::LogGroup');
          expect(() => validateLogsInsightsQuery(check.query!.text, group!.fields)).not.toThrow();
        }
      }
    }
  });

  test('kig runbook of the cdk.out prints what the synthesis wrote beside each service\'s template', async () => {
    const { assembly, outdir } = example();
    const r = await runKig(['runbook', outdir]);
    expect(r.code).toBe(0);
    const written = assembly.stacks.map((s) => path.join(outdir, `${s.id}.runbook.md`)).filter((f) => fs.existsSync(f));
    // Every example builds a KerasInferenceService except the one composed from the parts.
    expect(written.length).toBe(name === 'ecs-gpu' ? 0 : assembly.stacks.length);
    for (const f of written) expect(r.stdout).toContain(fs.readFileSync(f, 'utf8'));
  });

  test('kig review of the cdk.out passes (exit 0) with no mitigation missing beyond the known warnings', async () => {
    const r = await runKig(['review', example().outdir, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary.errors).toBe(0);
    expect(report.summary.warnings).toBe((KNOWN_WARNINGS[name] ?? []).length);
    expect(report.templates.flatMap((t: { components: unknown[] }) => t.components).length).toBeGreaterThan(0);
    // The worst case per hour is the README's figure for this example (its cost table).
    const perHour = report.templates.reduce((s: number, t: { cost?: { perHour?: number } }) => s + (t.cost?.perHour ?? Number.NaN), 0);
    expect([name, `$${perHour.toFixed(2)}`]).toEqual([name, readmeCostTotal(name)]);
  });
});

// What the ECS example must contain (the single-service builder is tested in ecs-gpu.test.ts).
describe('examples/ecs-gpu', () => {
  const template = () => Template.fromJSON(synthesizeExample('ecs-gpu').assembly.getStackByName('KerasEcsGpuExample').template);

  test('synthesizes the sync service and the async worker on one cluster', () => {
    const t = template();
    t.resourceCountIs('AWS::ECS::Service', 2);
    t.resourceCountIs('AWS::ECS::Cluster', 1);
    t.resourceCountIs('AWS::ECS::CapacityProvider', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    t.resourceCountIs('AWS::ApiGatewayV2::VpcLink', 1);
  });

  test('the guarded POST /predict goes through the VPC link v2 to the internal ALB', () => {
    const t = template();
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      Integration: Match.objectLike({
        Type: 'HTTP_PROXY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: { Ref: Match.stringLikeRegexp('InferenceVpcLink') },
        IntegrationTarget: { Ref: Match.stringLikeRegexp('InferenceLoadBalancer') },
        TimeoutInMillis: 6000,
      }),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '60' }]),
    });
  });
});

// The regulated examples resolve what the standard posture acknowledges: no acknowledgement of these
// rules anywhere in them (access-log buckets aside, which log delivery writes with SSE-S3).
describe.each(['sagemaker-regulated', 'ecs-regulated'])('regulated example %s', (name) => {
  const RESOLVED = ['SNSEncryptedKMS', 'CloudWatchLogGroupEncrypted', 'DynamoDBInBackupPlan', 'IAMNoInlinePolicy', 'S3BucketVersioningEnabled',
    'ELBDeletionProtectionEnabled', 'ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired', 'ELBLoggingEnabled', 'SageMakerEndpointConfigurationKMSKeyConfigured'];
  const template = () => Template.fromJSON(synthesizeExample(name).assembly.stacks[0].template);

  test('acknowledges none of the findings the regulated posture resolves', () => {
    const acknowledged = synthesizeExample(name).app.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data as object)));
    for (const rule of RESOLVED) expect(acknowledged.filter((id) => id.endsWith(`-${rule}`))).toEqual([]);
  });

  test('encrypts every topic, log group, queue and table with the customer-managed key, and has no inline policy', () => {
    const t = template();
    t.resourceCountIs('AWS::IAM::Policy', 0);
    expect(Object.keys(t.findResources('AWS::IAM::ManagedPolicy')).length).toBeGreaterThan(0);
    const keyRef = { 'Fn::GetAtt': [expect.stringMatching(/EncryptionKey/), 'Arn'] };
    for (const [type, prop] of [['AWS::SNS::Topic', 'KmsMasterKeyId'], ['AWS::Logs::LogGroup', 'KmsKeyId'], ['AWS::SQS::Queue', 'KmsMasterKeyId']] as const) {
      const resources = Object.values(t.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r.Properties[prop]).toEqual(type === 'AWS::Logs::LogGroup' ? keyRef : expect.anything());
    }
    t.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }) });
    t.resourceCountIs('AWS::Backup::BackupPlan', 1);
    t.resourceCountIs('AWS::KMS::Key', 1);
  });
});

test('regulated SageMaker: the EBS-only instance type gets the key for its storage volume', () => {
  const t = Template.fromJSON(synthesizeExample('sagemaker-regulated').assembly.stacks[0].template);
  t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EncryptionKey'), 'Arn'] } });
});

test('regulated ECS: HTTPS listener with the certificate, access logs, deletion protection, functions in the VPC', () => {
  const t = Template.fromJSON(synthesizeExample('ecs-regulated').assembly.stacks[0].template);
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:') }] });
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }, { Key: 'access_logs.s3.enabled', Value: 'true' }]),
  });
  t.hasResourceProperties('AWS::ApiGateway::Method', { Integration: Match.objectLike({ Uri: Match.stringLikeRegexp('^https://inference\\.internal\\.example\\.com:443/') }) });
  // Admission, worker, status and the dead-letter reconciler.
  const functions = Object.values(t.findResources('AWS::Lambda::Function'));
  expect(functions.length).toBe(4);
  for (const f of functions) expect(f.Properties.VpcConfig).toBeDefined();
});
