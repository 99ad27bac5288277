import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  InferenceCompute, InferenceProfile, KerasInferenceService, KerasInferenceServiceProps, ModelArtifact, ModelServer, ModelSource,
} from '../../lib';
import {
  AWS_CONSTRAINTS, CfnTemplateJson, ConstraintViolation, checkAwsConstraints, privateIntegrationBackendPath,
} from '../../lib/compute/private/aws-constraints';
import { profile } from '../support/profiles';
import { SIGNATURE } from '../support/stacks';

/**
 * The AWS constraint table against a stack of every compute shape, and each row against a
 * template that breaks it (so no row is a check that cannot fail).
 */

const MODEL = ModelArtifact.fromS3Uri('s3://models-bucket/m/model.tar.gz');
const CPU_PROPS = {
  model: 'm', hardware: 'ml.c5.xlarge', latencyMs: { p50: 18, p90: 30, p99: 55 }, sustainableConcurrency: 2, throughputPerInstanceRps: 45,
  peakHostMemoryMiB: 1_100, peakGpuMemoryMiB: 0, coldStartSeconds: 25, maxRequestBytes: 120_000,
};
const CPU = InferenceProfile.of(CPU_PROPS);
const tfServing = () => ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'resnet50', model: ModelSource.inImage('/models/resnet50') });

/** One service per compute shape, built the way users build it. */
const SHAPES: Record<string, () => Partial<KerasInferenceServiceProps> & Pick<KerasInferenceServiceProps, 'compute' | 'profile'>> = {
  sageMakerRealtime: () => ({ profile: profile(), compute: InferenceCompute.sageMakerRealtime({ model: MODEL }), signature: SIGNATURE }),
  sageMakerServerless: () => ({ profile: CPU, compute: InferenceCompute.sageMakerServerless({ model: MODEL }), signature: SIGNATURE, minInstances: 2, maxInstances: 10 }),
  sageMakerAsync: () => ({ profile: profile(), compute: InferenceCompute.sageMakerAsync({ model: MODEL }), maxInstances: 3 }),
  ecsGpu: () => ({ profile: profile({ hardware: 'g5.xlarge' }), compute: InferenceCompute.ecsGpu({ modelServer: tfServing(), instanceType: 'g5.xlarge' }), signature: SIGNATURE }),
  fargate: () => ({ profile: InferenceProfile.of({ ...CPU_PROPS, hardware: 'fargate-2vcpu-4gb' }), compute: InferenceCompute.fargate({ modelServer: tfServing() }), signature: SIGNATURE }),
};

const templates = new Map<string, CfnTemplateJson>();
function templateOf(shape: string): CfnTemplateJson {
  if (!templates.has(shape)) {
    const stack = new Stack(new App(), `Shape${shape}`);
    new KerasInferenceService(stack, 'Svc', SHAPES[shape]() as KerasInferenceServiceProps);
    templates.set(shape, Template.fromStack(stack).toJSON());
  }
  return structuredClone(templates.get(shape)!);
}
const ids = (v: ConstraintViolation[]) => [...new Set(v.map((x) => x.constraint))].sort();
const resourcesOf = (t: CfnTemplateJson, type: string) => Object.values(t.Resources!).filter((r) => r.Type === type) as any[];

