import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../examples/ecs-gpu/app';

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

  test('writes the template for cfn-lint', () => {
    const file = path.join(os.tmpdir(), 'kig-ecs-gpu-example.template.json');
    fs.writeFileSync(file, JSON.stringify(stackArtifact.template, null, 1));
    expect(fs.existsSync(file)).toBe(true);
  });
});
