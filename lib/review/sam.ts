import { createHash } from 'crypto';
import { CfnTemplate, CfnTemplateResource } from '../nag/template/template-model';

/**
 * Expansion of the AWS SAM resources the review covers into the plain CloudFormation resources
 * the SAM transform (`AWS::Serverless-2016-10-31`) generates for them, with the same logical ids,
 * so that the InferenceGuard rules run unchanged on SAM templates.
 *
 * The generation rules follow aws/serverless-application-model (samtranslator):
 * - `plugins/globals/globals.py`: `Globals.Function|Api|HttpApi` are merged into each resource;
 *   maps merge key by key, lists are concatenated (globals first), scalars of the resource win.
 * - `model/api/api_generator.py`: an `AWS::Serverless::Api` becomes an `AWS::ApiGateway::RestApi`
 *   (same id, the Swagger document as `Body`), a Deployment `<id>Deployment<hash>` that also creates
 *   the stage named "Stage" unless `OpenApiVersion` is set (`remove_extra_stage`), and a Stage
 *   `<id><StageName>Stage` carrying `MethodSettings`, `AccessLogSetting` and `TracingEnabled`
 *   verbatim (`_construct_stage`). `Auth.UsagePlan` with `CreateUsagePlan: PER_API` creates
 *   `<id>UsagePlan` (ApiStages = this API and stage, Throttle and Quota copied), `<id>ApiKey` and
 *   `<id>UsagePlanKey`; `SHARED` creates `ServerlessUsagePlan`, `ServerlessApiKey`,
 *   `ServerlessUsagePlanKey` for every API that asks for it (`_construct_usage_plan`).
 *   `Auth.ApiKeyRequired` adds the `api_key` security requirement to every method.
 * - `model/api/http_api_generator.py`: an `AWS::Serverless::HttpApi` becomes an
 *   `AWS::ApiGatewayV2::Api` with the OpenAPI document as `Body` and a stage
 *   `<id>ApiGatewayDefaultStage` (`$default`, AutoDeploy) or `<id><StageName>Stage`, carrying
 *   `DefaultRouteSettings` and `RouteSettings`.
 * - `model/sam_resources.py` (`SamFunction`): the `AWS::Lambda::Function` keeps the id and gets
 *   `Timeout`, `MemorySize`, `ReservedConcurrentExecutions`; `DeadLetterQueue {Type, TargetArn}`
 *   becomes `DeadLetterConfig {TargetArn}`; without `Role`, a role `<id>Role` is created;
 *   `FunctionUrlConfig` becomes `<id>Url` (`AWS::Lambda::Url`) plus `<id>UrlPublicPermissions`
 *   when `AuthType` is NONE.
 * - `model/eventsources/pull.py`: an `SQS` event becomes `AWS::Lambda::EventSourceMapping`
 *   `<function id><event name>` with `BatchSize`, `MaximumBatchingWindowInSeconds`,
 *   `ScalingConfig`, `FunctionResponseTypes` copied.
 * - `model/eventsources/push.py`: an `Api` event adds its path and method to the API's Swagger
 *   with an `aws_proxy` integration to the function (`timeoutInMillis` from `TimeoutInMillis`),
 *   on the API named by `RestApiId` or the implicit `ServerlessRestApi` (stage "Prod"); an
 *   `HttpApi` event does the same on `ApiId` or the implicit `ServerlessHttpApi` (`$default`),
 *   with `payloadFormatVersion` "2.0" by default. The API is named by a `Ref` or by its logical id
 *   as text; a resource of the template that is not a SAM API gets the function's permission and
 *   no path; an event naming anything else, or an `Api` event naming an HTTP API, is a problem,
 *   as SAM refuses the template (`plugins/api/implicit_api_plugin.py`). A REST API's own
 *   `DefinitionBody` is left as written unless `MergeDefinitions` is set (`Api.to_cloudformation`
 *   adds the event only when SAM writes the document, `__MANAGE_SWAGGER`); an HTTP API's is added
 *   to. A document in S3 (`DefinitionUri`) gets nothing.
 *
 * Properties the rules do not read (CORS, domains, code locations, tags) are left out of the
 * generated resources; resources of other SAM types are kept as they are and not reviewed.
 */

