import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp, buildEcsServiceStack } from '../../examples/ecs-gpu/app';

// One synthesis for every assertion in this file.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-ecs-gpu-'));
const app = buildApp(new App({ outdir }));
const assembly = app.synth();
const stackArtifact = assembly.getStackByName('KerasEcsGpuExample');
const template = Template.fromJSON(stackArtifact.template);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('examples/ecs-gpu', () => {
  test('synthesizes the sync service and the async worker', () => {
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::VpcLink', 1);
  });

  test('POST /predict goes through the VPC link v2 to the internal ALB', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({
        Type: 'HTTP',
        ConnectionType: 'VPC_LINK',
        ConnectionId: { Ref: Match.stringLikeRegexp('InferenceVpcLink') },
        IntegrationTarget: { Ref: Match.stringLikeRegexp('InferenceLoadBalancer') },
      }),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
  });

  test('AwsSolutions and Serverless nag packs report nothing unacknowledged', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => `${v.ruleName}: ${JSON.stringify(v.violatingResources.map((r) => r.locations ?? r.resourceLogicalId))}`));
    expect(findings).toEqual([]);
  });

});

test('one ECS service is one function call (the benchmark unit), GPU and Fargate; cfn-lint is clean', () => {
  const benchApp = new App();
  const gpuStack = buildEcsServiceStack(benchApp, { stackId: 'Gpu' });
  const cpuStack = buildEcsServiceStack(benchApp, { stackId: 'Cpu', fargate: true });
  const gpu = Template.fromStack(gpuStack);
  const cpu = Template.fromStack(cpuStack);
  gpu.resourceCountIs('AWS::ECS::CapacityProvider', 1);
  cpu.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['FARGATE'], Cpu: '1024', Memory: '3072' });

  // cfn-lint (part of the machine image, see DESIGN) on the example and both single-service
  // templates in one run; exit code 0 means no error and no warning.
  const files = [stackArtifact.templateFullPath];
  for (const [name, tpl] of [['gpu', gpu], ['fargate', cpu]] as const) {
    const file = path.join(outdir, `single-${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(tpl.toJSON()));
    files.push(file);
  }
  const result = spawnSync('cfn-lint', files, { encoding: 'utf8' });
  expect(result.error).toBeUndefined();
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
});
