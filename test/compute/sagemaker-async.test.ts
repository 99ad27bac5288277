import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ModelArtifact, SageMakerAsyncBackend, SageMakerAsyncBackendProps } from '../../lib';
import { alarmsByMetric } from '../support/alarms';
import { profile } from '../support/profiles';
import { problemsOf } from '../support/errors';

function asyncBackend(props: Partial<SageMakerAsyncBackendProps> = {}) {
  const stack = new Stack(new App(), 'A');
  const b = new SageMakerAsyncBackend(stack, 'Async', {
    model: ModelArtifact.fromS3Uri('s3://models-bucket/big/model.tar.gz'), profile: profile(), instanceType: 'ml.g5.xlarge', maxInstances: 3, ...props,
  });
  return { b, template: Template.fromStack(stack) };
}


describe('SageMakerAsyncBackend', () => {
  const { b, template } = asyncBackend();

  test('AsyncInferenceConfig: concurrency per instance, output and failure paths, topics', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      AsyncInferenceConfig: {
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 8 },
        OutputConfig: {
          S3OutputPath: Match.anyValue(), S3FailurePath: Match.anyValue(),
          NotificationConfig: { SuccessTopic: Match.anyValue(), ErrorTopic: Match.anyValue(), IncludeInferenceResponseIn: ['ERROR_NOTIFICATION_TOPIC'] },
        },
      },
    });
    expect(b.invocationTimeoutSeconds).toBe(60);
    expect(b.requestTtlSeconds).toBe(900);
  });

  test('the error topic feeds an SQS queue that keeps failures 14 days', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
  });

  test('scales on ApproximateBacklogSizePerInstance (EndpointName only), down to zero', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        CustomizedMetricSpecification: { MetricName: 'ApproximateBacklogSizePerInstance', Namespace: 'AWS/SageMaker', Statistic: 'Average', Dimensions: [{ Name: 'EndpointName', Value: Match.anyValue() }] },
        TargetValue: 180 * 60,
      },
    });
  });

  test('scale from zero: a step policy on HasBacklogWithoutCapacity adds an instance', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }),
    });
    const scaling = alarmsByMetric(template).filter((a) => a.metricName === 'HasBacklogWithoutCapacity' && a.props.AlarmActions);
    expect(scaling).toHaveLength(1);
    expect(scaling[0].props.Threshold).toBe(1);
    expect(scaling[0].props.AlarmActions[0].Ref).toMatch(/ScaleFromZero/);
  });

  test('no alarm or scaling uses metrics async endpoints do not publish', () => {
    const names = alarmsByMetric(template).map((a) => a.metricName);
    expect(names.filter((n) => ['Invocations', 'InvocationsPerInstance', 'OverheadLatency', 'ModelLatency'].includes(n!))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))).not.toContain('SageMakerVariantInvocationsPerInstance');
    expect(names).toEqual(expect.arrayContaining(['ApproximateBacklogSize', 'ApproximateAgeOfOldestRequest', 'InvocationFailures', 'HasBacklogWithoutCapacity', 'ApproximateNumberOfMessagesVisible']));
  });

  test('bucket: encrypted, TLS-only, expiring, access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'async-bucket/' }),
      BucketEncryption: Match.anyValue(),
    });
  });

  test('validation: ranges of timeout, TTL, concurrency and capacity, all at once', () => {
    expect(problemsOf(() => asyncBackend({
      invocationTimeout: Duration.hours(2), acceptableWait: Duration.seconds(30), maxConcurrentInvocationsPerInstance: 2000, minInstances: 4, maxInstances: 2,
    }))).toEqual(expect.arrayContaining(['invocationTimeout', 'acceptableWait', 'maxConcurrentInvocationsPerInstance', 'maxInstances']));
  });

  test('an invocation timeout below the profile p99 is refused', () => {
    const slow = profile({ latencyMs: { p50: 3000, p90: 4000, p99: 5000 } });
    expect(problemsOf(() => asyncBackend({ profile: slow, invocationTimeout: Duration.seconds(2) }))).toEqual(['invocationTimeout']);
  });
});
