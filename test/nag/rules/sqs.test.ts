import { SQSConsumerConcurrency, SQSDeadLetterQueue, SQSDeadLetterRetention, SQSVisibilityTimeout } from '../../../lib/nag/rules';
import { OutcomeDetail } from '../../../lib/nag/rule';
import { check, expectCompliant, expectFindings, expectNotApplicable, getAtt, ref, Resources } from '../support';

const queues = (redrive?: Record<string, unknown> | string, source: Record<string, unknown> = {}, dlq: Record<string, unknown> = {}): Resources => ({
  Dlq: { Type: 'AWS::SQS::Queue', Properties: dlq },
  Jobs: { Type: 'AWS::SQS::Queue', Properties: { ...source, ...(redrive !== undefined ? { RedrivePolicy: redrive } : {}) } },
});
const worker = (fn: Record<string, unknown> = {}, esm: Record<string, unknown> = {}): Resources => ({
  Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x', Handler: 'i.h', Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::1:role/r', ...fn } },
  Esm: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: getAtt('Jobs', 'Arn'), FunctionName: ref('Fn'), ...esm } },
});

describe('InferenceGuard-SQSDeadLetterQueue', () => {
  test('compliant: DLQ with maxReceiveCount 5, also as a JSON string policy', () => {
    expectCompliant(check(SQSDeadLetterQueue, queues({ deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 5 }), 'Jobs'));
    expectCompliant(check(SQSDeadLetterQueue, queues('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":"3"}'), 'Jobs'));
  });
  test('non-compliant: no redrive policy; maxReceiveCount 15 (above the bound)', () => {
    expectFindings(check(SQSDeadLetterQueue, queues(), 'Jobs'), /queue Jobs RedrivePolicy = absent/);
    const lax = check(SQSDeadLetterQueue, queues({ deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 15 }), 'Jobs');
    expectFindings(lax, /maxReceiveCount = 15: allowed an integer from 1 to 10/);
    // The DLQ is there: the verdict says its bound is wrong, not that it is absent.
    expect(lax.detail).toBe(OutcomeDetail.WRONG);
    expect(check(SQSDeadLetterQueue, queues(), 'Jobs').detail).not.toBe(OutcomeDetail.WRONG);
  });
  test('not applicable: the queue is itself a DLQ (of a queue, or of a Lambda function)', () => {
    expectNotApplicable(check(SQSDeadLetterQueue, queues({ deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 5 }), 'Dlq'));
    const lambdaDlq = { Dlq: { Type: 'AWS::SQS::Queue' }, Fn: { Type: 'AWS::Lambda::Function', Properties: { DeadLetterConfig: { TargetArn: getAtt('Dlq', 'Arn') } } } };
    expectNotApplicable(check(SQSDeadLetterQueue, lambdaDlq, 'Dlq'));
    // A DLQ chosen by a condition is one too.
    const conditional = { ...queues({ deadLetterTargetArn: { 'Fn::If': ['Prod', getAtt('Dlq', 'Arn'), getAtt('Other', 'Arn')] }, maxReceiveCount: 5 }), Other: { Type: 'AWS::SQS::Queue' } };
    expectNotApplicable(check(SQSDeadLetterQueue, conditional, 'Dlq'));
    expectNotApplicable(check(SQSDeadLetterQueue, conditional, 'Other'));
  });
});

