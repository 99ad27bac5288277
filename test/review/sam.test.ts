import { createHash } from 'crypto';
import * as path from 'path';
import { DEFAULT_PRICES, MitigationMark, TemplateReview, loadTemplate, reviewTemplate } from '../../lib/review';
import { expandSam, mergeGlobals } from '../../lib/review/sam';

const dir = path.join(__dirname, 'fixtures', 'sam');
const review = (file: string): TemplateReview => reviewTemplate(loadTemplate(path.join(dir, file), dir));
/** `component: mark mark mark mark mark`, by component id. */
const marks = (r: TemplateReview) => Object.fromEntries(r.components.map((c) => [c.id, Object.values(c.mitigations).map((m) => m.mark).join(' ')]));
/**
 * `rule resource` per finding. SAM names a deployment `<Api>Deployment<10 hex>` after a hash of the
 * API's whole definition, which this review does not reproduce digit for digit: shown as `<hash>`.
 */
const findings = (r: TemplateReview) => r.findings.map((f) => `${f.ruleId} ${f.resource.replace(/Deployment[0-9a-f]{10}$/, 'Deployment<hash>')}`).sort();

/**
 * Each `*.yaml` SAM template here has a `*.translated.json` beside it: the output of the real SAM
 * translator (aws-sam-translator 1.115.0, `samtranslator.translator.transform.transform`, Region
 * us-east-1), committed so the test needs no Python. The review of the SAM template must give the
 * same marks and the same findings as the review of what SAM generates.
 */
describe.each(['issue-example', 'guarded', 'http-api', 'implicit-shared', 'batching-window', 'definitions', 'api-targets'])('SAM %s: same review as the template SAM generates', (name) => {
  test('same mitigation marks and findings', () => {
    const sam = review(`${name}.yaml`);
    const plain = review(`${name}.translated.json`);
    expect(marks(sam)).toEqual(marks(plain));
    expect(findings(sam)).toEqual(findings(plain));
    expect(sam.notes[0]).toMatch(/^SAM template: AWS::Serverless::Function, AWS::Serverless::Api, AWS::Serverless::HttpApi resources are reviewed as the resources the SAM transform generates/);
  });
});

describe('SAM review of the issue example', () => {
  const r = review('issue-example.yaml');
  test('the API, the queue and the endpoint are reviewed; MethodSettings and Auth.UsagePlan are credited', () => {
    expect(r.components.map((c) => c.label)).toEqual(['API "predict-api" (PredictApi)', 'queue Jobs', 'endpoint "mnist" (Endpoint)']);
    const api = r.components[0];
    const rate = api.mitigations['rate limiting'].results.filter((x) => x.status === 'compliant').map((x) => `${x.ruleId} ${x.resource}`);
    expect(rate).toEqual(expect.arrayContaining(['InferenceGuard-APIStageThrottling PredictApiprodStage', 'InferenceGuard-APIUsagePlanLimits PredictApiUsagePlan']));
  });
  test('findings: the 120 s Globals timeout against the 60 s visibility, the extra "Stage" stage, the missing WAF, validation and alarms', () => {
    expect(findings(r)).toEqual([
      'InferenceGuard-APIAccessLogging PredictApiprodStage',
      'InferenceGuard-APIRequestValidation PredictApi.POST./predict',
      'InferenceGuard-APIRequestValidation PredictApi.POST./predict',
      // SAM's extra stage "Stage" (no OpenApiVersion) has no throttle, but every method requires an
      // API key and no usage plan lists that stage: every call to it gets 403, so it is not flagged.
      'InferenceGuard-APIWAFRateLimit PredictApiprodStage',
      'InferenceGuard-AlarmAPI5XX PredictApi',
      'InferenceGuard-AlarmComputeHealth Endpoint',
      'InferenceGuard-AlarmDLQDepth JobsDlq',
      // The functions' implicit /aws/lambda/<name> log groups never expire.
      'InferenceGuard-LambdaLogRetention Consumer',
      'InferenceGuard-LambdaLogRetention PredictFunction',
      'InferenceGuard-SQSVisibilityTimeout ConsumerJobs',
      'InferenceGuard-SageMakerVariantScaling Endpoint',
    ]);
    const vis = r.findings.find((f) => f.ruleId === 'InferenceGuard-SQSVisibilityTimeout')!;
    expect(vis.message).toMatch(/queue Jobs VisibilityTimeout = 60 s: allowed at least 720 s \(6 x function Consumer timeout 120 s\)/);
    // Findings on generated resources point at the SAM resource they come from.
    expect(vis.line).toBe(65);
    expect(r.notes.join('\n')).toMatch(/stage named "Stage"/);
    expect(r.components[0].mitigations.timeouts.mark).toBe(MitigationMark.PRESENT);
  });
});

