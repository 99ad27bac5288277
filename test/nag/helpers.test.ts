import {
  alarmDefects, alarmMetrics, alarmsOn, allStages, apiLabel, arnPointsAtStage, deadLetterSources, effectiveAlarms, endpointTypes, findByLiteral,
  functionOf, groupedOnce, httpStagesOfApi, isDeadLetterQueue, jsonProperty, keyLockedStage, list, methodLabel, OPENAPI_PATH_METADATA_KEY, problem, rec,
  redrive, scalableTargetsOf, stageLabel, stagesOfApi, stageView, T, webAclAssociationsOf,
} from '../../lib/nag/rules/helpers';
import { TemplateModel } from '../../lib/nag/template/template-model';
import { getAtt, ref, Resources } from './support';

// The rules' shared readers, each on a template small enough to read the answer off by hand.
const model = (resources: Resources, parameters?: Record<string, unknown>) => new TemplateModel({ Resources: resources, ...(parameters ? { Parameters: parameters } : {}) } as never);

describe('resource types and small readers', () => {
  test('the resource types the rules name are CloudFormation\'s', () => {
    expect(T).toEqual({
      REST_API: 'AWS::ApiGateway::RestApi', STAGE: 'AWS::ApiGateway::Stage', DEPLOYMENT: 'AWS::ApiGateway::Deployment', METHOD: 'AWS::ApiGateway::Method',
      USAGE_PLAN: 'AWS::ApiGateway::UsagePlan', REQUEST_VALIDATOR: 'AWS::ApiGateway::RequestValidator', VPC_LINK: 'AWS::ApiGateway::VpcLink',
      WEB_ACL: 'AWS::WAFv2::WebACL', WEB_ACL_ASSOCIATION: 'AWS::WAFv2::WebACLAssociation', QUEUE: 'AWS::SQS::Queue', FUNCTION: 'AWS::Lambda::Function',
      ALIAS: 'AWS::Lambda::Alias', VERSION: 'AWS::Lambda::Version', EVENT_SOURCE_MAPPING: 'AWS::Lambda::EventSourceMapping',
      TASK_DEFINITION: 'AWS::ECS::TaskDefinition', SERVICE: 'AWS::ECS::Service', CAPACITY_PROVIDER: 'AWS::ECS::CapacityProvider',
      CLUSTER_CAPACITY_ASSOCIATIONS: 'AWS::ECS::ClusterCapacityProviderAssociations', ASG: 'AWS::AutoScaling::AutoScalingGroup',
      LAUNCH_TEMPLATE: 'AWS::EC2::LaunchTemplate', LAUNCH_CONFIGURATION: 'AWS::AutoScaling::LaunchConfiguration',
      LOAD_BALANCER: 'AWS::ElasticLoadBalancingV2::LoadBalancer', LISTENER: 'AWS::ElasticLoadBalancingV2::Listener',
      ENDPOINT: 'AWS::SageMaker::Endpoint', ENDPOINT_CONFIG: 'AWS::SageMaker::EndpointConfig',
      SCALABLE_TARGET: 'AWS::ApplicationAutoScaling::ScalableTarget', SCALING_POLICY: 'AWS::ApplicationAutoScaling::ScalingPolicy',
      ALARM: 'AWS::CloudWatch::Alarm', LOG_GROUP: 'AWS::Logs::LogGroup', TOPIC: 'AWS::SNS::Topic', SUBSCRIPTION: 'AWS::SNS::Subscription',
      HTTP_API: 'AWS::ApiGatewayV2::Api', HTTP_STAGE: 'AWS::ApiGatewayV2::Stage', HTTP_ROUTE: 'AWS::ApiGatewayV2::Route',
      HTTP_INTEGRATION: 'AWS::ApiGatewayV2::Integration', FUNCTION_URL: 'AWS::Lambda::Url', LAMBDA_PERMISSION: 'AWS::Lambda::Permission',
      IAM_ROLE: 'AWS::IAM::Role', IAM_POLICY: 'AWS::IAM::Policy', IAM_MANAGED_POLICY: 'AWS::IAM::ManagedPolicy', DISTRIBUTION: 'AWS::CloudFront::Distribution',
    });
    expect(OPENAPI_PATH_METADATA_KEY).toBe('InferenceGuard::OpenApiOperation');
  });

  test('problem, list, rec, jsonProperty', () => {
    expect(problem('queue Q VisibilityTimeout', '30 s', 'at least 60 s', 'raise it')).toBe('queue Q VisibilityTimeout = 30 s: allowed at least 60 s. Fix: raise it');
    expect([list([1]), list({ 'Fn::If': [] }), list(undefined)]).toEqual([[1], [], []]);
    expect([rec({ a: 1 }), rec([1]), rec(null), rec('x')]).toEqual([{ a: 1 }, {}, {}, {}]);
    expect([jsonProperty({ a: 1 }), jsonProperty('{"a":1}'), jsonProperty('[1]'), jsonProperty('{'), jsonProperty(5)]).toEqual([{ a: 1 }, { a: 1 }, undefined, undefined, undefined]);
    // A list holding JSON text is neither shape (JSON.parse would read its text).
    expect(jsonProperty(['{"a":1}'])).toBeUndefined();
  });

  test('groupedOnce: by one key, by several (each once), none; built once per name', () => {
    const m = model({});
    const g = groupedOnce(m, 'g', ['a1', 'b1', 'a2', 'x'], (v) => (v === 'x' ? undefined : v[0]));
    expect([...g]).toEqual([['a', ['a1', 'a2']], ['b', ['b1']]]);
    expect([...groupedOnce(m, 'many', () => ['v'], () => ['k', 'k', 'j'])]).toEqual([['k', ['v']], ['j', ['v']]]);
    // The same name answers from the first build, whatever is passed the second time.
    expect(groupedOnce(m, 'g', [], () => 'z')).toBe(g);
  });
});

