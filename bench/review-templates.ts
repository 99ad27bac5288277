/**
 * Synthetic CloudFormation templates of any size for the review benchmark and the review's
 * linear-growth test: REST APIs, queues with workers, SageMaker endpoints, ECS services, alarms and
 * log groups, with references between them as real templates have; and SAM templates built from
 * Serverless::Api and Serverless::Function units.
 */

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;
const ref = (id: string) => ({ Ref: id });
const att = (id: string, a: string) => ({ 'Fn::GetAtt': [id, a] });

function apiUnit(i: number): Resources {
  const p = `Api${i}`;
  return {
    [p]: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: `api-${i}`, EndpointConfiguration: { Types: ['REGIONAL'] } } },
    [`${p}Res`]: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: ref(p), ParentId: att(p, 'RootResourceId'), PathPart: 'predict' } },
    [`${p}Model`]: { Type: 'AWS::ApiGateway::Model', Properties: { RestApiId: ref(p), ContentType: 'application/json', Schema: { type: 'object' } } },
    [`${p}Validator`]: { Type: 'AWS::ApiGateway::RequestValidator', Properties: { RestApiId: ref(p), ValidateRequestBody: true } },
    [`${p}Post`]: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: ref(p), ResourceId: ref(`${p}Res`), HttpMethod: 'POST', AuthorizationType: 'NONE', ApiKeyRequired: true, RequestValidatorId: ref(`${p}Validator`), RequestModels: { 'application/json': ref(`${p}Model`) }, Integration: { Type: 'AWS', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:runtime.sagemaker:path/endpoints/e/invocations' }, TimeoutInMillis: 20000 } } },
    [`${p}Deployment`]: { Type: 'AWS::ApiGateway::Deployment', DependsOn: [`${p}Post`], Properties: { RestApiId: ref(p) } },
    [`${p}Logs`]: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    [`${p}Stage`]: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: ref(p), DeploymentId: ref(`${p}Deployment`), StageName: 'prod', AccessLogSetting: { DestinationArn: att(`${p}Logs`, 'Arn') }, MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }] } },
    [`${p}Plan`]: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: ref(p), Stage: ref(`${p}Stage`) }], Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 1000, Period: 'DAY' } } },
    [`${p}Acl`]: { Type: 'AWS::WAFv2::WebACL', Properties: { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: [{ Name: 'rate', Priority: 0, Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } } }] } },
    [`${p}AclAssoc`]: { Type: 'AWS::WAFv2::WebACLAssociation', Properties: { WebACLArn: att(`${p}Acl`, 'Arn'), ResourceArn: { 'Fn::Join': ['', ['arn:aws:apigateway:', ref('AWS::Region'), '::/restapis/', ref(p), '/stages/', ref(`${p}Stage`)]] } } },
    [`${p}Alarm`]: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: '5XXError', Namespace: 'AWS/ApiGateway', Dimensions: [{ Name: 'ApiName', Value: `api-${i}` }], Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' } },
  };
}

function queueUnit(i: number): Resources {
  const q = `Jobs${i}`;
  return {
    [`${q}Dlq`]: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
    [q]: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: att(`${q}Dlq`, 'Arn'), maxReceiveCount: 5 } } },
    [`${q}Role`]: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
    [`${q}Worker`]: { Type: 'AWS::Lambda::Function', Properties: { Role: att(`${q}Role`, 'Arn'), Timeout: 30, Runtime: 'nodejs24.x', Handler: 'i.h', Code: { ZipFile: 'x' } } },
    [`${q}Source`]: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: att(q, 'Arn'), FunctionName: ref(`${q}Worker`), ScalingConfig: { MaximumConcurrency: 5 } } },
    [`${q}WorkerLogs`]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Sub': `/aws/lambda/\${${q}Worker}` } } },
    [`${q}DlqAlarm`]: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: att(`${q}Dlq`, 'QueueName') }], Threshold: 0, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' } },
  };
}