describe('SAM\'s extra stage "Stage" behind API keys no usage plan covers', () => {
  test('not applicable to the throttle and WAF rules, with the reason; priced at 0 rps instead of unbounded', () => {
    const r = reviewTemplate(loadTemplate(path.join(dir, 'issue-example.yaml'), dir), { prices: DEFAULT_PRICES });
    const stage = r.components[0].mitigations['rate limiting'].results;
    expect(stage.filter((x) => /Deployment/.test(x.resource))).toEqual([]);
    const cost = r.cost!.components.find((c) => c.id === 'PredictApi')!;
    expect(cost.perHour).toBeDefined();
    expect(cost.lines[0].formula).toMatch(/0 rps \(Stage: 403 for every call, no usage plan lists it\)/);
  });
  test('still flagged when one method takes calls without a key', () => {
    const loaded = loadTemplate(path.join(dir, 'issue-example.yaml'), dir);
    const open = structuredClone(loaded);
    const predict = Object.values(open.template.Resources).find((x) => x.Type === 'AWS::Serverless::Function' && JSON.stringify(x).includes('"Type":"Api"'))!;
    const event = Object.values((predict.Properties as { Events: Record<string, { Properties: Record<string, unknown> }> }).Events)[0];
    event.Properties.Auth = { ApiKeyRequired: false };
    expect(findings(reviewTemplate(open))).toEqual(expect.arrayContaining(['InferenceGuard-APIStageThrottling PredictApiDeployment<hash>']));
  });
});

describe('SAM review of a consumer with a batching window', () => {
  test('MaximumBatchingWindowInSeconds reaches the event source mapping: 190 s < 6 x 30 s + 20 s', () => {
    const r = review('batching-window.yaml');
    expect(findings(r)).toContain('InferenceGuard-SQSVisibilityTimeout WorkerJobs');
    const vis = r.findings.find((f) => f.ruleId === 'InferenceGuard-SQSVisibilityTimeout')!;
    // 6 x 30 s = 180 s would pass; the 20 s window makes it 200 s.
    expect(vis.message).toMatch(/queue Jobs VisibilityTimeout = 190 s: allowed at least 200 s \(6 x function Worker timeout 30 s \+ batching window 20 s\)/);
    expect(expandSam(loadTemplate(path.join(dir, 'batching-window.yaml'), dir).template as never).template.Resources.WorkerJobs.Properties)
      .toMatchObject({ BatchSize: 50, MaximumBatchingWindowInSeconds: 20, ScalingConfig: { MaximumConcurrency: 2 } });
  });
});