describe('the AWS constraint table', () => {
  test.each(Object.keys(SHAPES))('a %s service breaks no row', (shape) => {
    expect(checkAwsConstraints(templateOf(shape))).toEqual([]);
  });

  test('every row names a CloudFormation type and its AWS source', () => {
    expect(new Set(AWS_CONSTRAINTS.map((c) => c.id)).size).toBe(AWS_CONSTRAINTS.length);
    for (const c of AWS_CONSTRAINTS) {
      expect(c.resourceType).toMatch(/^AWS::\w+::\w+$/);
      expect(c.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(c.rule.length).toBeGreaterThan(20);
    }
  });

  test('the ECS private integration: TF Serving receives /v1/models/<name>:predict, not the stage in front of it', () => {
    for (const shape of ['ecsGpu', 'fargate']) {
      const t = templateOf(shape);
      const [stage] = resourcesOf(t, 'AWS::ApiGateway::Stage');
      const methods = resourcesOf(t, 'AWS::ApiGateway::Method').filter((m) => m.Properties.Integration?.ConnectionType === 'VPC_LINK');
      expect(methods).toHaveLength(1);
      const integration = methods[0].Properties.Integration;
      expect(stage.Properties.StageName).toBe('prod');
      expect(privateIntegrationBackendPath(integration, stage.Properties.StageName)).toBe('/v1/models/resnet50:predict');
      // The override is a static parameter mapping of the URI's first path segment.
      expect(integration.RequestParameters).toEqual({ 'integration.request.path.kigPathRoot': "'v1'" });
      expect(JSON.stringify(integration.Uri)).toContain(':80/{kigPathRoot}/models/resnet50:predict');
    }
  });

  test('without the override the stage reaches the container: the row says so', () => {
    const t = templateOf('fargate');
    const method = resourcesOf(t, 'AWS::ApiGateway::Method').find((m) => m.Properties.Integration?.ConnectionType === 'VPC_LINK');
    method.Properties.Integration.Uri = { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': ['Lb', 'DNSName'] }, ':80/v1/models/resnet50:predict']] };
    delete method.Properties.Integration.RequestParameters;
    expect(privateIntegrationBackendPath(method.Properties.Integration, 'prod')).toBe('/prod/v1/models/resnet50:predict');
    const v = checkAwsConstraints(t);
    expect(ids(v)).toEqual(['private-integration-stage-in-path']);
    expect(v[0].problem).toContain('the backend receives /<stage>/v1/models/resnet50:predict');
  });

  test('each row fails on a template that breaks it', () => {
    const broken: Record<string, (t: CfnTemplateJson) => void> = {
      'serverless-no-network-isolation': (t) => { resourcesOf(t, 'AWS::SageMaker::Model')[0].Properties.EnableNetworkIsolation = true; },
      'serverless-no-vpc': (t) => { resourcesOf(t, 'AWS::SageMaker::Model')[0].Properties.VpcConfig = { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] }; },
      'serverless-no-gpu': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.ProductionVariants[0].InstanceType = 'ml.g5.xlarge'; },
      'serverless-memory-size': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.ProductionVariants[0].ServerlessConfig.MemorySizeInMB = 1536; },
      'serverless-max-concurrency': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.ProductionVariants[0].ServerlessConfig.MaxConcurrency = 201; },
      'serverless-provisioned-concurrency': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.ProductionVariants[0].ServerlessConfig.ProvisionedConcurrency = 11; },
    };
    const asyncBroken: Record<string, (t: CfnTemplateJson) => void> = {
      'async-max-concurrent-invocations': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance = 0; },
      'async-output-path': (t) => { delete resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.AsyncInferenceConfig.OutputConfig.S3OutputPath; },
      'async-invocation-timeout': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Metadata['KerasInferenceGuard::AsyncInvocation'].InvocationTimeoutSeconds = 3601; },
      'async-request-ttl': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Metadata['KerasInferenceGuard::AsyncInvocation'].RequestTTLSeconds = 59; },
      'variant-startup-timeouts': (t) => { resourcesOf(t, 'AWS::SageMaker::EndpointConfig')[0].Properties.ProductionVariants[0].ModelDataDownloadTimeoutInSeconds = 30; },
    };
    const seen: string[] = ['private-integration-stage-in-path'];
    for (const [id, breakIt] of Object.entries(broken)) {
      const t = templateOf('sageMakerServerless');
      breakIt(t);
      expect([id, ids(checkAwsConstraints(t))]).toEqual([id, [id]]);
      seen.push(id);
    }
    for (const [id, breakIt] of Object.entries(asyncBroken)) {
      const t = templateOf('sageMakerAsync');
      breakIt(t);
      expect([id, ids(checkAwsConstraints(t))]).toEqual([id, [id]]);
      seen.push(id);
    }
    // A GPU image on a serverless variant is caught too.
    const gpu = templateOf('sageMakerServerless');
    const model = resourcesOf(gpu, 'AWS::SageMaker::Model')[0];
    model.Properties.PrimaryContainer.Image = JSON.parse(JSON.stringify(model.Properties.PrimaryContainer.Image).replace('-cpu-', '-gpu-'));
    expect(ids(checkAwsConstraints(gpu))).toEqual(['serverless-no-gpu']);
    // Every row has a case above.
    expect(seen.sort()).toEqual(AWS_CONSTRAINTS.map((c) => c.id).sort());
  });
});
