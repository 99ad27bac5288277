import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, buildEcsServiceStack } from '../../examples/ecs-gpu/app';

// Nag packs and cfn-lint on the whole example run in examples.test.ts with every other example;
// here: what the ECS example must contain, and the single-service builder the benchmark uses.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-ecs-gpu-'));
const app = buildApp(new App({ outdir }));
const template = Template.fromJSON(app.synth().getStackByName('KerasEcsGpuExample').template);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('examples/ecs-gpu', () => {
  test('synthesizes the sync service and the async worker on one cluster', () => {
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::ECS::CapacityProvider', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::VpcLink', 1);
  });

  test('the guarded POST /predict goes through the VPC link v2 to the internal ALB', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
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
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '60' }]),
    });
  });
});

test('one ECS service is one function call (the benchmark unit), GPU and Fargate; cfn-lint is clean', () => {
  const benchApp = new App();
  // Build both stacks before the first synthesis (Template.fromStack synthesizes the whole app).
  const gpuStack = buildEcsServiceStack(benchApp, { stackId: 'Gpu' });
  const cpuStack = buildEcsServiceStack(benchApp, { stackId: 'Cpu', fargate: true });
  const gpu = Template.fromStack(gpuStack);
  const cpu = Template.fromStack(cpuStack);
  gpu.resourceCountIs('AWS::ECS::CapacityProvider', 1);
  cpu.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['FARGATE'], Cpu: '1024', Memory: '3072' });

  // cfn-lint (part of the machine image) on both single-service templates in one run.
  const files = ([['gpu', gpu], ['fargate', cpu]] as const).map(([name, tpl]) => {
    const file = path.join(outdir, `single-${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(tpl.toJSON()));
    return file;
  });
  const result = spawnSync('cfn-lint', files, { encoding: 'utf8' });
  expect(result.error).toBeUndefined();
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
});