describe('REST stages', () => {
  const resources: Resources = {
    Api: { Type: T.REST_API, Properties: { Name: 'predict-api' } },
    Other: { Type: T.REST_API, Properties: { Name: { 'Fn::Sub': '${AWS::StackName}-api' } } },
    Prod: { Type: T.STAGE, Properties: { RestApiId: ref('Api'), StageName: 'prod', MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10 }, 'junk'] } },
    Named: { Type: T.STAGE, Properties: { RestApiId: ref('Api'), StageName: ref('StageParam') } },
    Dep: { Type: T.DEPLOYMENT, Properties: { RestApiId: ref('Api'), StageName: 'v1', StageDescription: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 2, MethodSettings: [{ HttpMethod: 'GET' }, null] } } },
    DepOnly: { Type: T.DEPLOYMENT, Properties: { RestApiId: ref('Other') } },
    Q: { Type: T.QUEUE },
  };

  test('a Stage, a Deployment that creates one, a Deployment that does not, anything else', () => {
    const m = model(resources, { StageParam: { Type: 'String', Default: 'beta' } });
    expect(stageView(m, 'Prod')).toEqual({ id: 'Prod', restApiId: 'Api', stageName: 'prod', methodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10 }] });
    // A parameter's default is read as the stage name.
    expect(stageView(m, 'Named')).toEqual({ id: 'Named', restApiId: 'Api', stageName: 'beta', methodSettings: [] });
    expect(stageView(m, 'Dep')).toEqual({ id: 'Dep', restApiId: 'Api', stageName: 'v1', methodSettings: [{ HttpMethod: 'GET' }], descriptionThrottle: { rate: 5, burst: 2 } });
    expect([stageView(m, 'DepOnly'), stageView(m, 'Q')]).toEqual([undefined, undefined]);
    // Only a Deployment's StageName creates a stage: an HTTP API stage has one too, and is not a REST stage.
    expect(stageView(model({ H: { Type: T.HTTP_STAGE, Properties: { ApiId: ref('Http'), StageName: '$default' } } }), 'H')).toBeUndefined();
    expect(allStages(m).map((s) => s.id)).toEqual(['Prod', 'Named', 'Dep']);
    expect(stagesOfApi(m, 'Api').map((s) => s.id)).toEqual(['Prod', 'Named', 'Dep']);
    expect(stagesOfApi(m, 'Other')).toEqual([]);
    // Without the parameter's default the name is unknown.
    expect(stageView(model(resources), 'Named')!.stageName).toBeUndefined();
  });

  test('a stage is read once per template: the same view every time', () => {
    const m = model(resources);
    expect(stageView(m, 'Prod')).toBe(stageView(m, 'Prod'));
    expect(stageView(m, 'Dep')).toBe(allStages(m)[2]);
  });

  test('labels and endpoint types', () => {
    const m = model(resources);
    expect(stageLabel(stageView(m, 'Prod')!)).toBe('stage "prod" (Prod)');
    expect(stageLabel(stageView(m, 'Named')!)).toBe('stage Named');
    expect([apiLabel(m, 'Api'), apiLabel(m, 'Other')]).toEqual(['API "predict-api" (Api)', 'API Other']);
    const types = model({
      None: { Type: T.REST_API }, NoTypes: { Type: T.REST_API, Properties: { EndpointConfiguration: {} } },
      Reg: { Type: T.REST_API, Properties: { EndpointConfiguration: { Types: ['regional', 'PRIVATE'] } } },
      Odd: { Type: T.REST_API, Properties: { EndpointConfiguration: { Types: [ref('P')] } } },
      If: { Type: T.REST_API, Properties: { EndpointConfiguration: { Types: { 'Fn::If': ['C', ['EDGE'], ['REGIONAL']] } } } },
      Mixed: { Type: T.REST_API, Properties: { EndpointConfiguration: { Types: ['REGIONAL', ref('P')] } } },
    });
    // Unknown when any type is an expression, even beside a literal one.
    expect(['None', 'NoTypes', 'Reg', 'Odd', 'If', 'Mixed'].map((id) => endpointTypes(types, id))).toEqual([['EDGE'], ['EDGE'], ['REGIONAL', 'PRIVATE'], undefined, undefined, undefined]);
  });

  test('an ARN points at a stage by the Stage resource, or by the API with /stages/<name>', () => {
    const m = model(resources);
    const prod = stageView(m, 'Prod')!;
    expect(arnPointsAtStage({ 'Fn::Join': ['', ['arn:aws:apigateway:', ref('AWS::Region'), '::/restapis/', ref('Prod')]] }, prod)).toBe(true);
    expect(arnPointsAtStage({ 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod' }, prod)).toBe(true);
    expect(arnPointsAtStage({ 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod2' }, prod)).toBe(false);
    expect(arnPointsAtStage({ 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${Other}/stages/prod' }, prod)).toBe(false);
    // The API without a readable stage name cannot be matched by name.
    expect(arnPointsAtStage({ 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/beta' }, stageView(m, 'Named')!)).toBe(false);
    expect(arnPointsAtStage({ 'Fn::Sub': 'x/stages/prod' }, { id: 'S', stageName: 'prod', methodSettings: [] })).toBe(false);
    // An ARN of the API whose text cannot be rendered (a Fn::Select part) is not matched by name.
    const selected = { 'Fn::Join': ['', ['arn:aws:apigateway:', ref('AWS::Region'), '::/restapis/', ref('Api'), '/stages/', { 'Fn::Select': [0, ['prod']] }]] };
    expect([arnPointsAtStage(selected, prod), arnPointsAtStage(selected, stageView(m, 'Named')!)]).toEqual([false, false]);
    // A stage whose name is not known matches no name, not even the text "undefined".
    expect(arnPointsAtStage({ 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/undefined' }, stageView(m, 'Named')!)).toBe(false);
  });

  test('method labels: from the OpenAPI body, or the resource path walked up to the root', () => {
    const m = model({
      Api: { Type: T.REST_API },
      A: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: ref('Api'), ParentId: getAtt('Api', 'RootResourceId'), PathPart: 'v1' } },
      B: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: ref('Api'), ParentId: ref('A'), PathPart: { 'Fn::Sub': 'x' } } },
      Post: { Type: T.METHOD, Properties: { RestApiId: ref('Api'), ResourceId: ref('B'), HttpMethod: 'post' } },
      Root: { Type: T.METHOD, Properties: { RestApiId: ref('Api'), ResourceId: getAtt('Api', 'RootResourceId'), HttpMethod: 5 } },
      FromBody: { Type: T.METHOD, Properties: { RestApiId: ref('Api'), HttpMethod: 'GET' }, Metadata: { [OPENAPI_PATH_METADATA_KEY]: '/predict' } },
      Orphan: { Type: T.METHOD, Properties: { HttpMethod: 'GET' }, Metadata: { [OPENAPI_PATH_METADATA_KEY]: '/p' } },
    });
    expect(methodLabel(m, 'Post')).toBe('method POST /v1/{?} (Post)');
    expect(methodLabel(m, 'Root')).toBe('method ? / (Root)');
    expect(methodLabel(m, 'FromBody')).toBe('method GET /predict (in the OpenAPI Body of Api)');
    expect(methodLabel(m, 'Orphan')).toBe('method GET /p (in the OpenAPI Body of ?)');
    // An id that is not in the template: no verb, no path.
    expect(methodLabel(m, 'Missing')).toBe('method ? / (Missing)');
  });

  test('a ParentId cycle ends after 30 levels of path', () => {
    const m = model({
      A: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: ref('B'), PathPart: 'a' } },
      B: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: ref('A'), PathPart: 'b' } },
      M: { Type: T.METHOD, Properties: { ResourceId: ref('A'), HttpMethod: 'GET' } },
    });
    // A, B, A, ... 30 parts, the method's resource last.
    expect(methodLabel(m, 'M')).toBe(`method GET ${'/b/a'.repeat(15)} (M)`);
  });

  test('a stage behind API keys that no usage plan lists lets no call through', () => {
    const base: Resources = {
      Api: { Type: T.REST_API, Properties: { Name: 'a' } },
      S: { Type: T.STAGE, Properties: { RestApiId: ref('Api'), StageName: 'prod' } },
      M1: { Type: T.METHOD, Properties: { RestApiId: ref('Api'), ApiKeyRequired: true } },
      M2: { Type: T.METHOD, Properties: { RestApiId: ref('Api'), ApiKeyRequired: 'true' } },
    };
    const locked = (r: Resources, parameters?: Record<string, unknown>) => { const m = model(r, parameters); return keyLockedStage(m, stageView(m, 'S')!); };
    expect(locked(base)).toBe('every method of API "a" (Api) requires an API key and no usage plan lists stage "prod" (S), so every call to it gets 403 before any throttle or integration');
    // A plan listing the stage by reference, or by its literal name, opens it.
    expect(locked({ ...base, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: ref('S') }] } } })).toBeUndefined();
    expect(locked({ ...base, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: 'prod' }] } } })).toBeUndefined();
    // A plan of another stage name, or of another API, does not.
    expect(locked({ ...base, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: 'dev' }, 'junk', null] } } })).toMatch(/^every method/);
    // Another stage of the API by reference, or an entry without a Stage, does not either.
    const dev: Resources = { Dev: { Type: T.STAGE, Properties: { RestApiId: ref('Api'), StageName: 'dev' } } };
    expect(locked({ ...base, ...dev, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: ref('Dev') }] } } })).toMatch(/^every method/);
    expect(locked({ ...base, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api') }] } } })).toMatch(/^every method/);
    // A plan's stage only known at deploy time may be this one: not locked. The same parameter
    // without a default naming both the stage and the plan's entry is the usual hand-written case.
    expect(locked({ ...base, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: { 'Fn::ImportValue': 'stage' } }] } } })).toBeUndefined();
    const byParameter: Resources = { ...base, S: { Type: T.STAGE, Properties: { RestApiId: ref('Api'), StageName: ref('StageName') } }, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: ref('StageName') }] } } };
    expect(locked(byParameter, { StageName: { Type: 'String' } })).toBeUndefined();
    // A stage whose name is not known may be the one a plan names.
    const unnamed: Resources = { ...base, S: { Type: T.STAGE, Properties: { RestApiId: ref('Api'), StageName: ref('StageName') } } };
    expect(locked({ ...unnamed, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('Api'), Stage: 'dev' }] } } })).toBeUndefined();
    expect(locked(unnamed)).toMatch(/^every method of API "a" \(Api\) requires an API key and no usage plan lists stage S,/);
    expect(locked({ ...base, B: { Type: T.REST_API }, P: { Type: T.USAGE_PLAN, Properties: { ApiStages: [{ ApiId: ref('B'), Stage: 'prod' }] } } })).toMatch(/^every method/);
    // One method without a key, no methods at all, an API defined in S3: some call may get through.
    expect(locked({ ...base, M3: { Type: T.METHOD, Properties: { RestApiId: ref('Api'), ApiKeyRequired: false } } })).toBeUndefined();
    expect(locked({ Api: base.Api, S: base.S })).toBeUndefined();
    expect(locked({ ...base, Api: { Type: T.REST_API, Properties: { BodyS3Location: { Bucket: 'b', Key: 'k' } } } })).toBeUndefined();
    expect(keyLockedStage(model(base), { id: 'X', methodSettings: [] })).toBeUndefined();
  });
});