/** The transform name that marks a SAM template. */
export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** The SAM resource types this expansion generates plain resources for. */
export const SAM_EXPANDED_TYPES: readonly string[] = ['AWS::Serverless::Function', 'AWS::Serverless::Api', 'AWS::Serverless::HttpApi'];

/** A template after expansion, with the SAM resource each generated resource comes from. */
export interface ExpandedTemplate {
  /** The plain template (SAM resources replaced by what the transform generates). */
  readonly template: CfnTemplate;
  /** Generated logical id -> the SAM resource it comes from. */
  readonly origins: ReadonlyMap<string, string>;
  /** SAM resource types present but not expanded, for the review's notes. */
  readonly skippedTypes: readonly string[];
  /** What SAM refuses to transform (an event naming no API it can use), each as `path: what`. */
  readonly problems: readonly string[];
}

type Props = Record<string, unknown>;
type Resources = Record<string, CfnTemplateResource>;

const isObj = (v: unknown): v is Props => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the template declares the SAM transform (alone or in a list). */
export function usesSamTransform(template: CfnTemplate): boolean {
  const t = template.Transform;
  return t === SAM_TRANSFORM || (Array.isArray(t) && t.includes(SAM_TRANSFORM));
}

/** Globals merge: maps key by key, lists concatenated (globals first), the resource's scalars win. */
export function mergeGlobals(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  if (isObj(global) && isObj(local) && !isIntrinsic(local) && !isIntrinsic(global)) {
    // Object.assign copies several times faster than a spread into a literal that then grows; a
    // `__proto__` key (JSON.parse makes it an own property) must stay a plain key, which only the spread keeps.
    const out: Props = Object.hasOwn(global, '__proto__') ? { ...global } : Object.assign({}, global);
    for (const [k, v] of Object.entries(local)) out[k] = mergeGlobals(global[k], v);
    return out;
  }
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  return local;
}

function isIntrinsic(v: Props): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

function defined(p: Props): Props {
  const out: Props = {};
  for (const k of Object.keys(p)) if (p[k] !== undefined) out[k] = p[k];
  return out;
}

/**
 * SAM's logical id generator: prefix + the first 10 hex digits of the SHA-1 of the data, a string
 * as it is and anything else as compact JSON with its keys sorted; an empty string has no hash, the
 * prefix alone (samtranslator `translator/logical_id_generator.py`, `LogicalIdGenerator.gen`,
 * `get_hash` and `_stringify`: `json.dumps(data, separators=(",", ":"), sort_keys=True)`).
 */
function generatedId(prefix: string, data: unknown): string {
  const text = typeof data === 'string' ? data : sortedCompactJson(data);
  return text === '' ? prefix : prefix + createHash('sha1').update(text).digest('hex').slice(0, 10);
}

/**
 * Python's `json.dumps(data, separators=(",", ":"), sort_keys=True)` of JSON data, written in one
 * pass: keys in sorted order at every level (integer-like keys too, which a JavaScript object would
 * list first), and every character outside printable ASCII escaped as `\uXXXX` (`ensure_ascii`, on
 * by default). Numbers, and values JSON has no form for, are written as `JSON.stringify` writes them.
 */
function sortedCompactJson(v: unknown): string {
  if (typeof v === 'string') return asciiJsonString(v);
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      out += (i > 0 ? ',' : '') + (x === undefined || typeof x === 'function' ? 'null' : sortedCompactJson(x));
    }
    return `${out}]`;
  }
  const o = v as Props;
  let out = '{';
  let first = true;
  for (const k of Object.keys(o).sort()) {
    const x = o[k];
    if (x === undefined || typeof x === 'function') continue;
    out += `${first ? '' : ','}${asciiJsonString(k)}:${sortedCompactJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

function asciiJsonString(s: string): string {
  const json = JSON.stringify(s);
  return /[^\x20-\x7e]/.test(json) ? json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

const LAMBDA_INVOKE_URI = (fn: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn}.Arn}/invocations` });

