import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Duration, Stack, aws_apigateway as apigw, aws_dynamodb as dynamodb, aws_ec2 as ec2, aws_iam as iam, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  InferenceProfile, InferenceQueue, InferenceQueueProps, JobSubmission, ModelSignature,
  SageMakerAsyncBackend, TensorDType, WorkerBackend,
} from '../../lib';
import { deriveQueueLimits } from '../../lib/profile';
import { EVENTBRIDGE_TARGET_EVENT_AGE_MAX_S, EVENTBRIDGE_TARGET_EVENT_AGE_MIN_S, EVENTBRIDGE_TARGET_MAX_RETRIES, LAMBDA_ASYNC_EVENT_AGE_MAX_S, LAMBDA_ASYNC_EVENT_AGE_MIN_S, LAMBDA_ASYNC_MAX_RETRIES } from '../../lib/core/aws-limits';
import { RECONCILE_INTERVAL, RECONCILE_TICK_RETRIES } from '../../lib/queue/private/dead-letter-reconciler';
import { cfnLint } from '../support/cfn-lint';
import { errorOf } from '../support/errors';
import { nagFindings } from './nag-util';

const profile = InferenceProfile.of({
  model: 'resnet', hardware: 'ml.g5.xlarge',
  latencyMs: { p50: 80, p90: 120, p99: 200 },
  sustainableConcurrency: 4, throughputPerInstanceRps: 20,
  peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 8000, coldStartSeconds: 60, maxRequestBytes: 600_000,
});
const signature = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [224, 224, 3], maxBatchSize: 4 });
const limits = deriveQueueLimits(profile);

function build(props: Partial<InferenceQueueProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const queue = new InferenceQueue(stack, 'Jobs', { profile, signature, backend: WorkerBackend.sageMakerEndpointByName('Resnet-Endpoint'), ...props });
  return { app, stack, queue, template: Template.fromStack(stack) };
}

