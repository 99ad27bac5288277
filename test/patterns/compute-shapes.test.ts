import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  EcsInferenceService, InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact, ModelServer, ModelSource, SageMakerAsyncBackend,
} from '../../lib';
import { errorOf } from '../support/errors';
import { profile } from '../support/profiles';
import { SIGNATURE } from '../support/stacks';

const MODEL = ModelArtifact.fromS3Uri('s3://models-bucket/m/model.tar.gz');
const CPU_PROPS = {
  model: 'm', hardware: 'fargate-2vcpu-4gb', latencyMs: { p50: 18, p90: 30, p99: 55 }, sustainableConcurrency: 2, throughputPerInstanceRps: 45,
  peakHostMemoryMiB: 1_100, peakGpuMemoryMiB: 0, coldStartSeconds: 25, maxRequestBytes: 120_000,
};
const CPU = InferenceProfile.of(CPU_PROPS);

describe('KerasInferenceService on every compute shape', () => {
  test('asynchronous compute: the endpoint, its alarms and a dashboard, no synchronous API', () => {
    const stack = new Stack(new App(), 'Async');
    const svc = new KerasInferenceService(stack, 'Svc', { profile: profile(), compute: InferenceCompute.sageMakerAsync({ model: MODEL }), maxInstances: 3 });
    expect(svc.api).toBeUndefined();
    expect(svc.syncBackend).toBeUndefined();
    expect(svc.asyncBackend).toBeInstanceOf(SageMakerAsyncBackend);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    // The one instance ceiling, and scale to zero by default on compute that can.
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 });
    expect(svc.backend.alarms.saturation.length).toBeGreaterThan(0);
  });

  test('a job queue in front of asynchronous compute is a synth error that says why', () => {
    const e = errorOf(() => new KerasInferenceService(new Stack(new App(), 'AsyncQueue'), 'Svc', {
      profile: profile(), compute: InferenceCompute.sageMakerAsync({ model: MODEL }), jobQueue: {},
    }));
    const p = e.problems.find((x) => x.prop === 'jobQueue')!;
    expect(p.allowed).toMatch(/only with synchronous compute \(the SageMaker asynchronous endpoint answers through S3\)/);
    expect(p.fix).toMatch(/InvokeEndpointAsync/);
  });

  test('Fargate with the job queue: the worker runs in the service VPC and the load balancer admits only it and the VPC link', () => {
    const stack = new Stack(new App(), 'Fargate');
    const svc = new KerasInferenceService(stack, 'Svc', {
      profile: CPU, signature: SIGNATURE, maxInstances: 4, jobQueue: {},
      compute: InferenceCompute.fargate({ modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'm', model: ModelSource.inImage('/models/m') }) }),
    });
    expect(svc.backend).toBeInstanceOf(EcsInferenceService);
    const template = Template.fromStack(stack);
    // The one ceiling: the scaling maximum is maxInstances, and the workers never exceed the fleet's concurrency.
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MaxCapacity: 4 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 8 } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Runs queued inference jobs against ECS service'),
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue() }),
      Environment: { Variables: Match.objectLike({ KIG_BACKEND_KIND: 'http', KIG_BACKEND_URL: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { Description: 'From the queue worker', FromPort: 80, ToPort: 80 });
  });

  test('the limits name the backend: a Fargate service keeps one task, a serverless endpoint may scale to zero', () => {
    const fargate = () => new KerasInferenceService(new Stack(new App(), 'Zero'), 'Svc', {
      profile: CPU, signature: SIGNATURE, minInstances: 0,
      compute: InferenceCompute.fargate({ modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'm', model: ModelSource.inImage('/models/m') }) }),
    });
    const p = errorOf(fargate).problems.find((x) => x.prop === 'minInstances')!;
    expect(p.fix).toBe('the ECS service keeps at least one task (it cannot scale to zero)');
    expect(() => new KerasInferenceService(new Stack(new App(), 'ServerlessZero'), 'Svc', {
      profile: InferenceProfile.of({ ...CPU_PROPS, hardware: 'ml.c5.xlarge' }), signature: SIGNATURE, minInstances: 0,
      compute: InferenceCompute.sageMakerServerless({ model: MODEL }),
    })).not.toThrow();
  });
});
