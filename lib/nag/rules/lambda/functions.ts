import { APIGW_MAX_INTEGRATION_TIMEOUT_MS, HTTP_API_MAX_INTEGRATION_TIMEOUT_MS } from '../../../core/aws-limits';
import { containsText, readNumber, referencedIds } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, isRecord, list } from '../helpers';

/** An API Gateway integration that invokes a Lambda function synchronously. */
export interface ApiInvocation {
  /** The Method (REST) or Integration (HTTP API) resource. */
  readonly id: string;
  /** REST or HTTP API. */
  readonly kind: 'REST' | 'HTTP';
  /** Logical id of the API, when in the template. */
  readonly apiId?: string;
  /** Integration timeout (ms) when it can be read, with whether it is the default. */
  readonly timeoutMs?: number;
  readonly defaulted: boolean;
}

/** The function ids a value refers to: the function itself, or the function behind an alias / version. */
function functionsIn(model: TemplateModel, v: unknown): Set<string> {
  const out = new Set<string>();
  for (const id of referencedIds(v)) {
    const type = model.typeOf(id);
    if (type === T.FUNCTION) out.add(id);
    else if (type === T.ALIAS || type === T.VERSION) for (const f of referencedIds(model.props(id).FunctionName)) if (model.typeOf(f) === T.FUNCTION) out.add(f);
  }
  return out;
}

/** Per model: function id -> the API integrations and function URLs that invoke it, built in one pass. */
const INDEX = new WeakMap<TemplateModel, { apis: Map<string, ApiInvocation[]>; urls: Map<string, string[]> }>();

function indexOf(model: TemplateModel): { apis: Map<string, ApiInvocation[]>; urls: Map<string, string[]> } {
  let index = INDEX.get(model);
  if (index) return index;
  const apis = new Map<string, ApiInvocation[]>();
  const urls = new Map<string, string[]>();
  const push = <V>(map: Map<string, V[]>, key: string, v: V) => map.set(key, [...(map.get(key) ?? []), v]);
  for (const m of model.ofType(T.METHOD)) {
    const p = model.props(m);
    const integration = isRecord(p.Integration) ? p.Integration : undefined;
    if (!integration || !containsText(integration.Uri, ':lambda:path')) continue;
    const t = readNumber(integration.TimeoutInMillis, model.parameterDefault);
    const inv: ApiInvocation = { id: m, kind: 'REST', apiId: model.target(p.RestApiId), timeoutMs: t.kind === 'literal' ? t.value : t.kind === 'absent' ? APIGW_MAX_INTEGRATION_TIMEOUT_MS : undefined, defaulted: t.kind === 'absent' };
    for (const fn of functionsIn(model, integration.Uri)) push(apis, fn, inv);
  }
  for (const i of model.ofType(T.HTTP_INTEGRATION)) {
    const p = model.props(i);
    const t = readNumber(p.TimeoutInMillis, model.parameterDefault);
    const inv: ApiInvocation = { id: i, kind: 'HTTP', apiId: model.target(p.ApiId), timeoutMs: t.kind === 'literal' ? t.value : t.kind === 'absent' ? HTTP_API_MAX_INTEGRATION_TIMEOUT_MS : undefined, defaulted: t.kind === 'absent' };
    for (const fn of functionsIn(model, p.IntegrationUri)) push(apis, fn, inv);
  }
  for (const u of model.ofType(T.FUNCTION_URL)) for (const fn of functionsIn(model, model.props(u).TargetFunctionArn)) push(urls, fn, u);
  index = { apis, urls };
  INDEX.set(model, index);
  return index;
}

/** API Gateway integrations (REST methods and HTTP API integrations) that invoke the function. */
export function apiInvocations(model: TemplateModel, fnId: string): ApiInvocation[] {
  return indexOf(model).apis.get(fnId) ?? [];
}

/** Function URLs of the function (or of its aliases). */
export function functionUrls(model: TemplateModel, fnId: string): string[] {
  return indexOf(model).urls.get(fnId) ?? [];
}

/** The function a function URL serves. */
export function urlFunction(model: TemplateModel, urlId: string): string | undefined {
  return [...functionsIn(model, model.props(urlId).TargetFunctionArn)][0];
}

/** Policy documents attached to a role: its inline Policies and AWS::IAM::Policy resources naming it. */
function roleDocuments(model: TemplateModel, roleId: string): unknown[] {
  const inline = list(model.props(roleId).Policies).filter(isRecord).map((p) => p.PolicyDocument);
  const attached = model.referencers(roleId, T.IAM_POLICY)
    .filter((p) => list(model.props(p).Roles).some((r) => referencedIds(r).has(roleId)))
    .map((p) => model.props(p).PolicyDocument);
  return [...inline, ...attached];
}

/** Statements allowing one of `actions` (exact, or a `service:*` / `service:Prefix*` wildcard) in a role's policies. */
export function roleStatements(model: TemplateModel, roleId: string, actions: readonly string[]): Array<Record<string, unknown>> {
  const matches = (a: unknown) => typeof a === 'string' && actions.some((want) => {
    if (a === '*') return true;
    const re = new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
    return re.test(want);
  });
  return roleDocuments(model, roleId).flatMap((d) => (isRecord(d) ? list(d.Statement).filter(isRecord) : []))
    .filter((s) => s.Effect === 'Allow' && (Array.isArray(s.Action) ? s.Action : [s.Action]).some(matches));
}

/** The role a function runs as, when in the template. */
export function functionRole(model: TemplateModel, fnId: string): string | undefined {
  return model.target(model.props(fnId).Role, T.IAM_ROLE);
}

/** True when the function's role may call SageMaker InvokeEndpoint (the Lambda-backed inference chain). */
export function invokesSageMaker(model: TemplateModel, fnId: string): boolean {
  const role = functionRole(model, fnId);
  return role !== undefined && roleStatements(model, role, ['sagemaker:InvokeEndpoint']).length > 0;
}

/**
 * The AWS::Lambda::Permission resources that let anyone call the function's URL: Principal `*` with
 * `lambda:InvokeFunctionUrl` (or a wildcard action) on the function or one of its aliases. With
 * AuthType NONE, Lambda does not authenticate, but "the function's resource-based policy is always
 * in effect and must grant public access before your function URL can receive requests"; without
 * such a statement every call is refused with 403. Source: Lambda Developer Guide, "Control access
 * to Lambda function URLs" (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
 */
export function publicUrlPermissions(model: TemplateModel, fnId: string): string[] {
  const ids = new Set([fnId, ...model.referencers(fnId, T.ALIAS), ...model.referencers(fnId, T.VERSION)]);
  const perms = new Set([...ids].flatMap((i) => model.referencers(i, T.LAMBDA_PERMISSION)));
  return [...perms].filter((perm) => {
    const p = model.props(perm);
    const action = typeof p.Action === 'string' ? p.Action.toLowerCase() : '';
    const principal = p.Principal;
    const anyone = principal === '*' || (isRecord(principal) && principal.AWS === '*');
    return anyone && (action === 'lambda:invokefunctionurl' || action === 'lambda:*' || action === '*')
      && [...referencedIds(p.FunctionName)].some((r) => ids.has(r));
  });
}