describe('InferenceQueue', () => {
  const { app, stack, queue, template } = build({ alarmTopic: undefined });

  test('main queue: visibility = 6 x worker timeout, retention, long polling, explicit max size, SSE, redrive', () => {
    expect(limits.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * limits.workerTimeoutSeconds);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: limits.visibilityTimeoutSeconds,
      MessageRetentionPeriod: limits.messageRetentionSeconds,
      ReceiveMessageWaitTimeSeconds: 20,
      MaximumMessageSize: limits.maxInlineMessageBytes + 1024,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobsDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  test('dead-letter queue: 14 days, longer than the main queue, SSE', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, MaximumMessageSize: 1_048_576 });
    expect(limits.messageRetentionSeconds).toBeLessThan(1_209_600);
  });

  test('both queues deny non-TLS access', () => {
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const p of Object.values(policies)) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]));
    }
  });

  test('worker event source: batch size, maxConcurrency, partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: limits.batchSize,
      ScalingConfig: { MaximumConcurrency: limits.maxWorkers },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('functions: latest Node.js runtime, active tracing, own log group with retention; no reserved concurrency by default', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(4);
    for (const f of Object.values(fns)) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs24.x', TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
      expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // No reservation by default: it fails to deploy on accounts with a concurrency quota below 100 + the reservation.
    for (const f of Object.values(fns)) expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KIG_DEPTH_BUDGET: String(limits.depthBudget) }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: limits.workerTimeoutSeconds,
      Environment: { Variables: Match.objectLike({ KIG_BACKEND_KIND: 'sagemaker', KIG_ENDPOINT_NAME: 'Resnet-Endpoint', KIG_PER_CALL_DEADLINE_MS: String(limits.perCallDeadlineMs) }) },
    });
  });

  test('admission code: the bundle and, beside it, the request schema compiled to validation code at synth', () => {
    const [admission] = Object.values(template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ KIG_DEPTH_BUDGET: Match.anyValue() }) } },
    }));
    // The schema travels in the code, not in the 4 KiB of environment variables.
    expect(Object.keys(admission.Properties.Environment.Variables).filter((k) => /SCHEMA/.test(k))).toEqual([]);
    const dir = path.join(app.outdir, `asset.${String(admission.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(dir).sort()).toEqual(['index.js', 'request-validator.js']);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const validate = require(path.join(dir, 'request-validator.js')) as ((body: unknown) => boolean) & { errors?: Array<{ instancePath: string }> };
    const image = Array.from({ length: 224 }, () => Array.from({ length: 224 }, () => [0, 0.5, 1]));
    expect(validate({ instances: [image] })).toBe(true);
    expect(validate({ instances: [[[1]]] })).toBe(false);
    expect(validate.errors?.[0].instancePath).toBe('/instances/0');
  });

  test('job table: on-demand, TTL, point-in-time recovery; bucket: encrypted, private, SSL only, lifecycle expiry', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'payloads/', ExpirationInDays: 7, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'results/', ExpirationInDays: 7, Status: 'Enabled' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('IAM least privilege: each function gets only the actions it uses, on its resources', () => {
    const statements = (role: string) => {
      const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`Jobs${role}Role`) }] } });
      expect(Object.keys(policies)).toHaveLength(1);
      return (Object.values(policies)[0].Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
        .map((s) => ({ actions: ([] as string[]).concat(s.Action).sort(), resource: JSON.stringify(s.Resource) }));
    };
    const admission = statements('Admission');
    expect(admission.map((s) => s.actions)).toEqual(expect.arrayContaining([
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      ['s3:PutObject'],
    ]));
    expect(admission.find((s) => s.actions[0] === 's3:PutObject')!.resource).toContain('/payloads/*');
    const worker = statements('Worker');
    expect(worker.find((s) => s.actions[0] === 'sagemaker:InvokeEndpoint')!.resource).toContain(':endpoint/resnet-endpoint');
    expect(worker.map((s) => s.actions)).toEqual(expect.arrayContaining([
      ['dynamodb:GetItem', 'dynamodb:UpdateItem'], ['s3:DeleteObject', 's3:GetObject'], ['s3:PutObject'],
    ]));
    const status = statements('Status');
    expect(status.map((s) => s.actions)).toEqual(expect.arrayContaining([['dynamodb:GetItem'], ['s3:GetObject']]));
    for (const s of [...admission, ...worker, ...status]) {
      for (const a of s.actions) expect(a).not.toMatch(/\*/);
      if (s.resource === '"*"') expect(s.actions).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
    // No AWS managed policies.
    for (const r of Object.values(template.findResources('AWS::IAM::Role'))) expect(r.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('dead-letter reconciler: every 5 minutes, reads the DLQ without deleting, writes only job records; a failed run is not retried', () => {
    const [id, fn] = Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Settles jobs') } }))[0];
    expect(fn.Properties).toMatchObject({ Timeout: 60, MemorySize: 256 });
    expect(fn.Properties.Environment.Variables).toMatchObject({ KIG_RECONCILE_HOLD_SECONDS: '60', KIG_RECONCILE_MAX_MESSAGES: '1000' });
    expect(fn.Properties.Environment.Variables.KIG_DEAD_LETTER_QUEUE_URL).toEqual({ Ref: stack.resolve((queue.deadLetterQueue.node.defaultChild as CfnElement).logicalId) });
    // The ledger audit reads the job queue's depth.
    expect(fn.Properties.Environment.Variables.KIG_QUEUE_URL).toEqual({ Ref: stack.resolve((queue.queue.node.defaultChild as CfnElement).logicalId) });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 2 } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [id, 'Arn'] }, Principal: 'events.amazonaws.com' });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: fn.Properties.Role['Fn::GetAtt'][0] }] } });
    const actions = Object.values(policies).flatMap((p) => (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((st) => ([] as string[]).concat(st.Action))).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }], Period: 300, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    // Within what EventBridge and Lambda accept.
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    const { MaximumEventAgeInSeconds: tickAge, MaximumRetryAttempts: tickRetries } = rule.Properties.Targets[0].RetryPolicy;
    expect(tickAge).toBeGreaterThanOrEqual(EVENTBRIDGE_TARGET_EVENT_AGE_MIN_S);
    expect(tickAge).toBeLessThanOrEqual(EVENTBRIDGE_TARGET_EVENT_AGE_MAX_S);
    expect(tickRetries).toBeLessThanOrEqual(EVENTBRIDGE_TARGET_MAX_RETRIES);
    const [invokeConfig] = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(invokeConfig.Properties.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(LAMBDA_ASYNC_EVENT_AGE_MIN_S);
    expect(invokeConfig.Properties.MaximumEventAgeInSeconds).toBeLessThanOrEqual(LAMBDA_ASYNC_EVENT_AGE_MAX_S);
    expect(invokeConfig.Properties.MaximumRetryAttempts).toBeLessThanOrEqual(LAMBDA_ASYNC_MAX_RETRIES);
    // A tick is superseded by the next one: it is never retried past the interval.
    expect(tickAge).toBe(RECONCILE_INTERVAL.toSeconds());
    expect(tickRetries).toBe(RECONCILE_TICK_RETRIES);
  });

  test('alarms: age vs SLO, depth vs budget, DLQ > 0, 429 share, a key and the tier at its share, worker errors, throttles, duration near timeout, reconciler errors, ledger repairs', () => {
    // Nine, and two for the one default tier: a key at its share, the tier at its share.
    expect(queue.alarms.all).toHaveLength(11);
    // The units a repair gave back (the reconciler's own metric, one data point per repair), one reconciler interval a period.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'KerasInferenceGuard/Queue', MetricName: 'LedgerUnitsRepaired', Threshold: 0, Statistic: 'Sum', EvaluationPeriods: 1,
      Period: RECONCILE_INTERVAL.toSeconds(), TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.resolve((queue.queue.node.defaultChild as CfnElement).logicalId), 'QueueName'] } }],
    });
    for (const metricName of ['JobsRejectedKeyAtShare', 'JobsRejectedTierAtShare']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KerasInferenceGuard/Queue', MetricName: metricName, Threshold: 0, Statistic: 'Sum',
        Dimensions: Match.arrayWith([{ Name: 'Tier', Value: 'default' }]),
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: limits.ageOfOldestMessageBudgetSeconds });
    // The dead letters visible and in flight: the reconciler hides the ones it reads while it runs.
    const dlq = { Ref: stack.resolve((queue.deadLetterQueue.node.defaultChild as CfnElement).logicalId) };
    const dlqMetric = (metricName: string) => Match.objectLike({ MetricStat: Match.objectLike({ Metric: { Namespace: 'AWS/SQS', MetricName: metricName, Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq.Ref, 'QueueName'] } }] }, Stat: 'Maximum' }) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1,
      Metrics: Match.arrayWith([dlqMetric('ApproximateNumberOfMessagesVisible'), dlqMetric('ApproximateNumberOfMessagesNotVisible')]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: limits.depthBudget, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.1,
      Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'KerasInferenceGuard/Queue', MetricName: 'JobsRejected' }) }) })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Namespace: 'AWS/Lambda' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', Threshold: 0.8 * limits.workerTimeoutSeconds * 1000 });
  });

  test('alarm actions go to the given topic', () => {
    const app2 = new App();
    const s = new Stack(app2, 'S');
    const topic = new sns.Topic(s, 'Topic');
    const q = new InferenceQueue(s, 'Jobs', { profile, signature, backend: WorkerBackend.http('https://model.internal/predict'), alarmTopic: topic });
    const t = Template.fromStack(s);
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: s.resolve((topic.node.defaultChild as sns.CfnTopic).logicalId) }]);
      expect(a.Properties.OKActions).toEqual(a.Properties.AlarmActions);
    }
    expect(q.alarms.all).toHaveLength(11);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KIG_BACKEND_KIND: 'http', KIG_BACKEND_URL: 'https://model.internal/predict' }) } });
  });

  test('zero unacknowledged AwsSolutions and Serverless findings; every acknowledgement has a reason', () => {
    expect(nagFindings(app)).toEqual([]);
    const acks = stack.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.entries(m.data as Record<string, string>)));
    // The compliance packs' acknowledgements (NIST, HIPAA, PCI) are checked with the examples.
    const compliance = /(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-/;
    expect([...new Set(acks.map(([id]) => id.replace(/^Annotation::/, '').replace(/\[.*$/, '')).filter((id) => !compliance.test(id)))].sort()).toEqual([
      'AwsSolutions-IAM5', 'AwsSolutions-S1', 'InferenceGuard-LambdaConcurrencyCap', 'Serverless-EventBusDLQ', 'Serverless-LambdaAsyncFailureDestination', 'Serverless-LambdaDLQ',
      'Serverless-LambdaEventSourceMappingDestination', 'Serverless-SQSRedrivePolicy',
    ]);
    // Granular IAM5 acknowledgements only: never the bare rule.
    expect(acks.map(([id]) => id)).not.toContain('Annotation::AwsSolutions-IAM5');
    for (const [, reason] of acks) expect(reason.length).toBeGreaterThan(60);
  });

  test('cfn-lint is clean on the synthesized template', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-queue-'));
    const file = path.join(dir, 'template.json');
    fs.writeFileSync(file, JSON.stringify(template.toJSON()));
    try {
      // A missing cfn-lint fails the test with how to install it (scripts/test-env.sh).
      expect(await cfnLint([file])).toEqual({ status: 0, stdout: '', stderr: '' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('InferenceQueue.attachToApi', () => {
  function api() {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const restApi = new apigw.RestApi(stack, 'Api', { deploy: false });
    const q = new InferenceQueue(stack, 'Jobs', { profile, signature, backend: WorkerBackend.sageMakerEndpointByName('ep') });
    const model = restApi.addModel('Predict', { contentType: 'application/json', schema: signature.toJsonSchema() as apigw.JsonSchema });
    const validator = restApi.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    return { app, stack, restApi, q, model, validator };
  }

  test('POST /jobs (admission, Lambda proxy) and GET /jobs/{id} (status) with the caller\'s model, validator and authorization', () => {
    const { stack, restApi, q, model, validator } = api();
    const jobs = q.attachToApi(restApi.root, { requestModel: model, requestValidator: validator, authorizationType: apigw.AuthorizationType.IAM });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'jobs' });
    t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{id}' });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST', AuthorizationType: 'AWS_IAM',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('Validator') },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('Predict') } },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', TimeoutInMillis: 11_000 }),
      MethodResponses: Match.arrayWith([Match.objectLike({ StatusCode: '429', ResponseParameters: { 'method.response.header.Retry-After': true } })]),
    });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET', AuthorizationType: 'AWS_IAM', RequestParameters: { 'method.request.path.id': true },
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    expect(jobs.submitMethod.httpMethod).toBe('POST');
    expect(jobs.statusMethod.resource.path).toBe('/jobs/{id}');
  });

  test('direct API -> SQS: no Lambda, form-encoded SendMessage, SQS errors never mapped to 2xx', () => {
    const { stack, restApi, q, model, validator } = api();
    q.attachToApi(restApi.root, { submission: JobSubmission.directToQueue(), requestModel: model, requestValidator: validator });
    const t = Template.fromStack(stack);
    const methods = t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } });
    const integration = Object.values(methods)[0].Properties.Integration;
    expect(integration.Type).toBe('AWS');
    expect(integration.PassthroughBehavior).toBe('NEVER');
    expect(JSON.stringify(integration.Uri)).toContain(':sqs:path/');
    expect(integration.RequestParameters).toEqual({ 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" });
    expect(integration.RequestTemplates['application/json']).toContain('Action=SendMessage&MessageBody=$util.urlEncode(');
    const responses = integration.IntegrationResponses as Array<{ SelectionPattern?: string; StatusCode: string; ResponseParameters?: Record<string, string> }>;
    // The default response (no selection pattern) is an error, and only 2xx from SQS becomes 202.
    expect(responses.find((r) => r.SelectionPattern === undefined)!.StatusCode).toBe('500');
    expect(responses.find((r) => r.SelectionPattern === '2\\d{2}')!.StatusCode).toBe('202');
    expect(responses.find((r) => r.SelectionPattern === '5\\d{2}')).toMatchObject({ StatusCode: '503', ResponseParameters: { 'method.response.header.Retry-After': "'5'" } });
    for (const r of responses) if (r.SelectionPattern !== '2\\d{2}') expect(r.StatusCode).not.toMatch(/^2/);
    // API Gateway's role may only send to this queue.
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobsQueue'), 'Arn'] } })] },
    });
  });

  test('the construct adds no unacknowledged nag findings when attached (API findings belong to the API)', () => {
    const { app, restApi, q, model, validator } = api();
    q.attachToApi(restApi.root, { requestModel: model, requestValidator: validator });
    q.attachToApi(restApi.root.addResource('direct'), { submission: JobSubmission.directToQueue() });
    expect(nagFindings(app).filter((f) => f.includes('/Jobs/'))).toEqual([]);
  });
});

describe('InferenceQueue props', () => {
  test('invalid props: every problem in one error', () => {
    const e = errorOf(() => build({ resultInlineMaxBytes: 500_000, jobTtl: Duration.hours(1), rejectedShareThreshold: 2 }));
    expect(e.problems.map((p) => p.prop).sort()).toEqual(['jobTtl', 'rejectedShareThreshold', 'resultInlineMaxBytes']);
  });

  test('the visibility invariant is enforced through the limits', () => {
    expect(() => build({ limits: { visibilityTimeoutSeconds: 10 } })).toThrow(/visibilityTimeoutSeconds/);
  });

  test('a maxReceiveCount below 5 builds with an acknowledgeable warning', () => {
    const { stack } = build({ limits: { maxReceiveCount: 2 } });
    Annotations.fromStack(stack).hasWarning('/Stack/Jobs', Match.stringLikeRegexp('maxReceiveCount 2 is below the 5'));
  });

  test('a worker in a VPC (private HTTP backend) stays nag-clean', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new InferenceQueue(stack, 'Jobs', { profile, signature, backend: WorkerBackend.http('http://model.internal:8501/v1/models/m:predict'), workerVpc: vpc });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }) });
    expect(nagFindings(app).filter((f) => f.includes('/Jobs/'))).toEqual([]);
  });

  test('external consumer: no Lambda worker; grantWorker gives another consumer the worker permissions', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const q = new InferenceQueue(stack, 'Jobs', { profile, signature, backend: WorkerBackend.externalConsumer() });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    q.grantWorker(consumer);
    const t = Template.fromStack(stack);
    // Admission, status and the dead-letter reconciler.
    t.resourceCountIs('AWS::Lambda::Function', 3);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(q.workerFunction).toBeUndefined();
    // No worker alarms; no ledger repair alarm either: admission holds no cost units for this consumer.
    expect(q.alarms.all).toHaveLength(7);
    const policy = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Consumer') }] } }))[0];
    const actions = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((st) => ([] as string[]).concat(st.Action)).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem', 's3:DeleteObject', 's3:GetObject', 's3:PutObject',
      'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']);
    expect(nagFindings(app)).toEqual([]);
  });

  test('admission holds cost units only where the consumer gives them back: the Lambda worker, or an external consumer that says it does', () => {
    const repairAlarms: number[] = [];
    const ledger = (backend: WorkerBackend) => {
      const stack = new Stack(new App(), 'S');
      new InferenceQueue(stack, 'Jobs', { profile, signature, backend });
      const t = Template.fromStack(stack);
      // The ledger's repair alarm only where the ledger holds units.
      repairAlarms.push(Object.keys(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'LedgerUnitsRepaired' } })).length);
      const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Admits async inference jobs') } }));
      return fn.Properties.Environment.Variables.KIG_COST_LEDGER;
    };
    expect(ledger(WorkerBackend.sageMakerEndpointByName('Resnet-Endpoint'))).toBe('true');
    // A consumer that leaves every job's units held would, once they reached the budget, have admission refuse every job.
    expect(ledger(WorkerBackend.externalConsumer())).toBe('false');
    expect(ledger(WorkerBackend.externalConsumer({ givesCostUnitsBack: true }))).toBe('true');
    expect(repairAlarms).toEqual([1, 0, 1]);
  });

  test('reserved admission concurrency is opt-in', () => {
    const s = new Stack(new App(), 'S');
    new InferenceQueue(s, 'Jobs', { profile, signature, backend: WorkerBackend.http('https://model.internal/predict'), reserveAdmissionConcurrency: true });
    Template.fromStack(s).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 10, Description: Match.stringLikeRegexp('^Admits') });
  });

  test('an asynchronous endpoint is not a worker backend: a type error, not a deployed queue whose jobs all fail', () => {
    // @ts-expect-error SageMakerAsyncBackend refuses InvokeEndpoint and is not a SageMakerRealtimeBackend
    const wrong = (b: SageMakerAsyncBackend) => WorkerBackend.sageMakerEndpoint(b);
    expect(typeof wrong).toBe('function');
  });

  test('invalid backends are refused', () => {
    expect(() => WorkerBackend.sageMakerEndpointByName('arn:aws:sagemaker:us-east-1:1:endpoint/x')).toThrow(/endpointName/);
    expect(() => WorkerBackend.http('model.internal')).toThrow(/url/);
  });

  test('an existing job table and payload bucket are used instead of new ones', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const table = dynamodb.Table.fromTableName(stack, 'T', 'jobs');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'payloads');
    const q = new InferenceQueue(stack, 'Jobs', { profile, signature, backend: WorkerBackend.sageMakerEndpointByName('ep'), jobTable: table, payloadBucket: bucket });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::DynamoDB::Table', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    expect(q.jobTable).toBe(table);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KIG_TABLE_NAME: 'jobs', KIG_BUCKET_NAME: 'payloads' }) } });
    expect(nagFindings(app)).toEqual([]);
  });
});
