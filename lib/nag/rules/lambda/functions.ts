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

/** API Gateway integrations (REST methods and HTTP API integrations) that invoke the function. */
export function apiInvocations(model: TemplateModel, fnId: string): ApiInvocation[] {
  const out: ApiInvocation[] = [];
  for (const m of model.ofType(T.METHOD)) {
    const p = model.props(m);
    const integration = isRecord(p.Integration) ? p.Integration : undefined;
    if (!integration || !containsText(integration.Uri, ':lambda:path') || !functionsIn(model, integration.Uri).has(fnId)) continue;
    const t = readNumber(integration.TimeoutInMillis, model.parameterDefault);
    out.push({ id: m, kind: 'REST', apiId: model.target(p.RestApiId), timeoutMs: t.kind === 'literal' ? t.value : t.kind === 'absent' ? APIGW_MAX_INTEGRATION_TIMEOUT_MS : undefined, defaulted: t.kind === 'absent' });
  }
  for (const i of model.ofType(T.HTTP_INTEGRATION)) {
    const p = model.props(i);
    if (!functionsIn(model, p.IntegrationUri).has(fnId)) continue;
    const t = readNumber(p.TimeoutInMillis, model.parameterDefault);
    out.push({ id: i, kind: 'HTTP', apiId: model.target(p.ApiId), timeoutMs: t.kind === 'literal' ? t.value : t.kind === 'absent' ? HTTP_API_MAX_INTEGRATION_TIMEOUT_MS : undefined, defaulted: t.kind === 'absent' });
  }
  return out;
}

/** Function URLs of the function (or of its aliases). */
export function functionUrls(model: TemplateModel, fnId: string): string[] {
  return model.ofType(T.FUNCTION_URL).filter((u) => functionsIn(model, model.props(u).TargetFunctionArn).has(fnId));
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
