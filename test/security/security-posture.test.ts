import { App, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic, EcsCapacity, EcsInferenceService, Limits, ModelServer, ModelSource, SecurityPosture } from '../../lib';
import { TemplateModel } from '../../lib/nag/template/template-model';
import { DEFAULT_PRICES } from '../../lib/review';
import { templateCost } from '../../lib/review/cost';
import { problemsOf } from '../support/errors';
import { profile } from '../support/profiles';
import { serviceStack } from '../support/stacks';

describe('SecurityPosture', () => {
  test('a part takes the posture alone: a regulated AlarmTopic gets the customer-managed key, a standard one none', () => {
    const stack = new Stack(new App(), 'S');
    new AlarmTopic(stack, 'Regulated', { security: SecurityPosture.regulated() });
    new AlarmTopic(stack, 'Standard');
    const topics = Object.values(Template.fromStack(stack).findResources('AWS::SNS::Topic'));
    expect(topics.map((t) => t.Properties.KmsMasterKeyId !== undefined).sort()).toEqual([false, true]);
  });

  test('one key per stack, with the CloudWatch Logs and CloudWatch alarm grants in its policy; a given key is used as is', () => {
    const { template } = serviceStack({ security: SecurityPosture.regulated(), jobQueue: {} });
    template.resourceCountIs('AWS::KMS::Key', 1);
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const principals = JSON.stringify(key.Properties.KeyPolicy.Statement.map((s: { Principal: unknown }) => s.Principal));
    expect(principals).toContain('cloudwatch.amazonaws.com');
    expect(principals).toMatch(/logs\./);
    const stack = new Stack(new App(), 'Given');
    const given = new kms.Key(stack, 'Mine');
    new AlarmTopic(stack, 'Topic', { security: SecurityPosture.regulated({ key: given }) });
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('regulated: inline policies become managed policies with the same statements, and what depended on them still does', () => {
    const { template } = serviceStack({ security: SecurityPosture.regulated(), jobQueue: {} });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const managed = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(managed).length).toBeGreaterThan(3);
    // Each queue function waits for its role's permissions (now the managed policy).
    for (const [, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.DependsOn?.some((d: string) => managed[d] !== undefined)).toBe(true);
    }
  });

  test('standard: nothing changes (no key, inline policies), and each inline policy is acknowledged naming its role', () => {
    const { template, app } = serviceStack({ jobQueue: {} });
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).length).toBeGreaterThan(0);
    app.synth();
    const reasons = app.node.findAll().filter((c) => c instanceof iam.Policy).flatMap((c) => c.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => (m.data as Record<string, string>)['NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy'] ?? Object.values(m.data as object)[0]));
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r).toMatch(/Grant-generated policy of TestStack\//);
  });

  test('regulated ECS without a load balancer certificate is an error naming both options', () => {
    const stack = new Stack(new App(), 'E');
    const p = profile({ hardware: 'g5.xlarge' });
    expect(problemsOf(() => new EcsInferenceService(stack, 'Svc', {
      profile: p,
      limits: Limits.derive(p, { backend: EcsInferenceService.capabilitiesFor(p) }),
      modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'm', model: ModelSource.inImage('/models/m') }),
      capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
      security: SecurityPosture.regulated(),
    }))).toEqual(expect.arrayContaining(['security.loadBalancerCertificate', 'security.loadBalancerDomainName']));
  });

  test('kig review prices the customer-managed key and the KMS requests of key-encrypted queues', () => {
    const { stack } = serviceStack({ security: SecurityPosture.regulated(), jobQueue: {} });
    const t = Template.fromStack(stack).toJSON();
    const cost = templateCost(new TemplateModel(t as never), [], DEFAULT_PRICES);
    const keys = cost.components.find((c) => c.id === 'CustomerManagedKeys')!;
    expect(keys.lines[0].perHour).toBeCloseTo(1 / 730, 10);
    // Two queues (jobs and dead letters) x 2 principals x 3600 / 300 s reuse = 48 requests x $0.03 / 10k.
    expect(keys.lines[1].perHour).toBeCloseTo(48 * 0.03 / 10_000, 12);
    expect(keys.lines[0].formula).toMatch(/key-encrypted log groups/);
  });
});