describe('HTTP stages, scalable targets, web ACL associations', () => {
  test('indexed by the resource they reference', () => {
    const m = model({
      H: { Type: T.HTTP_API }, H2: { Type: T.HTTP_API },
      S1: { Type: T.HTTP_STAGE, Properties: { ApiId: ref('H') } }, S2: { Type: T.HTTP_STAGE, Properties: { ApiId: ref('H') } },
      Svc: { Type: T.SERVICE },
      T1: { Type: T.SCALABLE_TARGET, Properties: { ResourceId: { 'Fn::Join': ['/', ['service', ref('Cluster'), getAtt('Svc', 'Name')]] } } },
      W1: { Type: T.WEB_ACL_ASSOCIATION, Properties: { ResourceArn: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}::/restapis/${H}/stages/x' } } },
    });
    expect([httpStagesOfApi(m, 'H'), httpStagesOfApi(m, 'H2')]).toEqual([['S1', 'S2'], []]);
    expect([scalableTargetsOf(m, 'Svc'), scalableTargetsOf(m, 'H')]).toEqual([['T1'], []]);
    expect([webAclAssociationsOf(m, 'H'), webAclAssociationsOf(m, 'Svc')]).toEqual([['W1'], []]);
  });
});

describe('SQS dead-letter queues and Lambda functions', () => {
  test('a redrive policy as an object or a JSON string; a queue without one', () => {
    const m = model({
      Main: { Type: T.QUEUE, Properties: { RedrivePolicy: { deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 5 } } },
      Json: { Type: T.QUEUE, Properties: { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:x","maxReceiveCount":3}' } },
      Dlq: { Type: T.QUEUE },
    });
    expect(redrive(m, 'Main')).toEqual({ present: true, dlqArn: getAtt('Dlq', 'Arn'), dlqId: 'Dlq', maxReceiveCount: 5 });
    expect(redrive(m, 'Json')).toEqual({ present: true, dlqArn: 'arn:aws:sqs:us-east-1:1:x', dlqId: undefined, maxReceiveCount: 3 });
    expect(redrive(m, 'Dlq')).toEqual({ present: false });
    expect([deadLetterSources(m, 'Dlq'), deadLetterSources(m, 'Main')]).toEqual([['Main'], []]);
  });

  test('a queue that only names another (a redrive allow policy) is not its dead-letter source', () => {
    const m = model({
      Main: { Type: T.QUEUE, Properties: { RedrivePolicy: { deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 5 } } },
      Dlq: { Type: T.QUEUE, Properties: { RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [getAtt('Main', 'Arn')] } } },
    });
    expect([deadLetterSources(m, 'Main'), deadLetterSources(m, 'Dlq')]).toEqual([[], ['Main']]);
    expect([isDeadLetterQueue(m, 'Main'), isDeadLetterQueue(m, 'Dlq')]).toEqual([false, true]);
  });

  test('a dead-letter queue chosen by a condition is one; a queue also named elsewhere still is', () => {
    const m = model({
      Main: { Type: T.QUEUE, Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::If': ['Prod', getAtt('DlqA', 'Arn'), getAtt('DlqB', 'Arn')] }, maxReceiveCount: 5 } } },
      DlqA: { Type: T.QUEUE }, DlqB: { Type: T.QUEUE },
      Fn: { Type: T.FUNCTION, Properties: { Environment: { Variables: { FAILED: ref('DlqA') } } } },
    });
    // redrive reads a direct reference only; the dead-letter check reads the policy's path.
    expect(redrive(m, 'Main').dlqId).toBeUndefined();
    expect(['DlqA', 'DlqB', 'Main'].map((q) => isDeadLetterQueue(m, q))).toEqual([true, true, false]);
  });

  test('a subscription of a failure topic that names a queue without delivering to it', () => {
    const m = model({
      Errors: { Type: T.TOPIC },
      Endpoint: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { AsyncInferenceConfig: { OutputConfig: { NotificationConfig: { ErrorTopic: ref('Errors') } } } } },
      Fn: { Type: T.FUNCTION },
      // Delivers to the function; the queue only appears in its filter policy.
      Sub: { Type: T.SUBSCRIPTION, Properties: { TopicArn: ref('Errors'), Endpoint: getAtt('Fn', 'Arn'), Protocol: 'lambda', FilterPolicy: { queue: [getAtt('Q', 'QueueName')] } } },
      Q: { Type: T.QUEUE },
    });
    expect(isDeadLetterQueue(m, 'Q')).toBe(false);
  });

  test('a dead-letter queue: of a queue, of a function or event source failure path, or fed by a failure topic', () => {
    const m = model({
      Main: { Type: T.QUEUE, Properties: { RedrivePolicy: { deadLetterTargetArn: getAtt('Dlq', 'Arn') } } },
      Dlq: { Type: T.QUEUE },
      FnDlq: { Type: T.QUEUE },
      Fn: { Type: T.FUNCTION, Properties: { DeadLetterConfig: { TargetArn: getAtt('FnDlq', 'Arn') }, Environment: { Variables: { Q: ref('Plain') } } } },
      EsmDlq: { Type: T.QUEUE },
      Esm: { Type: T.EVENT_SOURCE_MAPPING, Properties: { DestinationConfig: { OnFailure: { Destination: getAtt('EsmDlq', 'Arn') } } } },
      Plain: { Type: T.QUEUE },
      Errors: { Type: T.TOPIC },
      Endpoint: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { AsyncInferenceConfig: { OutputConfig: { NotificationConfig: { ErrorTopic: ref('Errors') } } } } },
      ErrSub: { Type: T.SUBSCRIPTION, Properties: { TopicArn: ref('Errors'), Endpoint: getAtt('Failures', 'Arn'), Protocol: 'sqs' } },
      Failures: { Type: T.QUEUE },
      News: { Type: T.TOPIC },
      NewsSub: { Type: T.SUBSCRIPTION, Properties: { TopicArn: ref('News'), Endpoint: getAtt('Feed', 'Arn') } },
      Feed: { Type: T.QUEUE },
    });
    expect(['Dlq', 'FnDlq', 'EsmDlq', 'Failures', 'Plain', 'Feed', 'Main'].map((q) => isDeadLetterQueue(m, q))).toEqual([true, true, true, true, false, false, false]);
  });

  test('a name only known at deploy time is no function, not even one declared without a name', () => {
    const m = model({ Anon: { Type: T.FUNCTION }, Fn: { Type: T.FUNCTION, Properties: { FunctionName: 'worker' } } });
    expect([functionOf(m, { 'Fn::ImportValue': 'worker' }), functionOf(m, { Ref: 'NoSuchParameter' })]).toEqual([undefined, undefined]);
    expect(functionOf(m, 'worker')).toBe('Fn');
  });

  test('the function an event source mapping invokes: by reference, by alias or version, by literal name', () => {
    const m = model({
      Fn: { Type: T.FUNCTION, Properties: { FunctionName: 'worker' } },
      Fn2: { Type: T.FUNCTION, Properties: { FunctionName: 'worker' } },
      Alias: { Type: T.ALIAS, Properties: { FunctionName: ref('Fn') } },
      Version: { Type: T.VERSION, Properties: { FunctionName: ref('Fn') } },
      Perm: { Type: T.LAMBDA_PERMISSION, Properties: { FunctionName: ref('Fn'), Action: 'lambda:InvokeFunction' } },
      Q: { Type: T.QUEUE, Properties: { QueueName: 'worker' } },
    });
    expect(functionOf(m, ref('Fn'))).toBe('Fn');
    expect(functionOf(m, getAtt('Fn', 'Arn'))).toBe('Fn');
    expect([functionOf(m, ref('Alias')), functionOf(m, ref('Version'))]).toEqual(['Fn', 'Fn']);
    // The first function declaring the name.
    expect(functionOf(m, 'worker')).toBe('Fn');
    expect([functionOf(m, 'nobody'), functionOf(m, ref('Q')), functionOf(m, { 'Fn::ImportValue': 'x' })]).toEqual([undefined, undefined, undefined]);
    expect(findByLiteral(m, T.FUNCTION, 'FunctionName', 'worker')).toBe('Fn');
    // Only an alias or a version is followed to its function: a permission names one too, and is neither.
    expect(functionOf(m, ref('Perm'))).toBeUndefined();
    // One index per type and property: the queue named "worker" after the function of that name.
    expect(findByLiteral(m, T.QUEUE, 'QueueName', 'worker')).toBe('Q');
  });
});

describe('CloudWatch alarms', () => {
  const resources: Resources = {
    Q: { Type: T.QUEUE },
    Plain: { Type: T.ALARM, Properties: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: getAtt('Q', 'QueueName') }, 'junk'], AlarmActions: ['arn:sns'], ComparisonOperator: 'GreaterThanThreshold', Threshold: 10 } },
    Math: {
      Type: T.ALARM, Properties: {
        Metrics: [
          { Id: 'm1', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'NumberOfMessagesSent', Dimensions: [{ Name: 'QueueName', Value: 'jobs' }, 'junk'] } } },
          { Id: 'e1', Expression: 'm1 * 2' },
          'junk', null,
        ],
        AlarmActions: [ref('Topic')],
      },
    },
    Other: { Type: T.ALARM, Properties: { MetricName: 'NumberOfMessagesSent', Dimensions: [{ Name: 'QueueName', Value: 'other' }, { Name: 5, Value: 'jobs' }], AlarmActions: ['x'] } },
  };

  test('the metrics an alarm watches: its own, and those of a metric-math alarm', () => {
    const m = model(resources);
    expect(alarmMetrics(m, 'Plain')).toEqual([{ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: [{ Name: 'QueueName', Value: getAtt('Q', 'QueueName') }] }]);
    expect(alarmMetrics(m, 'Math')).toEqual([{ namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: [{ Name: 'QueueName', Value: 'jobs' }] }]);
    expect(alarmMetrics(m, 'Math')).toBe(alarmMetrics(m, 'Math'));
  });

  test('alarms on a dimension: by reference or by literal name, for one metric or any, in template order', () => {
    const m = model(resources);
    expect(alarmsOn(m, undefined, 'QueueName', 'Q', ['jobs'])).toEqual(['Plain', 'Math']);
    expect(alarmsOn(m, 'NumberOfMessagesSent', 'QueueName', 'Q', ['jobs'])).toEqual(['Math']);
    expect(alarmsOn(m, 'ApproximateNumberOfMessagesVisible', 'QueueName', 'Q', [])).toEqual(['Plain']);
    expect(alarmsOn(m, undefined, 'QueueName', 'Nothing', ['other', 'jobs'])).toEqual(['Math', 'Other']);
    expect(alarmsOn(m, undefined, 'FunctionName', 'Q', ['jobs'])).toEqual([]);
  });

  test('a metric-math alarm is on a metric when that metric, not another of the alarm, has the dimension', () => {
    const metric = (id: string, name: string, dimensions: unknown[]) => ({ Id: id, MetricStat: { Metric: { MetricName: name, Dimensions: dimensions } } });
    const m = model({
      Q: { Type: T.QUEUE }, R: { Type: T.QUEUE },
      Mixed: {
        Type: T.ALARM, Properties: {
          Metrics: [
            // Messages sent: to R, or to a queue named "other"; Q only under another dimension name.
            metric('a', 'NumberOfMessagesSent', [{ Name: 'QueueName', Value: getAtt('R', 'QueueName') }, { Name: 'Other', Value: getAtt('Q', 'QueueName') }, { Name: 'QueueName', Value: 'other' }]),
            metric('b', 'ApproximateAgeOfOldestMessage', [{ Name: 'QueueName', Value: getAtt('Q', 'QueueName') }]),
          ],
        },
      },
    });
    expect(alarmsOn(m, 'ApproximateAgeOfOldestMessage', 'QueueName', 'Q', [])).toEqual(['Mixed']);
    expect(alarmsOn(m, 'NumberOfMessagesSent', 'QueueName', 'Q', ['jobs'])).toEqual([]);
    expect(alarmsOn(m, 'NumberOfMessagesSent', 'QueueName', 'R', [])).toEqual(['Mixed']);
  });

  test('a dimension name or value that cannot be turned into text is skipped, not a crash', () => {
    // JSON can hold a map whose toString is not a function: turning it into text throws.
    const hostile = { toString: 'x' };
    const m = model({
      A: { Type: T.ALARM, Properties: { MetricName: 'Errors', Dimensions: [{ Name: hostile, Value: 'jobs' }, { Name: 'QueueName', Value: hostile }, { Name: 'QueueName', Value: 'jobs' }] } },
    });
    expect(alarmsOn(m, 'Errors', 'QueueName', 'Q', ['jobs'])).toEqual(['A']);
  });

  test('an alarm that cannot protect: actions disabled, no action, a comparison that always holds', () => {
    const defects = (props: Record<string, unknown>) => alarmDefects(model({ A: { Type: T.ALARM, Properties: { MetricName: 'Errors', AlarmActions: ['x'], ...props } } }), 'A');
    expect(defects({})).toEqual([]);
    expect(defects({ ActionsEnabled: false })).toEqual(['ActionsEnabled is false']);
    expect(defects({ ActionsEnabled: 'false' })).toEqual(['ActionsEnabled is false']);
    expect(defects({ AlarmActions: [] })).toEqual(['no AlarmActions, so nobody is notified']);
    expect(defects({ AlarmActions: { 'Fn::If': ['C', ['x'], []] } })).toEqual([]);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0 })).toEqual(['GreaterThanOrEqualToThreshold 0 holds for every value, so the alarm is always in ALARM']);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: '-1' })).toEqual(['GreaterThanOrEqualToThreshold -1 holds for every value, so the alarm is always in ALARM']);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0.5 })).toEqual([]);
    expect(defects({ ComparisonOperator: 'GreaterThanThreshold', Threshold: -0.5 })).toEqual(['GreaterThanThreshold -0.5 holds for every value, so the alarm is always in ALARM']);
    expect(defects({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 })).toEqual([]);
    expect(defects({ ComparisonOperator: 'LessThanThreshold', Threshold: -1 })).toEqual([]);
    expect(defects({ ComparisonOperator: 'GreaterThanThreshold', Threshold: ' ' })).toEqual([]);
    // A Threshold written as a string is read as its number; a blank one, or one that is not a
    // number or a string, is not read as 0.
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: '0' })).toEqual(['GreaterThanOrEqualToThreshold 0 holds for every value, so the alarm is always in ALARM']);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: '5' })).toEqual([]);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: ' ' })).toEqual([]);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: null })).toEqual([]);
    expect(defects({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: { Ref: 'T' } })).toEqual([]);
    // One count among the metrics of a metric-math alarm is enough; an alarm without a metric has none;
    // a metric name that is not a string (a list) is not read as one.
    const always = ['GreaterThanOrEqualToThreshold 0 holds for every value, so the alarm is always in ALARM'];
    const metric = (name: string) => ({ Id: name.toLowerCase(), MetricStat: { Metric: { MetricName: name } } });
    expect(defects({ MetricName: undefined, Metrics: [metric('Errors'), metric('Temperature')], ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0 })).toEqual(always);
    expect(defects({ MetricName: undefined, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0 })).toEqual([]);
    expect(defects({ MetricName: ['Errors'], ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0 })).toEqual([]);
    // A metric that can be negative (not a count) may sit below 0.
    expect(alarmDefects(model({ A: { Type: T.ALARM, Properties: { MetricName: 'Temperature', AlarmActions: ['x'], ComparisonOperator: 'GreaterThanThreshold', Threshold: -1 } } }), 'A')).toEqual([]);
    // Disabled and always in ALARM: both.
    expect(defects({ ActionsEnabled: false, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0 })).toHaveLength(2);
  });

  test('effective alarms: the good ones, and why the others are not', () => {
    const m = model({
      Good: { Type: T.ALARM, Properties: { MetricName: 'Errors', AlarmActions: ['x'] } },
      Off: { Type: T.ALARM, Properties: { MetricName: 'Errors', AlarmActions: [], ActionsEnabled: false, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0 } },
    });
    expect(effectiveAlarms(m, ['Good', 'Off'])).toEqual({
      good: ['Good'],
      broken: ['alarm Off: ActionsEnabled is false; GreaterThanOrEqualToThreshold 0 holds for every value, so the alarm is always in ALARM'],
    });
  });
});
