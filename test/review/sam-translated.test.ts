import * as fs from 'fs';
import * as path from 'path';
import { loadTemplate } from '../../lib/review';
import { expandSam } from '../../lib/review/sam';

/**
 * The SAM expansion resource by resource against the real SAM translator's output (the
 * `*.translated.json` beside each fixture: aws-sam-translator 1.115.0, see fixtures/sam/README.md).
 * Every difference is listed below with its reason, so a property the expansion drops, renames or
 * changes shows as a new line.
 *
 * Normalized on both sides before comparing:
 * - deployment ids `<Api>Deployment<10 hex>` and the deployment's `Description` ("RestApi
 *   deployment id: <sha1>"): SAM hashes the whole API definition, which is not reproduced;
 * - `arn:aws:apigateway:` (SAM writes the partition literally in the invoke URI) and
 *   `arn:${AWS::Partition}:apigateway:` (the expansion);
 * - a permission's id: SAM adds the stage name after `Permission` (`...Permissionprod`).
 * Left out of the list: the function's `Code`, every `Tags`, the role's `ManagedPolicyArns`
 * (the expansion leaves out what no rule reads, see lib/review/sam.ts).
 */
const dir = path.join(__dirname, 'fixtures', 'sam');

function normalized(resources: unknown): Record<string, unknown> {
  const text = JSON.stringify(resources)
    .replace(/Deployment[0-9a-f]{10}\b/g, 'Deployment<hash>')
    .replace(/RestApi deployment id: [0-9a-f]+/g, 'RestApi deployment')
    .replace(/arn:aws:apigateway:/g, 'arn:${AWS::Partition}:apigateway:')
    .replace(/"([A-Za-z0-9]+Permission)[A-Za-z0-9]*":/g, '"$1":');
  return JSON.parse(text);
}

/** `+ path` only in the expansion, `- path` only in SAM's output, `~ path` different values. */
function differences(ours: unknown, sam: unknown, at: string, out: string[]): string[] {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(ours) && isMap(sam)) {
    for (const k of [...new Set([...Object.keys(ours), ...Object.keys(sam)])].sort()) {
      const p = at ? `${at}.${k}` : k;
      if (!(k in sam)) out.push(`+ ${p}`);
      else if (!(k in ours)) out.push(`- ${p}`);
      else differences(ours[k], sam[k], p, out);
    }
  } else if (Array.isArray(ours) && Array.isArray(sam) && ours.length === sam.length) {
    ours.forEach((x, i) => differences(x, sam[i], `${at}[${i}]`, out));
  } else if (JSON.stringify(ours) !== JSON.stringify(sam)) {
    out.push(`~ ${at}`);
  }
  return out;
}

function compare(name: string): string[] {
  const ours = expandSam(loadTemplate(path.join(dir, `${name}.yaml`), dir).template as never).template.Resources;
  const sam = JSON.parse(fs.readFileSync(path.join(dir, `${name}.translated.json`), 'utf8')).Resources;
  return differences(normalized(ours), normalized(sam), '', [])
    .filter((d) => !/^- [A-Za-z0-9]+\.Properties\.(Code|Tags|ManagedPolicyArns)$/.test(d) && !/\.Tags$|\.tags$/.test(d));
}

/** Each function carries `Metadata.SamResourceId` (as `sam build` writes it); the translator's output has none. */
const metadata = (...fns: string[]) => fns.map((f) => `+ ${f}.Metadata`);