describe('SAM expansion', () => {
  test('Globals merge: maps key by key, lists concatenated (globals first), the resource wins on scalars', () => {
    expect(mergeGlobals({ Timeout: 120, Environment: { Variables: { A: '1', B: '1' } }, Layers: ['g'] }, { Timeout: 30, Environment: { Variables: { B: '2' } }, Layers: ['l'] }))
      .toEqual({ Timeout: 30, Environment: { Variables: { A: '1', B: '2' } }, Layers: ['g', 'l'] });
    // An intrinsic replaces rather than merges, on either side; a map of one key that is not an intrinsic merges.
    expect(mergeGlobals({ Role: { 'Fn::GetAtt': ['A', 'Arn'] } }, { Role: { Ref: 'B' } })).toEqual({ Role: { Ref: 'B' } });
    expect(mergeGlobals({ 'Fn::If': ['C', { A: 1 }, { B: 2 }] }, { D: 3 })).toEqual({ D: 3 });
    expect(mergeGlobals({ A: 1 }, { Condition: 'C' })).toEqual({ Condition: 'C' });
    expect(mergeGlobals({ A: 1 }, { 'Fn::Sub': 'x' })).toEqual({ 'Fn::Sub': 'x' });
    expect(mergeGlobals({ A: 1 }, { Reference: 2 })).toEqual({ A: 1, Reference: 2 });
    expect(mergeGlobals({ A: 1 }, { Ref: 'x', B: 2 })).toEqual({ A: 1, Ref: 'x', B: 2 });
    // null is no map: it replaces the global's.
    expect(mergeGlobals({ A: { B: 1 } }, { A: null })).toEqual({ A: null });
    // A Ref replaces a map on either side, and a map replaces a Ref.
    expect(mergeGlobals({ A: 1 }, { Ref: 'x' })).toEqual({ Ref: 'x' });
    expect(mergeGlobals({ Ref: 'x' }, { A: 1 })).toEqual({ A: 1 });
    // A `__proto__` key (JSON.parse makes it an own property) stays a key: the prototype is untouched.
    const merged = mergeGlobals(JSON.parse('{"__proto__": {"A": 1}, "B": 2}'), { C: 3 }) as object;
    expect([Object.keys(merged), Object.getPrototypeOf(merged) === Object.prototype, (merged as { A?: number }).A]).toEqual([['__proto__', 'B', 'C'], true, undefined]);
    // Absent locally: the global; a list against a scalar: the resource's.
    expect(mergeGlobals({ A: 1 }, undefined)).toEqual({ A: 1 });
    expect(mergeGlobals(['g'], 'l')).toBe('l');
  });

  test('an event naming its API by its logical id as text gets that API, as with Ref (SAM reads both); a transform list without SAM is left alone', () => {
    const t = expandSam({
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod' } },
        F: { Type: 'AWS::Serverless::Function', Properties: { Events: { E: { Type: 'Api', Properties: { RestApiId: 'Api', Path: '/x', Method: 'get' } } } } },
      },
    } as never);
    expect(Object.keys((t.template.Resources.Api.Properties as { Body: { paths: object } }).Body.paths)).toEqual(['/x']);
    expect(t.template.Resources).not.toHaveProperty('ServerlessRestApi');
    expect(t.problems).toEqual([]);
    const other = { Transform: ['AWS::LanguageExtensions'], Resources: { F: { Type: 'AWS::Serverless::Function' } } };
    expect(expandSam(other as never).template).toBe(other);
  });

  test('without the SAM transform the template is untouched; other SAM types are kept and named in a note', () => {
    const plain = { Resources: { Q: { Type: 'AWS::SQS::Queue' } } };
    expect(expandSam(plain).template).toBe(plain);
    const sm = expandSam({ Transform: ['AWS::Serverless-2016-10-31'], Resources: { Flow: { Type: 'AWS::Serverless::StateMachine', Properties: {} } } });
    expect(sm.skippedTypes).toEqual(['AWS::Serverless::StateMachine']);
    expect(sm.template.Resources.Flow.Type).toBe('AWS::Serverless::StateMachine');
  });

  test('odd shapes (null where a map belongs, as YAML writes a key without a value) expand without throwing', () => {
    const x = expandSam({
      Transform: 'AWS::Serverless-2016-10-31', Globals: null,
      Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { Events: { A: null, B: { Type: 'Api', Properties: null } }, DeadLetterQueue: null, FunctionUrlConfig: null, Policies: null } } },
    } as never);
    expect(Object.keys(x.template.Resources).map((k) => k.replace(/Deployment[0-9a-f]{10}$/, 'Deployment<hash>')).sort())
      .toEqual(['F', 'FBPermission', 'FRole', 'ServerlessRestApi', 'ServerlessRestApiDeployment<hash>', 'ServerlessRestApiProdStage']);
    expect(x.template.Resources.FRole.Properties).not.toHaveProperty('Policies');
    expect(x.template.Resources.F.Properties).not.toHaveProperty('DeadLetterConfig');
  });

  test('Globals.Api and Globals.HttpApi reach the implicit APIs too (as SAM 1.115 translates them)', () => {
    const x = expandSam({
      Transform: 'AWS::Serverless-2016-10-31', Globals: { Api: { TracingEnabled: true }, HttpApi: { FailOnWarnings: true } },
      Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { Events: { A: { Type: 'Api', Properties: { Path: '/a', Method: 'get' } }, H: { Type: 'HttpApi', Properties: { Path: '/h', Method: 'get' } } } } } },
    } as never);
    expect(x.template.Resources.ServerlessRestApiProdStage.Properties).toMatchObject({ StageName: 'Prod', TracingEnabled: true });
    expect(x.template.Resources.ServerlessHttpApi.Properties).toMatchObject({ FailOnWarnings: true });
  });

  test('odd shapes (events that are not maps, a string Globals) expand without throwing', () => {
    const odd = expandSam({
      Transform: 'AWS::Serverless-2016-10-31', Globals: 'nope',
      Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { Events: { A: 'x', B: { Type: 'Api', Properties: { Path: 5 } }, C: { Type: 'SQS' } } } } },
    } as never);
    expect(Object.keys(odd.template.Resources).map((k) => k.replace(/Deployment[0-9a-f]{10}$/, 'Deployment<hash>')).sort())
      .toEqual(['F', 'FBPermission', 'FC', 'FRole', 'ServerlessRestApi', 'ServerlessRestApiDeployment<hash>', 'ServerlessRestApiProdStage']);
  });

  test('what the expansion keeps, drops and records: sections, origins, skipped types, passthrough, policies, parameters', () => {
    const x = expandSam({
      AWSTemplateFormatVersion: '2010-09-09', Transform: 'AWS::Serverless-2016-10-31', Globals: { Function: { Timeout: 3 } }, Parameters: { P: { Type: 'String' } },
      Resources: {
        Api: { Type: 'AWS::Serverless::Api', Condition: 'C', DependsOn: 'Q', Properties: { StageName: 'prod', DefinitionUri: 's3://b/api.yaml' } },
        Q: { Type: 'AWS::SQS::Queue' },
        Z: { Type: 'AWS::Serverless::StateMachine' },
        A: { Type: 'AWS::Serverless::LayerVersion' },
        F: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            Policies: ['AWSLambdaBasicExecutionRole', { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, { PolicyName: 'x' }],
            Events: { Get: { Type: 'Api', Properties: { Path: '/q', Method: 'get', RequestParameters: ['method.request.querystring.q', 'xmethod.request.header.h', 'method.request.path.p.x', { 'method.request.header.H': { Required: true } }, 5, null, {}, 'method.request.header.a\nb', 'method.request.cookie.c', { 'method.request.header.O': true }] } } },
          },
        },
      },
    } as never);
    const t = x.template as unknown as Record<string, Record<string, { Type: string; Properties: Record<string, unknown>; [k: string]: unknown }>>;
    expect(Object.keys(t).sort()).toEqual(['AWSTemplateFormatVersion', 'Parameters', 'Resources']);
    expect(x.skippedTypes).toEqual(['AWS::Serverless::LayerVersion', 'AWS::Serverless::StateMachine']);
    expect([x.origins.get('FRole'), x.origins.get('ApiprodStage'), x.origins.has('F'), x.origins.has('Api'), x.origins.get('ServerlessRestApiProdStage')]).toEqual(['F', 'Api', false, false, 'ServerlessRestApi']);
    const r = t.Resources;
    // The API's Condition and DependsOn go to the RestApi; a DefinitionUri (in S3) leaves no Body to read, only its location.
    expect([r.Api.Condition, r.Api.DependsOn, r.Api.Properties.Body, r.Api.Properties.BodyS3Location]).toEqual(['C', 'Q', undefined, { Bucket: 'b', Key: 'api.yaml' }]);
    expect(r.F.Metadata).toEqual({ SamResourceId: 'F' });
    expect(r.F.Properties.Timeout).toBe(3);
    // Inline statements only: a managed policy name and a map without Statement are not policy documents.
    expect(r.FRole.Properties.Policies).toEqual([{ PolicyName: 'FRolePolicy0', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }]);
    // The implicit API's stage is Prod; request parameters must start with method.request.
    expect(r.ServerlessRestApiProdStage.Properties.StageName).toBe('Prod');
    const body = r.ServerlessRestApi.Properties.Body as { paths: Record<string, Record<string, { parameters: unknown }>> };
    expect(body.paths['/q'].get.parameters).toEqual([
      { in: 'query', name: 'q', required: false, type: 'string' },
      { in: 'path', name: 'p.x', required: false, type: 'string' },
      { in: 'header', name: 'H', required: true, type: 'string' },
      { in: 'header', name: 'O', required: false, type: 'string' },
    ]);
  });

  /** The SAM transform over the given resources. */
  const sam = (resources: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    expandSam({ Transform: 'AWS::Serverless-2016-10-31', ...more, Resources: resources } as never);
  const props = (x: ReturnType<typeof expandSam>, id: string) => x.template.Resources[id].Properties as Record<string, unknown>;
  const sha10 = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 10);

  test('the deployment id: `<api>Deployment` + 10 hex digits of the SHA-1 of the document as compact JSON with sorted keys, or of its S3 location', () => {
    const deploymentOf = (api: Record<string, unknown>) => Object.keys(sam({ Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', ...api } } }).template.Resources).filter((k) => k.startsWith('ApiDeployment'));
    // Keys out of order at every level, inside a list too.
    expect(deploymentOf({ DefinitionBody: { swagger: '2.0', paths: { '/a': { get: { parameters: [{ name: 'q', in: 'query' }], responses: {} } } }, info: { version: '1', title: 't' } } }))
      .toEqual([`ApiDeployment${sha10('{"info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"parameters":[{"in":"query","name":"q"}],"responses":{}}}},"swagger":"2.0"}')}`]);
    expect(deploymentOf({ DefinitionUri: 's3://b/api.yaml' })).toEqual([`ApiDeployment${sha10('{"Bucket":"b","Key":"api.yaml"}')}`]);
    expect(deploymentOf({ DefinitionUri: { Key: 'api.yaml', Version: '3', Bucket: 'b' } })).toEqual([`ApiDeployment${sha10('{"Bucket":"b","Key":"api.yaml","Version":"3"}')}`]);
    // As Python's json.dumps(sort_keys=True) writes it: "1000" before "200" (a JavaScript object
    // lists integer-like keys first, in numeric order), and text outside ASCII escaped. The id is
    // what aws-sam-translator 1.115's LogicalIdGenerator('ApiDeployment', document).gen() returns
    // for this document.
    const document = { swagger: '2.0', info: { title: 'café 😀', version: '1' }, paths: { '/a': { get: { responses: { 200: { description: 'ok' }, 1000: { description: 'odd' } } } } } };
    expect(deploymentOf({ DefinitionBody: document })).toEqual(['ApiDeployment39624f1615']);
    expect(sha10('{"info":{"title":"caf\\u00e9 \\ud83d\\ude00","version":"1"},"paths":{"/a":{"get":{"responses":{"1000":{"description":"odd"},"200":{"description":"ok"}}}}},"swagger":"2.0"}')).toBe('39624f1615');
  });

  test('a DefinitionUri as SAM writes it: s3://bucket/key with an optional versionId, or a map of Bucket, Key and Version; anything else kept as given', () => {
    const location = (uri: unknown) => props(sam({ Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', DefinitionUri: uri } } }), 'Api').BodyS3Location;
    expect(location('s3://b/dir/api.yaml')).toEqual({ Bucket: 'b', Key: 'dir/api.yaml' });
    expect(location('s3://b/api.yaml?versionId=3')).toEqual({ Bucket: 'b', Key: 'api.yaml', Version: '3' });
    expect(location({ Bucket: 'b', Key: 'api.yaml', Other: 1 })).toEqual({ Bucket: 'b', Key: 'api.yaml' });
    for (const other of ['https://b/api.yaml', 'xs3://b/api.yaml', 's3://b/api.yaml?x=1', 's3://b', 's3:///api.yaml']) expect(location(other)).toBe(other);
    // A DefinitionBody beside it (SAM refuses the pair) is the document read.
    expect(props(sam({ Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', DefinitionUri: 's3://b/k', DefinitionBody: { paths: {} } } } }), 'Api'))
      .toEqual({ Body: { paths: {} } });
  });

  test('a DefinitionUri version of several characters; a list holding an S3 URI is not one (kept as given)', () => {
    const location = (uri: unknown) => props(sam({ Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', DefinitionUri: uri } } }), 'Api').BodyS3Location;
    expect(location('s3://b/api.yaml?versionId=3Lg.x')).toEqual({ Bucket: 'b', Key: 'api.yaml', Version: '3Lg.x' });
    expect(location(['s3://b/api.yaml'])).toEqual(['s3://b/api.yaml']);
  });

  test('a request parameter\'s options: Required must be true; an empty map or Required false is optional', () => {
    const x = sam({ F: { Type: 'AWS::Serverless::Function', Properties: { Events: { E: { Type: 'Api', Properties: { Path: '/q', Method: 'get', RequestParameters: [
      { 'method.request.querystring.a': {} }, { 'method.request.querystring.b': { Required: false } }, { 'method.request.querystring.c': { Required: 'true' } }, { 'method.request.querystring.d': { Required: true } },
    ] } } } } } });
    const body = props(x, 'ServerlessRestApi').Body as { paths: Record<string, Record<string, { parameters: Array<{ name: string; required: boolean }> }>> };
    expect(body.paths['/q'].get.parameters.map((q) => `${q.name} ${q.required}`)).toEqual(['a false', 'b false', 'c false', 'd true']);
  });

  test('a REST API\'s own document is a copy: events added with MergeDefinitions do not change the template', () => {
    const body = { swagger: '2.0', paths: {} };
    const x = sam({
      Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', MergeDefinitions: true, DefinitionBody: body } },
      F: { Type: 'AWS::Serverless::Function', Properties: { Events: { E: { Type: 'Api', Properties: { RestApiId: { Ref: 'Api' }, Path: '/x', Method: 'get' } } } } },
    });
    expect(Object.keys((props(x, 'Api').Body as { paths: object }).paths)).toEqual(['/x']);
    expect(body).toEqual({ swagger: '2.0', paths: {} });
  });

  test('the permission an API event adds: invoke from any stage, method and path of the API', () => {
    const x = sam({ F: { Type: 'AWS::Serverless::Function', Properties: { Events: { E: { Type: 'Api', Properties: { Path: '/x', Method: 'get' } }, H: { Type: 'HttpApi' } } } } });
    expect(x.template.Resources.FEPermission).toEqual({
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'F' }, Principal: 'apigateway.amazonaws.com',
        SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessRestApi}/*' },
      },
    });
    expect((props(x, 'FHPermission').SourceArn as Record<string, string>)['Fn::Sub']).toBe('arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessHttpApi}/*');
  });

  test('the shared usage plan\'s resources come from the first API that asks for the plan', () => {
    const shared = { StageName: 's', Auth: { UsagePlan: { CreateUsagePlan: 'SHARED' } } };
    const x = sam({ Q: { Type: 'AWS::SQS::Queue' }, One: { Type: 'AWS::Serverless::Api', Properties: shared }, Two: { Type: 'AWS::Serverless::Api', Properties: shared } });
    expect(['ServerlessUsagePlan', 'ServerlessApiKey', 'ServerlessUsagePlanKey'].map((id) => x.origins.get(id))).toEqual(['One', 'One', 'One']);
    expect(x.template.Resources.ServerlessUsagePlan.DependsOn).toEqual(['One', 'Two']);
  });

  test('the API types are expanded, not named among the skipped ones; without the transform nothing is expanded or skipped', () => {
    const x = sam({ A: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's' } }, H: { Type: 'AWS::Serverless::HttpApi' }, L: { Type: 'AWS::Serverless::LayerVersion' } });
    expect(x.skippedTypes).toEqual(['AWS::Serverless::LayerVersion']);
    expect([x.template.Resources.A.Type, x.template.Resources.H.Type]).toEqual(['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api']);
    const plain = { Resources: { L: { Type: 'AWS::Serverless::LayerVersion' } } };
    expect(expandSam(plain)).toEqual({ template: plain, origins: new Map(), skippedTypes: [], problems: [] });
  });

  test('an event naming what SAM refuses (no resource of the template, another value than a logical id, an HTTP API for an Api event) is a problem, and builds no implicit API', () => {
    const x = sam({
      Http: { Type: 'AWS::Serverless::HttpApi' },
      F: {
        Type: 'AWS::Serverless::Function',
        Properties: {
          Events: {
            E: { Type: 'Api', Properties: { RestApiId: { Ref: 'Missing' }, Path: '/x', Method: 'get' } },
            H: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Gone' }, Path: '/y', Method: 'get' } },
            G: { Type: 'Api', Properties: { RestApiId: { 'Fn::GetAtt': ['Http', 'ApiId'] }, Path: '/z', Method: 'get' } },
            K: { Type: 'Api', Properties: { RestApiId: { Ref: 'Http' }, Path: '/k', Method: 'get' } },
          },
        },
      },
    });
    expect(x.problems).toEqual([
      'Resources.F.Properties.Events.E.Properties.RestApiId: {"Ref":"Missing"} is not a reference to a resource of this template (SAM refuses it: the event must name an AWS::Serverless::Api of the template, or none for the implicit API)',
      'Resources.F.Properties.Events.H.Properties.ApiId: {"Ref":"Gone"} is not a reference to a resource of this template (SAM refuses it: the event must name an AWS::Serverless::HttpApi of the template, or none for the implicit API)',
      'Resources.F.Properties.Events.G.Properties.RestApiId: {"Fn::GetAtt":["Http","ApiId"]} is not a reference to a resource of this template (SAM refuses it: the event must name an AWS::Serverless::Api of the template, or none for the implicit API)',
      'Resources.F.Properties.Events.K.Properties.RestApiId: Http is an AWS::Serverless::HttpApi (SAM refuses it: an Api event takes an AWS::Serverless::Api; use an HttpApi event)',
    ]);
    expect(Object.keys(x.template.Resources).filter((id) => id.startsWith('Serverless'))).toEqual([]);
  });

  test('an event naming a resource that is not a SAM API (a queue, a plain REST API) gets its permission and adds no path anywhere; an HttpApi event on a SAM REST API with a Swagger 2.0 document is refused, as SAM refuses it', () => {
    const x = sam({
      Queue: { Type: 'AWS::SQS::Queue' },
      Plain: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'plain' } },
      Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod' } },
      F: {
        Type: 'AWS::Serverless::Function',
        Properties: {
          Events: {
            Q: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Queue' }, Path: '/q', Method: 'get' } },
            P: { Type: 'Api', Properties: { RestApiId: { Ref: 'Plain' }, Path: '/p', Method: 'get' } },
            R: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Rest' }, Path: '/r', Method: 'get' } },
          },
        },
      },
    });
    expect(x.problems).toEqual([
      'Resources.F.Properties.Events.R.Properties.ApiId: Rest is an AWS::Serverless::Api with a Swagger 2.0 document (SAM refuses it: an HttpApi event needs an OpenAPI 3 document; set OpenApiVersion: 3.0.1 or use an Api event)',
    ]);
    expect(Object.keys(x.template.Resources).filter((id) => id.startsWith('Serverless'))).toEqual([]);
    expect((props(x, 'Rest').Body as { paths: object }).paths).toEqual({});
    expect(props(x, 'Plain')).toEqual({ Name: 'plain' });
    const arn = (e: string) => (props(x, `F${e}Permission`).SourceArn as { 'Fn::Sub': string })['Fn::Sub'];
    expect([arn('Q'), arn('P')]).toEqual(['Queue', 'Plain'].map((id) => `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${id}}/*`));
    // With OpenApiVersion 3 the HttpApi event's path is added to the REST API's document, as SAM adds it (fixtures/sam/api-targets.yaml).
    const v3 = sam({ Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod', OpenApiVersion: '3.0.1' } }, F: { Type: 'AWS::Serverless::Function', Properties: { Events: { R: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Rest' }, Path: '/r', Method: 'get' } } } } } });
    expect(v3.problems).toEqual([]);
    expect(Object.keys((props(v3, 'Rest').Body as { paths: object }).paths)).toEqual(['/r']);
  });

  test('EndpointConfiguration: a type as text or a map\'s Type; a map without Type (SAM writes it into Types, which CloudFormation refuses) gives none', () => {
    const endpoint = (v: unknown) => props(sam({ Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', EndpointConfiguration: v } } }), 'Api').EndpointConfiguration;
    expect(endpoint('REGIONAL')).toEqual({ Types: ['REGIONAL'] });
    expect(endpoint({ Type: 'PRIVATE', VPCEndpointIds: ['vpce-1'] })).toEqual({ Types: ['PRIVATE'], VpcEndpointIds: ['vpce-1'] });
    expect(endpoint({ VPCEndpointIds: ['vpce-1'] })).toBeUndefined();
  });

  test('the api_key security definition: when the API requires a key, or an operation does; not otherwise', () => {
    const defs = (api: Record<string, unknown>, auth?: unknown) => (props(sam({
      Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', ...api } },
      F: { Type: 'AWS::Serverless::Function', Properties: { Events: { E: { Type: 'Api', Properties: { RestApiId: { Ref: 'Api' }, Path: '/x', Method: 'get', Auth: auth } } } } },
    }), 'Api').Body as { securityDefinitions?: unknown }).securityDefinitions;
    const apiKey = { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } };
    expect(defs({ Auth: { ApiKeyRequired: true } })).toEqual(apiKey);
    expect(defs({}, { ApiKeyRequired: true })).toEqual(apiKey);
    expect(defs({ Auth: { ApiKeyRequired: 'true' } })).toBeUndefined();
    expect(defs({})).toBeUndefined();
    expect(defs({ DefinitionBody: { swagger: '2.0' } })).toBeUndefined();
    // Beside a definition already in the document.
    expect(defs({ DefinitionBody: { securityDefinitions: { sig: { type: 'apiKey' } } }, Auth: { ApiKeyRequired: true } })).toEqual({ sig: { type: 'apiKey' }, ...apiKey });
  });

  test('an HTTP API\'s Condition and DependsOn go to the ApiGatewayV2 Api', () => {
    const x = sam({ H: { Type: 'AWS::Serverless::HttpApi', Condition: 'C', DependsOn: ['Q'] }, Q: { Type: 'AWS::SQS::Queue' } });
    expect([x.template.Resources.H.Condition, x.template.Resources.H.DependsOn]).toEqual(['C', ['Q']]);
    expect(Object.keys(sam({ H: { Type: 'AWS::Serverless::HttpApi' } }).template.Resources.H)).toEqual(['Type', 'Properties']);
  });
});