describe('InferenceGuard-SQSDeadLetterRetention', () => {
  const policy = { deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 5 };
  test('compliant: 14-day DLQ after a default source; both at the 14-day maximum', () => {
    expectCompliant(check(SQSDeadLetterRetention, queues(policy, {}, { MessageRetentionPeriod: 1209600 }), 'Jobs'));
    expectCompliant(check(SQSDeadLetterRetention, queues(policy, { MessageRetentionPeriod: 1209600 }, { MessageRetentionPeriod: 1209600 }), 'Jobs'));
  });
  test('non-compliant (wrong): DLQ keeps messages 1 day, source the 4-day default; equal retention (a late dead-letter expires at once)', () => {
    const short = check(SQSDeadLetterRetention, queues(policy, {}, { MessageRetentionPeriod: 86400 }), 'Jobs');
    expectFindings(short, /Dlq MessageRetentionPeriod = 86400 s: allowed longer than the source queue Jobs's 345600 s \(default\)/);
    expect(short.detail).toBe(OutcomeDetail.WRONG);
    expectFindings(check(SQSDeadLetterRetention, queues(policy), 'Jobs'), /345600 s \(default\): allowed longer than the source queue Jobs's 345600 s \(default\)/);
    expectFindings(check(SQSDeadLetterRetention, queues(policy, { MessageRetentionPeriod: 86400 }, { MessageRetentionPeriod: 86400 }), 'Jobs'), /86400 s: allowed longer than/);
  });
  test('not applicable: no DLQ in the template', () => {
    expectNotApplicable(check(SQSDeadLetterRetention, queues(), 'Jobs'));
  });
});

describe('InferenceGuard-SQSVisibilityTimeout', () => {
  test('compliant: 180 s visibility for a 30 s function', () => {
    expectCompliant(check(SQSVisibilityTimeout, { ...queues(undefined, { VisibilityTimeout: 180 }), ...worker({ Timeout: 30 }) }, 'Esm'));
  });
  test('non-compliant: a 30 s function behind the default 30 s visibility; the batching window counts too', () => {
    expectFindings(check(SQSVisibilityTimeout, { ...queues(), ...worker({ Timeout: 30 }) }, 'Esm'), /VisibilityTimeout = 30 s \(default\): allowed at least 180 s/);
    expectFindings(check(SQSVisibilityTimeout, { ...queues(undefined, { VisibilityTimeout: 180 }), ...worker({ Timeout: 30 }, { MaximumBatchingWindowInSeconds: 10 }) }, 'Esm'), /at least 190 s/);
  });
  test('compliant with defaults: 30 s visibility, 3 s function', () => {
    expectCompliant(check(SQSVisibilityTimeout, { ...queues(), ...worker() }, 'Esm'));
  });
  test('not applicable: a DynamoDB stream source', () => {
    expectNotApplicable(check(SQSVisibilityTimeout, { ...worker({}, { EventSourceArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/x' }) }, 'Esm'));
  });
});

describe('InferenceGuard-SQSConsumerConcurrency', () => {
  test('compliant: maximum concurrency on the mapping, or reserved concurrency on the function', () => {
    expectCompliant(check(SQSConsumerConcurrency, { ...queues(), ...worker({}, { ScalingConfig: { MaximumConcurrency: 5 } }) }, 'Esm'));
    expectCompliant(check(SQSConsumerConcurrency, { ...queues(), ...worker({ ReservedConcurrentExecutions: 5 }) }, 'Esm'));
  });
  test('non-compliant: neither', () => {
    expectFindings(check(SQSConsumerConcurrency, { ...queues(), ...worker() }, 'Esm'), /event source Esm \(queue Jobs -> function Fn\) concurrency = unbounded/);
  });
});

describe('dead-letter stores fed through SNS', () => {
  const store: Resources = {
    ErrorTopic: { Type: 'AWS::SNS::Topic' },
    Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [], AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://b/o', NotificationConfig: { ErrorTopic: ref('ErrorTopic') } } } } },
    Failures: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
    Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sqs', TopicArn: ref('ErrorTopic'), Endpoint: getAtt('Failures', 'Arn') } },
  };
  test('the queue subscribed to an async endpoint ErrorTopic is a DLQ: exempt from SQSDeadLetterQueue', () => {
    expectNotApplicable(check(SQSDeadLetterQueue, store, 'Failures'));
  });
  test('a queue subscribed to an ordinary topic is not', () => {
    const plain = { ...store, Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [] } } };
    expectFindings(check(SQSDeadLetterQueue, plain, 'Failures'), /RedrivePolicy = absent/);
  });
});
