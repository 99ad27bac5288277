import { SageMakerAsyncConcurrency, SageMakerAsyncScalingMetric, SageMakerServerlessConcurrency, SageMakerVariantScaling } from '../../../lib/nag/rules';
import { check, expectCompliant, expectFindings, expectNotApplicable, getAtt, ref, Resources } from '../support';

const variant = { VariantName: 'AllTraffic', ModelName: 'm', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 1 };
const endpoint = (config: Record<string, unknown>): Resources => ({
  Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [variant], ...config } },
  Ep: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: getAtt('Config', 'EndpointConfigName') } },
});
const target = (max?: number): Resources => ({
  Target: {
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    Properties: {
      ServiceNamespace: 'sagemaker', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 1, ...(max !== undefined ? { MaxCapacity: max } : {}),
      ResourceId: { 'Fn::Join': ['', ['endpoint/', getAtt('Ep', 'EndpointName'), '/variant/AllTraffic']] },
    },
  },
});
const asyncConfig = (client: Record<string, unknown> = {}) => ({ AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://b/o' }, ClientConfig: client } });

describe('InferenceGuard-SageMakerVariantScaling', () => {
  test('compliant: a scalable target with a max', () => {
    expectCompliant(check(SageMakerVariantScaling, { ...endpoint({}), ...target(4) }, 'Ep'));
  });
  test('non-compliant: no scalable target; max below min', () => {
    expectFindings(check(SageMakerVariantScaling, endpoint({}), 'Ep'), /endpoint Ep variant "AllTraffic" autoscaling = absent/);
    expectFindings(check(SageMakerVariantScaling, { ...endpoint({}), ...target(0) }, 'Ep'), /MaxCapacity = 0: allowed at least MinCapacity 1/);
  });
  test('not applicable: async endpoints and serverless variants', () => {
    expectNotApplicable(check(SageMakerVariantScaling, endpoint(asyncConfig({ MaxConcurrentInvocationsPerInstance: 2 })), 'Ep'));
    expectNotApplicable(check(SageMakerVariantScaling, { Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'v', ServerlessConfig: { MaxConcurrency: 5, MemorySizeInMB: 2048 } }] } }, Ep: endpoint({}).Ep }, 'Ep'));
  });
});

describe('InferenceGuard-SageMakerAsyncConcurrency', () => {
  test('compliant: set', () => {
    expectCompliant(check(SageMakerAsyncConcurrency, endpoint(asyncConfig({ MaxConcurrentInvocationsPerInstance: 4 })), 'Config'));
  });
  test('non-compliant: absent, or out of range', () => {
    expectFindings(check(SageMakerAsyncConcurrency, endpoint(asyncConfig()), 'Config'), /MaxConcurrentInvocationsPerInstance = absent/);
    expectFindings(check(SageMakerAsyncConcurrency, endpoint(asyncConfig({ MaxConcurrentInvocationsPerInstance: 2000 })), 'Config'), /= 2000: allowed an integer from 1 to 1000/);
  });
  test('not applicable: real-time config', () => {
    expectNotApplicable(check(SageMakerAsyncConcurrency, endpoint({}), 'Config'));
  });
});

describe('InferenceGuard-SageMakerServerlessConcurrency', () => {
  const serverless = (cfg: Record<string, unknown>): Resources => ({ Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'v', ModelName: 'm', ServerlessConfig: cfg }] } } });
  test('compliant: MaxConcurrency 10', () => {
    expectCompliant(check(SageMakerServerlessConcurrency, serverless({ MaxConcurrency: 10, MemorySizeInMB: 2048 }), 'Config'));
  });
  test('non-compliant: absent, or above 200', () => {
    expectFindings(check(SageMakerServerlessConcurrency, serverless({ MemorySizeInMB: 2048 }), 'Config'), /MaxConcurrency = absent/);
    expectFindings(check(SageMakerServerlessConcurrency, serverless({ MaxConcurrency: 500, MemorySizeInMB: 2048 }), 'Config'), /= 500: allowed an integer from 1 to 200/);
  });
  test('not applicable: instance variants', () => {
    expectNotApplicable(check(SageMakerServerlessConcurrency, endpoint({}), 'Config'));
  });
});

describe('InferenceGuard-SageMakerAsyncScalingMetric', () => {
  const policy = (tt: Record<string, unknown>): Resources => ({
    Policy: { Type: 'AWS::ApplicationAutoScaling::ScalingPolicy', Properties: { PolicyName: 'p', PolicyType: 'TargetTrackingScaling', ScalingTargetId: ref('Target'), TargetTrackingScalingPolicyConfiguration: { TargetValue: 5, ...tt } } },
  });
  const backlog = { CustomizedMetricSpecification: { MetricName: 'ApproximateBacklogSizePerInstance', Namespace: 'AWS/SageMaker', Statistic: 'Average', Dimensions: [{ Name: 'EndpointName', Value: getAtt('Ep', 'EndpointName') }] } };
  const invocations = { PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } };
  test('compliant: async endpoint scaled on its backlog', () => {
    expectCompliant(check(SageMakerAsyncScalingMetric, { ...endpoint(asyncConfig({ MaxConcurrentInvocationsPerInstance: 2 })), ...target(4), ...policy(backlog) }, 'Policy'));
  });
  test('non-compliant: predefined InvocationsPerInstance; a step policy driven by an Invocations alarm', () => {
    expectFindings(check(SageMakerAsyncScalingMetric, { ...endpoint(asyncConfig()), ...target(4), ...policy(invocations) }, 'Policy'), /metric = SageMakerVariantInvocationsPerInstance/);
    const step: Resources = {
      Policy: { Type: 'AWS::ApplicationAutoScaling::ScalingPolicy', Properties: { PolicyName: 'p', PolicyType: 'StepScaling', ScalingTargetId: ref('Target'), StepScalingPolicyConfiguration: {} } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Invocations', Namespace: 'AWS/SageMaker', AlarmActions: [ref('Policy')] } },
    };
    expectFindings(check(SageMakerAsyncScalingMetric, { ...endpoint(asyncConfig()), ...target(4), ...step }, 'Policy'), /metric = Invocations/);
  });
  test('not applicable: real-time endpoint scaling on invocations is right', () => {
    expectNotApplicable(check(SageMakerAsyncScalingMetric, { ...endpoint({}), ...target(4), ...policy(invocations) }, 'Policy'));
  });
});