function endpointUnit(i: number): Resources {
  const e = `Ep${i}`;
  return {
    [`${e}Model`]: { Type: 'AWS::SageMaker::Model', Properties: { ExecutionRoleArn: 'arn:aws:iam::1:role/r', PrimaryContainer: { Image: 'img' } } },
    [`${e}Config`]: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: att(`${e}Model`, 'ModelName'), InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 1 }] } },
    [e]: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointConfigName: att(`${e}Config`, 'EndpointConfigName') } },
    [`${e}Target`]: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { ServiceNamespace: 'sagemaker', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 1, MaxCapacity: 4, ResourceId: { 'Fn::Sub': `endpoint/\${${e}.EndpointName}/variant/AllTraffic` } } },
    [`${e}Policy`]: { Type: 'AWS::ApplicationAutoScaling::ScalingPolicy', Properties: { PolicyName: 'p', PolicyType: 'TargetTrackingScaling', ScalingTargetId: ref(`${e}Target`), TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } } } },
  };
}

function serviceUnit(i: number): Resources {
  const s = `Svc${i}`;
  return {
    [`${s}Cluster`]: { Type: 'AWS::ECS::Cluster' },
    [`${s}Task`]: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '1024', ContainerDefinitions: [{ Name: 'model', Image: 'img', Memory: 2048 }] } },
    [s]: { Type: 'AWS::ECS::Service', Properties: { Cluster: ref(`${s}Cluster`), TaskDefinition: ref(`${s}Task`), DesiredCount: 1 } },
  };
}

function samUnit(i: number): Resources {
  const a = `Sam${i}`;
  return {
    [`${a}Api`]: { Type: 'AWS::Serverless::Api', Properties: { Name: `sam-api-${i}`, StageName: 'prod', EndpointConfiguration: 'REGIONAL', MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }], Auth: { ApiKeyRequired: true, UsagePlan: { CreateUsagePlan: 'PER_API', Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 1000, Period: 'DAY' } } } } },
    [`${a}Predict`]: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 's3://b/k.zip', Timeout: 20, ReservedConcurrentExecutions: 5, Policies: [{ Statement: [{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: '*' }] }], Events: { Predict: { Type: 'Api', Properties: { RestApiId: ref(`${a}Api`), Path: '/predict', Method: 'post', TimeoutInMillis: 25000, RequestModel: { Model: 'Body', Required: true } } } } } },
    [`${a}Dlq`]: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
    [`${a}Jobs`]: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: att(`${a}Dlq`, 'Arn'), maxReceiveCount: 5 } } },
    [`${a}Worker`]: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 's3://b/k.zip', Events: { Jobs: { Type: 'SQS', Properties: { Queue: att(`${a}Jobs`, 'Arn'), ScalingConfig: { MaximumConcurrency: 4 } } } } } },
    [`${a}DlqAlarm`]: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: att(`${a}Dlq`, 'QueueName') }], Threshold: 0, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: ['arn:aws:sns:us-east-1:111111111111:ops'] } },
  };
}

/** A SAM template with exactly `count` resources (before the transform), from SAM units and endpoints. */
export function generateSamTemplate(count: number): Record<string, unknown> {
  const resources: Resources = {};
  for (let i = 0, n = 0; n < count; i++) {
    const unit = (i % 3 === 2 ? endpointUnit : samUnit)(i);
    Object.assign(resources, unit);
    n += Object.keys(unit).length;
  }
  for (const id of Object.keys(resources).slice(count)) delete resources[id];
  return { Transform: 'AWS::Serverless-2016-10-31', Globals: { Function: { Runtime: 'python3.12', Handler: 'app.handler', MemorySize: 1024, Timeout: 20 }, Api: { OpenApiVersion: '3.0.1' } }, Resources: resources };
}

/** A template with exactly `count` resources, built from the units above in rotation. */
export function generateTemplate(count: number): { Resources: Resources } {
  const resources: Resources = {};
  const units = [apiUnit, queueUnit, endpointUnit, serviceUnit];
  for (let i = 0, n = 0; n < count; i++) {
    const unit = units[i % units.length](i);
    Object.assign(resources, unit);
    n += Object.keys(unit).length;
  }
  // Each unit lists a resource after the ones it references, so cutting the last unit short
  // leaves every remaining reference resolvable.
  for (const id of Object.keys(resources).slice(count)) delete resources[id];
  return { Resources: resources };
}