/** One REST or HTTP API being built: its OpenAPI document and SAM properties. */
interface ApiBuild {
  readonly id: string;
  readonly http: boolean;
  readonly props: Props;
  /** The document the API is created with; undefined when it is in S3 (`DefinitionUri`) only. */
  readonly body: Props | undefined;
  /** `BodyS3Location`, for a document in S3. */
  readonly s3?: unknown;
  /** The document events add their operations to: `body`, or undefined when they add nothing (see the header). */
  readonly eventsTo: Props | undefined;
}

/** Expands the SAM resources of a template; a template without the SAM transform is returned as is. */
export function expandSam(template: CfnTemplate): ExpandedTemplate {
  if (!usesSamTransform(template)) return { template, origins: new Map(), skippedTypes: [], problems: [] };
  const globals = isObj(template.Globals) ? template.Globals : {};
  const withGlobals = (section: string, props: unknown): Props => {
    const merged = mergeGlobals(isObj(globals[section]) ? globals[section] : {}, isObj(props) ? props : {});
    return isObj(merged) ? merged : {};
  };
  const out: Resources = {};
  const origins = new Map<string, string>();
  const skipped = new Set<string>();
  const problems: string[] = [];
  // The SAM APIs of the template (and the implicit ones events create), by logical id.
  const apis = new Map<string, ApiBuild>();
  const add = (id: string, from: string, resource: CfnTemplateResource) => {
    out[id] = resource;
    if (id !== from) origins.set(id, from);
  };
  const passthrough = (r: CfnTemplateResource) => defined({ Condition: r.Condition, DependsOn: r.DependsOn });

  // Keys, then a lookup each: Object.entries of a map of hundreds of resources is several times slower.
  const ids = Object.keys(template.Resources);
  for (const id of ids) {
    const r = template.Resources[id];
    if (r.Type === 'AWS::Serverless::Api' || r.Type === 'AWS::Serverless::HttpApi') {
      const http = r.Type === 'AWS::Serverless::HttpApi';
      const props = withGlobals(http ? 'HttpApi' : 'Api', r.Properties);
      apis.set(id, apiBuild(id, http, props));
    }
  }
  const implicitApi = (http: boolean): ApiBuild => {
    const id = http ? 'ServerlessHttpApi' : 'ServerlessRestApi';
    let api = apis.get(id);
    if (!api) {
      const props = withGlobals(http ? 'HttpApi' : 'Api', http ? {} : { StageName: 'Prod' });
      api = apiBuild(id, http, props);
      apis.set(id, api);
    }
    return api;
  };

  for (const id of ids) {
    const r = template.Resources[id];
    if (r.Type === 'AWS::Serverless::Api' || r.Type === 'AWS::Serverless::HttpApi') continue;
    if (r.Type !== 'AWS::Serverless::Function') {
      if (r.Type.startsWith('AWS::Serverless::')) skipped.add(r.Type);
      out[id] = r;
      continue;
    }
    const p = withGlobals('Function', r.Properties);
    const dlq = isObj(p.DeadLetterQueue) ? p.DeadLetterQueue : undefined;
    const roleId = `${id}Role`;
    add(id, id, {
      Type: 'AWS::Lambda::Function',
      ...passthrough(r),
      Metadata: { SamResourceId: id },
      Properties: defined({
        FunctionName: p.FunctionName, Handler: p.Handler, Runtime: p.Runtime, PackageType: p.PackageType,
        MemorySize: p.MemorySize, Timeout: p.Timeout, ReservedConcurrentExecutions: p.ReservedConcurrentExecutions,
        Environment: p.Environment, LoggingConfig: p.LoggingConfig, Architectures: p.Architectures,
        DeadLetterConfig: dlq ? { TargetArn: dlq.TargetArn } : undefined,
        Role: p.Role ?? { 'Fn::GetAtt': [roleId, 'Arn'] },
      }),
    });
    if (p.Role === undefined) {
      const statements = policyStatements(p.Policies);
      add(roleId, id, {
        Type: 'AWS::IAM::Role',
        Properties: defined({
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] } }] },
          Policies: statements.length > 0 ? statements.map((doc, i) => ({ PolicyName: `${id}RolePolicy${i}`, PolicyDocument: doc })) : undefined,
        }),
      });
    }
    const url = isObj(p.FunctionUrlConfig) ? p.FunctionUrlConfig : undefined;
    if (url) {
      add(`${id}Url`, id, { Type: 'AWS::Lambda::Url', Properties: defined({ AuthType: url.AuthType, TargetFunctionArn: { Ref: id }, InvokeMode: url.InvokeMode }) });
      if (url.AuthType === 'NONE') {
        add(`${id}UrlPublicPermissions`, id, { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunctionUrl', FunctionName: { Ref: id }, FunctionUrlAuthType: 'NONE', Principal: '*' } });
      }
    }
    for (const [name, event] of Object.entries(isObj(p.Events) ? p.Events : {})) {
      if (!isObj(event)) continue;
      const e = isObj(event.Properties) ? event.Properties : {};
      if (event.Type === 'SQS') {
        add(`${id}${name}`, id, {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: defined({
            EventSourceArn: e.Queue, FunctionName: { Ref: id }, BatchSize: e.BatchSize, Enabled: e.Enabled,
            MaximumBatchingWindowInSeconds: e.MaximumBatchingWindowInSeconds, ScalingConfig: e.ScalingConfig,
            FunctionResponseTypes: e.FunctionResponseTypes, FilterCriteria: e.FilterCriteria,
          }),
        });
      } else if (event.Type === 'Api' || event.Type === 'HttpApi') {
        const http = event.Type === 'HttpApi';
        const property = http ? 'ApiId' : 'RestApiId';
        const target = apiTarget(template.Resources, apis, http, e[property]);
        if ('refused' in target) {
          problems.push(`Resources.${id}.Properties.Events.${name}.Properties.${property}: ${target.refused}`);
          continue;
        }
        // No API given: the implicit one. A resource of the template that is not a SAM API gets the
        // permission only: SAM adds the path to no document.
        const api = target.id === undefined ? implicitApi(http) : target.api;
        if (api?.eventsTo) addOperation(api, api.eventsTo, id, e, http);
        add(`${id}${name}Permission`, id, {
          Type: 'AWS::Lambda::Permission',
          Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: id }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api?.id ?? target.id}}/*` } },
        });
      }
    }
  }

  const shared: { stages: Props[]; keys: Props[]; depends: string[]; props?: Props } = { stages: [], keys: [], depends: [] };
  for (const api of apis.values()) {
    if (api.http) expandHttpApi(api, template.Resources[api.id], add, api.id);
    else expandRestApi(api, template.Resources[api.id], add, api.id, shared);
  }
  if (shared.props) {
    // Recorded as coming from the first API that asks for the plan: a finding on the plan points at
    // that API's line, and an acknowledgement in that API's Metadata covers it.
    const from = shared.depends[0];
    add('ServerlessUsagePlan', from, {
      Type: 'AWS::ApiGateway::UsagePlan', DependsOn: shared.depends,
      Properties: defined({ ApiStages: shared.stages, Throttle: shared.props.Throttle, Quota: shared.props.Quota, UsagePlanName: shared.props.UsagePlanName, Description: shared.props.Description }),
    });
    add('ServerlessApiKey', from, { Type: 'AWS::ApiGateway::ApiKey', DependsOn: ['ServerlessUsagePlan'], Properties: { Enabled: true, StageKeys: shared.keys } });
    add('ServerlessUsagePlanKey', from, { Type: 'AWS::ApiGateway::UsagePlanKey', DependsOn: ['ServerlessApiKey'], Properties: { KeyId: { Ref: 'ServerlessApiKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'ServerlessUsagePlan' } } });
  }

  const rest: Props = { ...template };
  delete rest.Globals;
  delete rest.Transform;
  return { template: { ...rest, Resources: out } as CfnTemplate, origins, skippedTypes: [...skipped].sort(), problems };
}

/**
 * True when SAM writes the REST API's document as OpenAPI 3: its own document says `openapi`, or
 * SAM writes it and `OpenApiVersion` is 3.x (samtranslator `open_api/base_editor.py`,
 * `_OPENAPI_VERSION_3_REGEX`). The expansion itself keeps Swagger 2.0 keys; the rules read either.
 */
function openApi3(api: ApiBuild): boolean {
  if (isObj(api.eventsTo) && 'openapi' in api.eventsTo) return true;
  return !isObj(api.props.DefinitionBody) && typeof api.props.OpenApiVersion === 'string' && /^3(\.\d)(\.\d)?$/.test(api.props.OpenApiVersion);
}

/**
 * The API an `Api` or `HttpApi` event names, as SAM reads it (samtranslator
 * `plugins/api/implicit_api_plugin.py`, `_add_api_to_swagger`): none (the implicit API); else the
 * logical id of a `Ref`, or a string taken as one, which must name a resource of the template, and
 * for an `Api` event not an `AWS::Serverless::HttpApi` (SAM accepts the opposite). Anything else
 * SAM refuses: "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same
 * template." An `HttpApi` event on a SAM REST API is edited into its document only when that is
 * OpenAPI 3 (`OpenApiEditor.is_valid`); SAM refuses a Swagger 2.0 one ("Invalid OpenApi document").
 * `api` is the SAM API built for the id, if it is one.
 */
function apiTarget(resources: Resources, apis: ReadonlyMap<string, ApiBuild>, http: boolean, value: unknown): { id?: string; api?: ApiBuild } | { refused: string } {
  if (value === undefined) return {};
  const id = isObj(value) && Object.keys(value).length === 1 ? value.Ref : value;
  if (typeof id !== 'string' || !Object.hasOwn(resources, id)) {
    const shown = JSON.stringify(value) ?? String(value);
    return { refused: `${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown} is not a reference to a resource of this template (SAM refuses it: the event must name an ${http ? 'AWS::Serverless::HttpApi' : 'AWS::Serverless::Api'} of the template, or none for the implicit API)` };
  }
  if (!http && resources[id].Type === 'AWS::Serverless::HttpApi') {
    return { refused: `${id} is an AWS::Serverless::HttpApi (SAM refuses it: an Api event takes an AWS::Serverless::Api; use an HttpApi event)` };
  }
  const api = apis.get(id);
  if (http && api?.eventsTo && !api.http && !openApi3(api)) {
    return { refused: `${id} is an AWS::Serverless::Api with a Swagger 2.0 document (SAM refuses it: an HttpApi event needs an OpenAPI 3 document; set OpenApiVersion: 3.0.1 or use an Api event)` };
  }
  return { id, api };
}

/** Inline policy documents of a function's `Policies` (managed policy names and SAM policy templates are not expanded). */
function policyStatements(policies: unknown): Props[] {
  // One policy or a list (an absent one is no policy document either).
  const list: unknown[] = Array.isArray(policies) ? policies : [policies];
  return list.filter((x): x is Props => isObj(x) && Array.isArray(x.Statement));
}

/**
 * An API's document: its own `DefinitionBody` (a copy: events add to it), none for a `DefinitionUri`
 * alone, else the skeleton SAM writes (`DefaultDefinitionBodyPlugin`, which also marks the API as
 * managed by SAM: only then do events add to a REST API's document, or with `MergeDefinitions`).
 */
function apiBuild(id: string, http: boolean, props: Props): ApiBuild {
  if (isObj(props.DefinitionBody)) {
    const body = structuredClone(props.DefinitionBody);
    return { id, http, props, body, eventsTo: http || props.MergeDefinitions === true ? body : undefined };
  }
  if (props.DefinitionUri !== undefined) return { id, http, props, body: undefined, s3: bodyS3Location(props.DefinitionUri), eventsTo: undefined };
  const body = http
    ? { openapi: '3.0.1', info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths: {} }
    : { swagger: '2.0', info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths: {} };
  return { id, http, props, body, eventsTo: body };
}

/**
 * `BodyS3Location` from a `DefinitionUri` as SAM writes it (`api_generator.py`
 * `_construct_body_s3_dict`, `s3_utils/uri_parser.py` `parse_s3_uri`): `s3://bucket/key` with an
 * optional `versionId`, or a map's Bucket, Key and Version. A value SAM refuses is kept as it is:
 * the rules only ask whether the document is in S3.
 */
function bodyS3Location(uri: unknown): unknown {
  if (isObj(uri)) return defined({ Bucket: uri.Bucket, Key: uri.Key, Version: uri.Version });
  const m = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/([^?]+)(?:\?versionId=(.+))?$/.exec(uri) : null;
  return m ? defined({ Bucket: m[1], Key: m[2], Version: m[3] }) : uri;
}

/** Adds one event's path and method to an API's OpenAPI document. */
function addOperation(api: ApiBuild, doc: Props, fn: string, e: Props, http: boolean): void {
  const paths = (doc.paths = isObj(doc.paths) ? doc.paths : {}) as Props;
  const path = typeof e.Path === 'string' ? e.Path : '$default';
  const method = typeof e.Method === 'string' && e.Method.toLowerCase() !== 'any' ? e.Method.toLowerCase() : 'x-amazon-apigateway-any-method';
  const item = (paths[path] = isObj(paths[path]) ? paths[path] : {}) as Props;
  const integration: Props = defined({
    type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA_INVOKE_URI(fn),
    payloadFormatVersion: http ? (e.PayloadFormatVersion ?? '2.0') : undefined,
    timeoutInMillis: e.TimeoutInMillis,
  });
  const op: Props = { 'x-amazon-apigateway-integration': integration, responses: {} };
  const auth = isObj(e.Auth) ? e.Auth : {};
  const apiAuth = isObj(api.props.Auth) ? api.props.Auth : {};
  if (!http) {
    if ((auth.ApiKeyRequired ?? apiAuth.ApiKeyRequired) === true) op.security = [{ api_key: [] }];
    const model = isObj(e.RequestModel) ? e.RequestModel : undefined;
    const params = requestParameters(e.RequestParameters);
    const parameters: Props[] = params.map((q) => ({ in: q.location, name: q.name, required: q.required, type: 'string' }));
    if (model && typeof model.Model === 'string') {
      // First, as SAM writes it (`add_request_model_to_method`: `required` only when given).
      parameters.unshift(defined({ in: 'body', name: model.Model.toLowerCase(), required: model.Required, schema: { $ref: `#/definitions/${model.Model.toLowerCase()}` } }));
      // A validator only when either flag is given, the other then false (push.py `Api._add_swagger_integration`).
      if (model.ValidateBody !== undefined || model.ValidateParameters !== undefined) addValidator(doc, op, model.ValidateBody === true, model.ValidateParameters === true);
    }
    // RequestParameters alone declare the parameters without a validator, as SAM does.
    if (parameters.length > 0) op.parameters = parameters;
  } else {
    const authorizer = auth.Authorizer ?? apiAuth.DefaultAuthorizer;
    if (typeof authorizer === 'string' && authorizer !== 'NONE') op.security = [{ [authorizer]: [] }];
  }
  item[method] = op;
}

function requestParameters(v: unknown): Array<{ location: string; name: string; required: boolean }> {
  const out: Array<{ location: string; name: string; required: boolean }> = [];
  if (!Array.isArray(v)) return out;
  for (const entry of v) {
    // `method.request.<where>.<name>` alone, or as the one key of a map of its options.
    const key = typeof entry === 'string' ? entry : isObj(entry) ? Object.keys(entry)[0] : undefined;
    const m = /^method\.request\.(querystring|header|path)\.(.+)$/.exec(String(key));
    if (!m) continue;
    // The options (a string has no property of that name: none).
    const spec = (entry as Props)[m[0]];
    out.push({ location: m[1] === 'querystring' ? 'query' : m[1], name: m[2], required: isObj(spec) && spec.Required === true });
  }
  return out;
}

function addValidator(body: Props, op: Props, validateBody: boolean, validateParams: boolean): void {
  const name = validateBody && validateParams ? 'body-and-params' : validateBody ? 'body-only' : validateParams ? 'params-only' : 'no-validation';
  const validators = (body['x-amazon-apigateway-request-validators'] = isObj(body['x-amazon-apigateway-request-validators']) ? body['x-amazon-apigateway-request-validators'] : {}) as Props;
  validators[name] = { validateRequestBody: validateBody, validateRequestParameters: validateParams };
  op['x-amazon-apigateway-request-validator'] = name;
}

type Add = (id: string, from: string, r: CfnTemplateResource) => void;

function endpointConfiguration(v: unknown): Props | undefined {
  if (typeof v === 'string') return { Types: [v] };
  if (isObj(v) && typeof v.Type === 'string') return defined({ Types: [v.Type], VpcEndpointIds: v.VPCEndpointIds });
  return undefined;
}

function expandRestApi(api: ApiBuild, source: CfnTemplateResource | undefined, add: Add, from: string, shared: { stages: Props[]; keys: Props[]; depends: string[]; props?: Props }): void {
  const p = api.props;
  const auth = isObj(p.Auth) ? p.Auth : {};
  const body = api.body;
  if (body && (auth.ApiKeyRequired === true || JSON.stringify(body.paths ?? {}).includes('"api_key"'))) {
    const defs = (body.securityDefinitions = isObj(body.securityDefinitions) ? body.securityDefinitions : {}) as Props;
    defs.api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
  }
  add(api.id, from, {
    Type: 'AWS::ApiGateway::RestApi',
    ...(source ? defined({ Condition: source.Condition, DependsOn: source.DependsOn }) : {}),
    Properties: defined({ Name: p.Name, Body: body, BodyS3Location: api.s3, EndpointConfiguration: endpointConfiguration(p.EndpointConfiguration), BinaryMediaTypes: p.BinaryMediaTypes }),
  });
  // SAM names the deployment `<id>Deployment` + 10 hex digits of the SHA-1 of Python's `str()` of its
  // final document (`ApiGatewayDeployment.make_auto_deployable`), a text this expansion does not
  // reproduce (its document leaves out what no rule reads): the same form, with the hash of the
  // expansion's own document (or of its location in S3) as generatedId writes it, so the id changes
  // with the document and not with the order of its keys.
  const deployment = generatedId(`${api.id}Deployment`, body ?? api.s3);
  add(deployment, from, {
    Type: 'AWS::ApiGateway::Deployment',
    Properties: defined({ RestApiId: { Ref: api.id }, Description: 'RestApi deployment', StageName: p.OpenApiVersion === undefined ? 'Stage' : undefined }),
  });
  // `api_generator.py` `_construct_stage`: `<id><name>Stage` for an alphanumeric name, else a generated
  // id, `<id>Stage` for a name that is not a string (an intrinsic: the id of an empty name).
  const stageName = typeof p.StageName === 'string' ? p.StageName : '';
  const stageId = /^[A-Za-z0-9]+$/.test(stageName) ? `${api.id}${stageName}Stage` : generatedId(`${api.id}Stage`, stageName);
  add(stageId, from, {
    Type: 'AWS::ApiGateway::Stage',
    Properties: defined({
      RestApiId: { Ref: api.id }, DeploymentId: { Ref: deployment }, StageName: p.StageName,
      MethodSettings: p.MethodSettings, AccessLogSetting: p.AccessLogSetting, TracingEnabled: p.TracingEnabled,
      Variables: p.Variables, CacheClusterEnabled: p.CacheClusterEnabled, CacheClusterSize: p.CacheClusterSize,
    }),
  });
  const plan = isObj(auth.UsagePlan) ? auth.UsagePlan : undefined;
  if (plan?.CreateUsagePlan === 'PER_API') {
    add(`${api.id}UsagePlan`, from, {
      Type: 'AWS::ApiGateway::UsagePlan', DependsOn: [api.id],
      Properties: defined({ ApiStages: [{ ApiId: { Ref: api.id }, Stage: { Ref: stageId } }], Throttle: plan.Throttle, Quota: plan.Quota, UsagePlanName: plan.UsagePlanName, Description: plan.Description }),
    });
    add(`${api.id}ApiKey`, from, { Type: 'AWS::ApiGateway::ApiKey', DependsOn: [`${api.id}UsagePlan`], Properties: { Enabled: true, StageKeys: [{ RestApiId: { Ref: api.id }, StageName: { Ref: stageId } }] } });
    add(`${api.id}UsagePlanKey`, from, { Type: 'AWS::ApiGateway::UsagePlanKey', DependsOn: [`${api.id}ApiKey`], Properties: { KeyId: { Ref: `${api.id}ApiKey` }, KeyType: 'API_KEY', UsagePlanId: { Ref: `${api.id}UsagePlan` } } });
  } else if (plan?.CreateUsagePlan === 'SHARED') {
    shared.stages.push({ ApiId: { Ref: api.id }, Stage: { Ref: stageId } });
    shared.keys.push({ RestApiId: { Ref: api.id }, StageName: { Ref: stageId } });
    shared.depends.push(api.id);
    // The first API that declares Throttle/Quota sets them, as SAM copies them onto the one shared plan.
    shared.props = { ...plan, ...shared.props };
  }
}

function expandHttpApi(api: ApiBuild, source: CfnTemplateResource | undefined, add: Add, from: string): void {
  const p = api.props;
  const auth = isObj(p.Auth) ? p.Auth : {};
  if (api.body && isObj(auth.Authorizers)) {
    const components = (api.body.components = isObj(api.body.components) ? api.body.components : {}) as Props;
    const schemes = (components.securitySchemes = isObj(components.securitySchemes) ? components.securitySchemes : {}) as Props;
    for (const [name, a] of Object.entries(auth.Authorizers)) schemes[name] = { type: isObj(a) && a.JwtConfiguration ? 'oauth2' : 'apiKey', 'x-amazon-apigateway-authorizer': isObj(a) && a.JwtConfiguration ? { type: 'jwt' } : { type: 'request' } };
  }
  add(api.id, from, {
    Type: 'AWS::ApiGatewayV2::Api',
    ...(source ? defined({ Condition: source.Condition, DependsOn: source.DependsOn }) : {}),
    Properties: defined({ Body: api.body, BodyS3Location: api.s3, DisableExecuteApiEndpoint: p.DisableExecuteApiEndpoint, FailOnWarnings: p.FailOnWarnings }),
  });
  // `http_api_generator.py`: no (or an empty) StageName is `$default`; `_construct_stage`: `<id><name>Stage`
  // for an alphanumeric name, else a generated id, `<id>Stage` for a name that is not a string (an intrinsic).
  const stageName: unknown = p.StageName || '$default';
  const prefix = typeof stageName === 'string' ? stageName : '';
  const stageId = prefix === '$default' ? `${api.id}ApiGatewayDefaultStage`
    : /^[A-Za-z0-9]+$/.test(prefix) ? `${api.id}${prefix}Stage` : generatedId(`${api.id}Stage`, prefix);
  add(stageId, from, {
    Type: 'AWS::ApiGatewayV2::Stage',
    Properties: defined({
      ApiId: { Ref: api.id }, StageName: stageName, AutoDeploy: true,
      DefaultRouteSettings: p.DefaultRouteSettings, RouteSettings: p.RouteSettings, AccessLogSettings: p.AccessLogSettings, StageVariables: p.StageVariables,
    }),
  });
}