describe('the SAM expansion against the SAM translator, resource by resource', () => {
  test('issue-example: the same resources and properties', () => {
    expect(compare('issue-example')).toEqual([
      ...metadata('Consumer'),
      // The API's OpenAPI `Parameters` are left out.
      '- PredictApi.Properties.Parameters',
      ...metadata('PredictFunction'),
      // SAM's SourceArn is `.../${__ApiId__}/${__Stage__}/POST/predict`; `.../${Api}/*` grants that route and the others.
      '~ PredictFunctionPredictPermission.Properties.SourceArn.Fn::Sub',
    ]);
  });

  test('guarded: OpenApiVersion 3 writes the body model and the key scheme in OpenAPI 3 form; the expansion keeps Swagger 2 (the rules read either)', () => {
    expect(compare('guarded')).toEqual([
      ...metadata('Consumer'),
      '- PredictApi.Properties.Body.components',
      '- PredictApi.Properties.Body.openapi',
      '+ PredictApi.Properties.Body.paths./predict.post.parameters',
      '- PredictApi.Properties.Body.paths./predict.post.requestBody',
      '+ PredictApi.Properties.Body.securityDefinitions',
      '+ PredictApi.Properties.Body.swagger',
      '- PredictApi.Properties.Parameters',
      ...metadata('PredictFunction'),
      '~ PredictFunctionPredictPermission.Properties.SourceArn.Fn::Sub',
    ]);
  });

  test('http-api: the permission names the API rather than the route; the public URL permission is named after the URL', () => {
    expect(compare('http-api')).toEqual([
      ...metadata('Direct'),
      // SAM names the function URL's public permission `<id>URLInvokeAllowPublicAccess`.
      '- DirectURLInvokeAllowPublicAccess',
      ...metadata('Predict'),
      '~ PredictPredictPermission.Properties.SourceArn.Fn::Sub',
    ]);
  });

  test('implicit-shared: the shared usage plan lists the APIs in template order (SAM: reverse); JWT details left out', () => {
    const stages = (key: string, a: string) => [`~ ${key}[0].${a}.Ref`, `~ ${key}[0].${a === 'ApiId' ? 'Stage' : 'StageName'}.Ref`, `~ ${key}[1].${a}.Ref`, `~ ${key}[1].${a === 'ApiId' ? 'Stage' : 'StageName'}.Ref`];
    expect(compare('implicit-shared').sort()).toEqual([
      '- Http.Properties.Body.components.securitySchemes.Jwt.x-amazon-apigateway-authorizer.identitySource',
      '- Http.Properties.Body.components.securitySchemes.Jwt.x-amazon-apigateway-authorizer.jwtConfiguration',
      ...metadata('Search'),
      '~ SearchImplicitPermission.Properties.SourceArn.Fn::Sub',
      '~ SearchOnFirstPermission.Properties.SourceArn.Fn::Sub',
      '~ SearchOnHttpPermission.Properties.SourceArn.Fn::Sub',
      '~ SearchOnImplicitHttpPermission.Properties.SourceArn.Fn::Sub',
      '~ SearchOnSecondPermission.Properties.SourceArn.Fn::Sub',
      ...stages('ServerlessApiKey.Properties.StageKeys', 'RestApiId'),
      // SAM gives the role the dead-letter queue's sqs:SendMessage; the expansion keeps inline policies only.
      '- SearchRole.Properties.Policies',
      '- ServerlessHttpApi.Properties.Body.paths.$default.x-amazon-apigateway-any-method.isDefaultRoute',
      '~ ServerlessUsagePlan.DependsOn[0]',
      '~ ServerlessUsagePlan.DependsOn[1]',
      ...stages('ServerlessUsagePlan.Properties.ApiStages', 'ApiId'),
    ].sort());
  });

  test('edge-cases: stage names that are not alphanumeric get SAM\'s generated ids; what the expansion leaves out', () => {
    expect(compare('edge-cases')).toEqual([
      // A Lambda authorizer's details (only its name reaches the rules, as the route's security).
      '- Http.Properties.Body.components.securitySchemes.Gate.in',
      '- Http.Properties.Body.components.securitySchemes.Gate.name',
      '- Http.Properties.Body.components.securitySchemes.Gate.x-amazon-apigateway-authorizer.authorizerPayloadFormatVersion',
      '- Http.Properties.Body.components.securitySchemes.Gate.x-amazon-apigateway-authorizer.authorizerUri',
      '- Http.Properties.Body.components.securitySchemes.Gate.x-amazon-apigateway-authorizer.identitySource',
      // `Authorizer: NONE` is written as `security: [{ NONE: [] }]`; the expansion leaves the route without one (the same: no authorizer).
      '- Http.Properties.Body.paths./public.get.security',
      // SAM turns DisableExecuteApiEndpoint into the OpenAPI `servers` extension; the expansion keeps the property, which means the same.
      '- Http.Properties.Body.servers',
      '+ Http.Properties.DisableExecuteApiEndpoint',
      ...metadata('Items'),
      '~ ItemsAnyPermission.Properties.SourceArn.Fn::Sub',
      '~ ItemsOpenPermission.Properties.SourceArn.Fn::Sub',
      '~ ItemsPostPermission.Properties.SourceArn.Fn::Sub',
      '~ ItemsPublicPermission.Properties.SourceArn.Fn::Sub',
      // The models' schemas (the operations reference them by name).
      '- Private.Properties.Body.definitions',
      // `ApiKeyRequired: false` on the event is written as `security: []`; the expansion leaves the method without one (the same: no key).
      '- Private.Properties.Body.paths./health.get.security',
      '- Private.Properties.Body.x-amazon-apigateway-binary-media-types',
      '- Private.Properties.Parameters',
      ...metadata('Worker'),
      // SAM gives the function's Condition to the resources it generates for it; the expansion only to the function.
      '- WorkerJobs.Condition',
      '- WorkerRole.Condition',
    ]);
  });

  test('definitions: events add to a REST API\'s own document only with MergeDefinitions, to an HTTP API\'s always; request models and validators; stage names from parameters', () => {
    const sourceArns = ['Both', 'First', 'Keyed', 'ModelOnly', 'Neither', 'NoModel', 'OnGiven', 'OnHttp', 'OnMerged', 'OnOwnHttp', 'OnS3Http', 'ParamsOnly', 'Second']
      .map((e) => `~ Fn${e}Permission.Properties.SourceArn.Fn::Sub`);
    expect(compare('definitions')).toEqual([
      ...metadata('Fn'),
      ...sourceArns,
      // Events other than Api, HttpApi and SQS are not expanded.
      '- FnTick',
      '- FnTickPermission',
      // SAM gives the HTTP API's Condition to its stage; the expansion only to the API.
      '- HttpStage.Condition',
      '- Models.Properties.Body.definitions',
    ]);
  });

  test('api-targets: an event naming its API by its id as text, a plain REST API, a queue, or a SAM REST API from an HttpApi event (OpenAPI 3): no implicit API, paths only where SAM adds them', () => {
    const sourceArns = ['ByName', 'HttpOnRest', 'OnPlain', 'OnQueue'].map((e) => `~ Fn${e}Permission.Properties.SourceArn.Fn::Sub`);
    expect(compare('api-targets')).toEqual([
      ...metadata('Fn'),
      ...sourceArns,
      // As in `guarded`: OpenApiVersion 3 makes SAM write `openapi`; the expansion keeps Swagger 2 keys.
      '- Rest.Properties.Body.openapi',
      '+ Rest.Properties.Body.swagger',
    ]);
  });

  test('batching-window: identical but for the metadata', () => {
    expect(compare('batching-window')).toEqual(metadata('Worker'));
  });
});
