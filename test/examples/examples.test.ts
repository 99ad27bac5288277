import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { InferenceGuardChecks } from '../../lib/nag';
import { runKig } from '../support/cli';
import { EXAMPLES, removeSynthesizedExamples, synthesizeExample } from '../support/examples';
import { readmeCostTotal } from '../support/readme-cost';

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

  test('AwsSolutions and Serverless packs report no unacknowledged findings', () => {
    const { app } = example();
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    expect(new ServerlessChecks(app).validateScope(app).violations).toEqual([]);
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

  test('cfn-lint passes on every template', () => {
    const templates = example().assembly.stacks.map((s) => s.templateFullPath);
    expect(templates.length).toBeGreaterThan(0);
    execFileSync('cfn-lint', templates, { stdio: 'pipe' });
  });

  test('the InferenceGuard pack reports no errors, and exactly the known warnings', () => {
    const { app } = example();
    const violations = new InferenceGuardChecks(app).validateScope(app).violations;
    expect(violations.filter((v) => v.severity === 'error').map((v) => v.ruleName)).toEqual([]);
    const warnings = violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
    expect(warnings).toEqual(KNOWN_WARNINGS[name] ?? []);
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
