import { App, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InferenceCompute, InferenceProfile, KerasInferenceService, ModelArtifact } from '../../lib';
import { BASE_PROFILE } from '../support/profiles';
import { SIGNATURE, serviceStack } from '../support/stacks';

describe('KerasInferenceService', () => {
  test('one statement exposes every part', () => {
    const { service } = serviceStack();
    expect(service.syncBackend).toBe(service.backend);
    expect(service.asyncBackend).toBeUndefined();
    expect(service.api!.webAcl).toBeDefined();
    expect(Object.keys(service.api!.usagePlans)).toEqual(['basic', 'standard', 'premium']);
    expect(service.underAttack).toBeDefined();
    expect(service.limits.formulas['throttle.rateLimit']).toContain('maxInstances 4');
  });

  test('accepts an existing alarm topic', () => {
    const app = new App();
    const stack = new Stack(app, 'T');
    const topic = new sns.Topic(stack, 'Existing');
    const svc = new KerasInferenceService(stack, 'Svc', { profile: InferenceProfile.of(BASE_PROFILE), compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://models-bucket/m.tar.gz') }), signature: SIGNATURE, alarmTopic: topic });
    expect(svc.alarmTopic).toBe(topic);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('needs an ml.* instance type when the profile hardware is not one', () => {
    expect(() => serviceStack({}, { hardware: 'g5.xlarge' })).toThrow(/set instanceType/);
    expect(() => serviceStack({ compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://models-bucket/m.tar.gz'), instanceType: 'ml.g5.xlarge' }) }, { hardware: 'g5.xlarge' })).not.toThrow();
  });

  test('invalid props from several constructs surface as one error each, with the prop named', () => {
    expect(() => serviceStack({ maxInstances: 0 })).toThrow(/maxInstances = 0/);
  });
});

describe('KerasInferenceService with a job queue', () => {
  const { template, service } = serviceStack({ jobQueue: { limits: { acceptableWaitSeconds: 600 } } });

  test('adds POST /jobs and GET /jobs/{id} with the same validation and authorization as /predict', () => {
    expect(service.jobs).toBeDefined();
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const post = methods.filter((m) => m.Properties.HttpMethod === 'POST');
    expect(post).toHaveLength(2);
    for (const m of post) {
      expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(m.Properties.ApiKeyRequired).toBe(true);
      expect(m.Properties.RequestValidatorId).toEqual(post[0].Properties.RequestValidatorId);
    }
    expect(methods.some((m) => m.Properties.HttpMethod === 'GET')).toBe(true);
  });

  test('the queue plans for the endpoint ceiling', () => {
    expect(service.jobs!.limits.maxWorkers).toBe(Math.min(1000, 4 * 8));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 32 } });
  });
});

test('the dashboard shows the job queue alarms too', () => {
  const { template } = serviceStack({ jobQueue: {} });
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  expect(JSON.stringify(dashboard.Properties.DashboardBody)).toContain('Job queue alarms');
});
