import { APIGW_ACCOUNT_BURST_LIMIT, APIGW_ACCOUNT_RATE_LIMIT_RPS, LAMBDA_DEFAULT_MEMORY_MB, LAMBDA_DEFAULT_TIMEOUT_S } from '../core/aws-limits';
import { T, groupedOnce, httpStagesOfApi, isRecord, keyLockedStage, list, rec, scalableTargetsOf, stageView, stagesOfApi } from '../nag/rules/helpers';
import { isHttpApi } from '../nag/rules/apigwv2/http-apis';
import { apiInvocations, functionUrls } from '../nag/rules/lambda/functions';
import { endpointConfigOf, scalableTargetsOfEndpoint, variants } from '../nag/rules/sagemaker/endpoints';
import { sqsConsumer } from '../nag/rules/sqs/consumers';
import { containsText, readNumber, referencedIds } from '../nag/template/intrinsics';
import { TemplateModel } from '../nag/template/template-model';
import { ComponentRef } from './components';
import { PriceTable } from './prices';
import { HOURS_PER_MONTH, ACCESS_LOG_BYTES_PER_REQUEST, LAMBDA_LOG_BYTES_PER_INVOCATION, SQS_REQUESTS_PER_MESSAGE, CostLine, ComponentCost, CostReport, requestCostPerHour, wafCostPerHour, logCostPerHour, lambdaCostPerHour, throttledLambdaCostPerHour, fargateCostPerHour, sageMakerServerlessCostPerHour, usd } from './cost-formulas';
export * from './cost-formulas';

/** USD per hour as printed: `$1.23/h`, or `unbounded`. */
export function showPerHour(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'unbounded' : `${usd(v)}/h`;
}

// ---- template analysis ---------------------------------------------------------------------------

function num(model: TemplateModel, v: unknown): number | undefined {
  const r = readNumber(v, model.parameterDefault);
  return r.kind === 'literal' ? r.value : undefined;
}

/** The sum, or undefined when a value is undefined (unbounded: it makes the sum NaN) or the sum overflows. */
function sumOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const sum = values.reduce<number>((s, v) => s + (v ?? NaN), 0);
  return Number.isFinite(sum) ? sum : undefined;
}

/** A component's price: its lines' sum, a line not priced counting 0 and an unbounded one making it unbounded. */
function total(lines: readonly CostLine[]): number | undefined {
  return sumOf(lines.map((l) => (l.unboundedBy !== undefined ? undefined : l.perHour ?? 0)));
}

/**
 * A request rate no higher than the account-level throttle, which every API of the account in the
 * Region shares: stage throttles above it (1e308 is accepted by the template) bound nothing beyond it.
 */
function atAccountLimit(rps: number, formula: string): { rps: number; formula: string } {
  return rps > APIGW_ACCOUNT_RATE_LIMIT_RPS
    ? { rps: APIGW_ACCOUNT_RATE_LIMIT_RPS, formula: `${formula}, above the account-level throttle: ${APIGW_ACCOUNT_RATE_LIMIT_RPS} rps` }
    : { rps, formula };
}

/** Request rate ceiling of a REST API: the sum of its stages' default throttles; undefined when a stage has none. */
function restRate(model: TemplateModel, apiId: string): { rps?: number; formula: string } {
  const stages = stagesOfApi(model, apiId);
  if (stages.length === 0) return { formula: 'no stage in this template' };
  let sum = 0;
  const parts: string[] = [];
  for (const s of stages) {
    if (keyLockedStage(model, s) !== undefined) {
      parts.push(`0 rps (${s.stageName ?? s.id}: 403 for every call, no usage plan lists it)`);
      continue;
    }
    const all = s.methodSettings.find((m) => m.HttpMethod === '*' && m.ResourcePath === '/*');
    const rate = num(model, all?.ThrottlingRateLimit ?? s.descriptionThrottle?.rate);
    if (rate === undefined) return { formula: `stage ${s.stageName ?? s.id} has no default throttle` };
    sum += rate;
    parts.push(`${rate} rps (${s.stageName ?? s.id})`);
  }
  return atAccountLimit(sum, parts.join(' + '));
}

function httpRate(model: TemplateModel, apiId: string): { rps?: number; formula: string } {
  const stages = httpStagesOfApi(model, apiId);
  if (stages.length === 0) return { formula: 'no stage in this template' };
  let sum = 0;
  const parts: string[] = [];
  for (const s of stages) {
    const rate = num(model, rec(model.props(s).DefaultRouteSettings).ThrottlingRateLimit);
    if (rate === undefined) return { formula: `stage ${String(model.props(s).StageName ?? s)} has no default throttle` };
    sum += rate;
    parts.push(`${rate} rps`);
  }
  return atAccountLimit(sum, parts.join(' + '));
}

/** Memory, timeout and architecture of a function, with the Lambda defaults where unset. */
function lambdaShape(model: TemplateModel, fnId: string): { memory: number; timeout: number; arm: boolean } {
  const props = model.props(fnId);
  return { memory: num(model, props.MemorySize) ?? LAMBDA_DEFAULT_MEMORY_MB, timeout: num(model, props.Timeout) ?? LAMBDA_DEFAULT_TIMEOUT_S, arm: list(props.Architectures).includes('arm64') };
}

/** A function without a concurrency cap: unbounded, with the rule whose finding would bound it. */
function uncappedLambdaLines(model: TemplateModel, fnId: string, rule: string, unboundedWhy?: string): CostLine[] {
  const { memory } = lambdaShape(model, fnId);
  return [{ item: `Lambda ${fnId}`, formula: `no concurrency cap${unboundedWhy ? ` and ${unboundedWhy}` : ''}: up to the account pool, ${memory} MB each`, unboundedBy: rule }];
}

/** A function at its concurrency cap (`capFrom` names what sets it), or unbounded without one. */
function lambdaLines(model: TemplateModel, fnId: string, cap: number | undefined, capFrom: string, rule: string, p: PriceTable, unboundedWhy?: string): CostLine[] {
  return cap === undefined ? uncappedLambdaLines(model, fnId, rule, unboundedWhy) : cappedLambdaLines(model, fnId, cap, capFrom, p);
}

function cappedLambdaLines(model: TemplateModel, fnId: string, cap: number, capFrom: string, p: PriceTable): CostLine[] {
  const { memory, timeout, arm } = lambdaShape(model, fnId);
  const perGbS = arm ? p.lambdaArmPerGbSecond : p.lambdaPerGbSecond;
  const c = lambdaCostPerHour(cap, memory, timeout, p, arm);
  return [
    { item: `Lambda ${fnId} duration`, perHour: c.duration, formula: `${cap} concurrent (${capFrom}) x ${memory / 1024} GB x 3600 s x $${perGbS}/GB-s${arm ? ' (arm64)' : ''}` },
    { item: `Lambda ${fnId} requests and logs`, perHour: c.requests + c.logs, formula: `${cap} x 3600 / ${timeout} s timeout = ${Math.round(c.invocationsPerHour)} invocations x $${p.lambdaPerMillionRequests}/M + ${LAMBDA_LOG_BYTES_PER_INVOCATION} B of logs each x $${p.logsIngestPerGb}/GB` },
  ];
}

function apiLines(model: TemplateModel, apiId: string, http: boolean, p: PriceTable): CostLine[] {
  const rate = http ? httpRate(model, apiId) : restRate(model, apiId);
  const price = http ? p.apiGatewayHttpPerMillion : p.apiGatewayRestPerMillion;
  const lines: CostLine[] = [];
  if (rate.rps === undefined) {
    lines.push({ item: 'API requests', formula: `${rate.formula}; at the account-level throttle (${APIGW_ACCOUNT_RATE_LIMIT_RPS} rps, shared by every API in the Region) it would be ${showPerHour(requestCostPerHour(APIGW_ACCOUNT_RATE_LIMIT_RPS, price))}`, unboundedBy: http ? 'InferenceGuard-HTTPAPIStageThrottling' : 'InferenceGuard-APIStageThrottling' });
  } else {
    lines.push({ item: 'API requests at the stage throttle', perHour: requestCostPerHour(rate.rps, price), formula: `${rate.formula} x 3600 s x $${price}/M` });
    // REST: a Stage's AccessLogSetting, or a Deployment stage's StageDescription.AccessLogSetting; HTTP: a stage's AccessLogSettings.
    const logged = http
      ? httpStagesOfApi(model, apiId).some((st) => model.props(st).AccessLogSettings !== undefined)
      : stagesOfApi(model, apiId).some((st) => (model.typeOf(st.id) === T.DEPLOYMENT ? rec(model.props(st.id).StageDescription) : model.props(st.id)).AccessLogSetting !== undefined);
    if (logged) lines.push({ item: 'access logs', perHour: logCostPerHour(rate.rps * ACCESS_LOG_BYTES_PER_REQUEST, p), formula: `${rate.rps} rps x ${ACCESS_LOG_BYTES_PER_REQUEST} B x $${p.logsIngestPerGb}/GB` });
    if (!http) {
      // Associations by the API they point at (directly, or through one of its stages), indexed once.
      const byApi = groupedOnce(model, 'webAclAssociationsByApi', model.ofType(T.WEB_ACL_ASSOCIATION), (a) => [...referencedIds(model.props(a).ResourceArn)]
        .flatMap((r) => (model.typeOf(r) === T.REST_API ? r : stageView(model, r)?.restApiId) ?? []));
      const acls = new Set(byApi.get(apiId)?.flatMap((a) => model.target(model.props(a).WebACLArn, T.WEB_ACL) ?? []));
      for (const acl of acls) {
        const rules = list(model.props(acl).Rules).length;
        lines.push({ item: `WAF web ACL ${acl}`, perHour: wafCostPerHour(rules, rate.rps, p), formula: `($${p.wafWebAclPerMonth} + ${rules} rules x $${p.wafRulePerMonth}) / ${HOURS_PER_MONTH} h + ${rate.rps} rps x $${p.wafPerMillionRequests}/M` });
      }
    }
  }
  // Functions the API invokes, at their own caps, or at the stage throttle when the API is their only invoker.
  const byApi = groupedOnce(model, 'functionsByInvokingApi', model.ofType(T.FUNCTION), (f) => apiInvocations(model, f).flatMap((a) => a.apiId ?? []));
  const fns = byApi.get(apiId) ?? [];
  // Both bounds hold when both exist: the lower one is shown.
  for (const f of fns) {
    const reserved = num(model, model.props(f).ReservedConcurrentExecutions);
    const bound = throttleBound(model, f);
    const candidates = [
      ...(reserved !== undefined ? [cappedLambdaLines(model, f, reserved, 'reserved concurrency', p)] : []),
      ...('why' in bound ? [] : [throttledLambdaLines(model, f, bound.rps, bound.burst, bound.formula, p)]),
    ].sort((a, b) => (total(a) ?? Infinity) - (total(b) ?? Infinity));
    lines.push(...(candidates[0] ?? uncappedLambdaLines(model, f, 'InferenceGuard-LambdaConcurrencyCap', 'why' in bound ? bound.why : undefined)));
  }
  return lines;
}

const APIGW_PRINCIPAL = 'apigateway.amazonaws.com';

/** The function and its aliases and versions: the ids an invoker can name. */
function invocableIds(model: TemplateModel, fnId: string): Set<string> {
  const ids = new Set([fnId]);
  for (const type of [T.ALIAS, T.VERSION]) for (const a of model.referencers(fnId, type)) if (referencedIds(model.props(a).FunctionName).has(fnId)) ids.add(a);
  return ids;
}

/**
 * Invokers of a function other than API Gateway integrations, as readable reasons (empty when there
 * are none). Service principals (SNS, S3, EventBridge, ALB, ...) need an `AWS::Lambda::Permission`;
 * callers with an identity (Step Functions, other functions, destinations) need an IAM grant. A
 * custom resource's ServiceToken is not counted: CloudFormation invokes it only on stack operations.
 */
function otherInvokers(model: TemplateModel, fnId: string, apiIds: ReadonlySet<string>): string[] {
  const ids = invocableIds(model, fnId);
  const names = (v: unknown) => {
    for (const r of referencedIds(v)) if (ids.has(r)) return true;
    return false;
  };
  const out: string[] = [];
  // The referencers of one id are already unique and in template order: only several ids need merging.
  const referencing = (type: string) => ids.size === 1 ? model.referencers(fnId, type)
    : [...new Set([...ids].flatMap((i) => model.referencers(i, type)))].sort(byOrder(model));
  for (const esm of referencing(T.EVENT_SOURCE_MAPPING)) if (names(model.props(esm).FunctionName)) out.push(`event source mapping ${esm}`);
  for (const url of functionUrls(model, fnId)) out.push(`function URL ${url}`);
  for (const perm of referencing(T.LAMBDA_PERMISSION)) {
    const pp = model.props(perm);
    if (!names(pp.FunctionName)) continue;
    const fromApi = pp.Principal === APIGW_PRINCIPAL && hasAny(referencedIds(pp.SourceArn), apiIds);
    if (!fromApi) out.push(`Lambda::Permission ${perm} (principal ${JSON.stringify(pp.Principal)}${pp.Principal === APIGW_PRINCIPAL ? ', SourceArn not one of the throttled APIs' : ''})`);
  }
  // Identity-based grants: a role or policy allowed lambda:InvokeFunction on this function (or on every function).
  for (const g of invokeGrants(model)) {
    if (g.resources.some((r) => r === '*' || names(r))) out.push(`IAM grant of lambda:InvokeFunction in ${g.id}`);
  }
  return out;
}

function hasAny(values: ReadonlySet<string>, wanted: ReadonlySet<string>): boolean {
  for (const v of values) if (wanted.has(v)) return true;
  return false;
}

/** Statements that allow lambda:InvokeFunction, in every policy of the template, read once per template. */
function invokeGrants(model: TemplateModel): ReadonlyArray<{ id: string; resources: unknown[] }> {
  return model.memo('lambdaInvokeGrants', () => {
    const docs: Array<[string, unknown]> = [
      ...model.ofType(T.IAM_POLICY).map((id): [string, unknown] => [id, model.props(id).PolicyDocument]),
      ...model.ofType(T.IAM_MANAGED_POLICY).map((id): [string, unknown] => [id, model.props(id).PolicyDocument]),
      ...model.ofType(T.IAM_ROLE).flatMap((id) => list(model.props(id).Policies).map((d): [string, unknown] => [id, rec(d).PolicyDocument])),
    ];
    const out: Array<{ id: string; resources: unknown[] }> = [];
    for (const [id, doc] of docs) {
      for (const st of list(rec(doc).Statement).map(rec)) {
        const actions = (Array.isArray(st.Action) ? st.Action : [st.Action]).filter((a): a is string => typeof a === 'string');
        if (st.Effect !== 'Allow' || !actions.some((a) => /^(\*|lambda:\*|lambda:invoke\*|lambda:invokefunction)$/i.test(a))) continue;
        out.push({ id, resources: Array.isArray(st.Resource) ? st.Resource : [st.Resource] });
      }
    }
    return out;
  });
}

/** Sorts logical ids in template order. */
function byOrder(model: TemplateModel): (a: string, b: string) => number {
  const order = model.memo('templateOrder', () => new Map(model.ids.map((id, i) => [id, i])));
  return (a, b) => order.get(a)! - order.get(b)!;
}

/** A stage's throttle for the busiest method: the stage default, raised by any per-method override. */
function restStageThrottle(model: TemplateModel, stage: NonNullable<ReturnType<typeof stageView>>): { rate?: number; burst?: number } {
  const all = stage.methodSettings.find((m) => m.HttpMethod === '*' && m.ResourcePath === '/*');
  const rate = num(model, all?.ThrottlingRateLimit ?? stage.descriptionThrottle?.rate);
  if (rate === undefined) return {};
  const burst = num(model, all?.ThrottlingBurstLimit ?? stage.descriptionThrottle?.burst) ?? APIGW_ACCOUNT_BURST_LIMIT;
  // Every method setting (the default among them, which changes no maximum).
  return {
    rate: Math.max(rate, ...stage.methodSettings.map((m) => num(model, m.ThrottlingRateLimit) ?? 0)),
    burst: Math.max(burst, ...stage.methodSettings.map((m) => num(model, m.ThrottlingBurstLimit) ?? 0)),
  };
}

function httpStageThrottle(model: TemplateModel, stageId: string): { rate?: number; burst?: number } {
  const sp = model.props(stageId);
  const d = rec(sp.DefaultRouteSettings);
  const rate = num(model, d.ThrottlingRateLimit);
  if (rate === undefined) return {};
  const routes = Object.values(rec(sp.RouteSettings)).map(rec);
  return {
    rate: Math.max(rate, ...routes.map((r) => num(model, r.ThrottlingRateLimit) ?? 0)),
    burst: Math.max(num(model, d.ThrottlingBurstLimit) ?? APIGW_ACCOUNT_BURST_LIMIT, ...routes.map((r) => num(model, r.ThrottlingBurstLimit) ?? 0)),
  };
}

/**
 * The request rate that can reach a function when API Gateway is its only invoker: the sum, over
 * each integration that invokes it and each stage of that integration's API, of the stage throttle.
 * Undefined (with the reason) when another invoker exists or a stage has no throttle. Asked only
 * for a function an API of the template invokes (at least one integration).
 */
function throttleBound(model: TemplateModel, fnId: string): { rps: number; burst: number; formula: string } | { why: string } {
  const invocations = apiInvocations(model, fnId);
  if (invocations.some((i) => i.apiId === undefined)) return { why: 'an integration belongs to an API outside this template' };
  const apiIds = new Set(invocations.map((i) => i.apiId!));
  const others = otherInvokers(model, fnId, apiIds);
  if (others.length > 0) return { why: `it has other invokers (${others.join(', ')})` };
  let rps = 0;
  let burst = 0;
  const parts: string[] = [];
  for (const inv of invocations) {
    const stages = inv.kind === 'REST'
      ? stagesOfApi(model, inv.apiId!).map((s) => ({ label: s.stageName ?? s.id, t: restStageThrottle(model, s), locked: keyLockedStage(model, s) !== undefined }))
      : httpStagesOfApi(model, inv.apiId!).map((s) => ({ label: String(model.props(s).StageName ?? s), t: httpStageThrottle(model, s), locked: false }));
    if (stages.length === 0) return { why: `API ${inv.apiId} has no stage in this template` };
    for (const st of stages) {
      if (st.locked) continue;
      if (st.t.rate === undefined) return { why: `stage ${st.label} of API ${inv.apiId} has no throttle` };
      rps += st.t.rate;
      burst += st.t.burst!;
      parts.push(`${st.t.rate} rps / burst ${st.t.burst} (${inv.id} on stage ${st.label})`);
    }
  }
  const capped = atAccountLimit(rps, parts.join(' + '));
  return { rps: capped.rps, burst: Math.min(burst, APIGW_ACCOUNT_BURST_LIMIT), formula: capped.formula };
}

function throttledLambdaLines(model: TemplateModel, fnId: string, rps: number, burst: number, from: string, p: PriceTable): CostLine[] {
  const { memory, timeout, arm } = lambdaShape(model, fnId);
  const perGbS = arm ? p.lambdaArmPerGbSecond : p.lambdaPerGbSecond;
  const c = throttledLambdaCostPerHour(rps, burst, memory, timeout, p, arm);
  const invocations = `(${rps} rps x 3600 s + ${burst} burst) = ${Math.round(c.invocationsPerHour)} invocations`;
  return [
    { item: `Lambda ${fnId} duration (API Gateway is its only invoker)`, perHour: c.duration, formula: `${invocations} x ${timeout} s timeout x ${memory / 1024} GB x $${perGbS}/GB-s${arm ? ' (arm64)' : ''}; concurrency <= ${rps} rps x ${timeout} s + ${burst} = ${c.concurrency} (Little's law); throttles: ${from}` },
    { item: `Lambda ${fnId} requests and logs`, perHour: c.requests + c.logs, formula: `${Math.round(c.invocationsPerHour)} invocations x $${p.lambdaPerMillionRequests}/M + ${LAMBDA_LOG_BYTES_PER_INVOCATION} B of logs each x $${p.logsIngestPerGb}/GB` },
  ];
}

/** Queue id -> REST methods whose integration sends to it (API Gateway -> SQS), in one pass. */
function sqsProducers(model: TemplateModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of model.ofType(T.METHOD)) {
    const uri = rec(model.props(m).Integration).Uri;
    if (uri === undefined || !JSON.stringify(uri).includes(':sqs:')) continue;
    // Every id the URI names (only queues' are looked up).
    for (const q of referencedIds(uri)) {
      const methods = out.get(q);
      if (methods) methods.push(m);
      else out.set(q, [m]);
    }
  }
  return out;
}

function queueLines(model: TemplateModel, queueId: string, producersOf: Map<string, string[]>, p: PriceTable): CostLine[] {
  const lines: CostLine[] = [];
  // Producers: REST methods integrating SQS with this queue, at their API's throttle.
  const apis = [...new Set(producersOf.get(queueId)?.flatMap((m) => model.target(model.props(m).RestApiId) ?? []))];
  if (apis.length > 0) {
    const rates = apis.map((a) => restRate(model, a));
    if (rates.some((r) => r.rps === undefined)) lines.push({ item: 'SQS requests', formula: `fed by ${apis.join(', ')} without a stage throttle`, unboundedBy: 'InferenceGuard-APIStageThrottling' });
    else {
      const rps = rates.reduce((s, r) => s + r.rps!, 0);
      lines.push({ item: 'SQS requests', perHour: requestCostPerHour(rps * SQS_REQUESTS_PER_MESSAGE, p.sqsPerMillionRequests), formula: `${rps} messages/s from ${apis.join(', ')} x ${SQS_REQUESTS_PER_MESSAGE} requests x 3600 s x $${p.sqsPerMillionRequests}/M` });
    }
  }
  for (const esm of model.referencers(queueId, T.EVENT_SOURCE_MAPPING)) {
    const c = sqsConsumer(model, esm);
    if (!c?.functionId) continue;
    const max = num(model, rec(model.props(esm).ScalingConfig).MaximumConcurrency);
    const reserved = num(model, model.props(c.functionId).ReservedConcurrentExecutions);
    // The lower cap, named after what sets it (the event source's when both are equal).
    const byMax = reserved === undefined || (max ?? Infinity) <= reserved;
    lines.push(...lambdaLines(model, c.functionId, byMax ? max : reserved, byMax ? 'event source MaximumConcurrency' : 'reserved concurrency', 'InferenceGuard-SQSConsumerConcurrency', p));
  }
  return lines;
}

function endpointLines(model: TemplateModel, endpointId: string, p: PriceTable): CostLine[] {
  const config = endpointConfigOf(model, endpointId);
  if (config === undefined) return [{ item: 'endpoint', formula: 'endpoint config not in this template: not priced' }];
  const targets = scalableTargetsOfEndpoint(model, endpointId);
  const lines: CostLine[] = [];
  for (const v of variants(model, config)) {
    const name = String(v.VariantName);
    if (isRecord(v.ServerlessConfig)) {
      const max = num(model, v.ServerlessConfig.MaxConcurrency);
      const mem = num(model, v.ServerlessConfig.MemorySizeInMB);
      if (max === undefined || mem === undefined) lines.push({ item: `variant ${name} (serverless)`, formula: 'MaxConcurrency or MemorySizeInMB not set', unboundedBy: 'InferenceGuard-SageMakerServerlessConcurrency' });
      else lines.push({ item: `variant ${name} (serverless)`, perHour: sageMakerServerlessCostPerHour(max, mem, p), formula: `${max} concurrent x ${mem / 1024} GB x 3600 s x $${p.sageMakerServerlessPerGbSecond}/GB-s` });
      continue;
    }
    const type = typeof v.InstanceType === 'string' ? v.InstanceType : undefined;
    const target = targets.find((x) => x.of.variant === name);
    const max = target ? num(model, model.props(target.t).MaxCapacity) : num(model, v.InitialInstanceCount);
    const from = target ? `scalable target ${target.t} MaxCapacity` : 'InitialInstanceCount (no autoscaling)';
    const price = type !== undefined ? p.sageMakerInstancePerHour[type] : undefined;
    if (max === undefined) lines.push({ item: `variant ${name}`, formula: `${from} is only known at deploy time: not priced` });
    else if (price === undefined) lines.push({ item: `variant ${name}`, formula: `${max} x ${type ?? '?'}: no price for this instance type (add it with --prices)` });
    else lines.push({ item: `variant ${name} instances at their maximum`, perHour: max * price, formula: `${max} (${from}) x ${type} $${price}/h` });
  }
  return lines;
}

function serviceLines(model: TemplateModel, serviceId: string, p: PriceTable): CostLine[] {
  const s = model.props(serviceId);
  const task = model.target(s.TaskDefinition, T.TASK_DEFINITION);
  const target = scalableTargetsOf(model, serviceId)[0];
  // DesiredCount defaults to 1 when absent; one known only at deploy time is not read as 1.
  const max = target ? num(model, model.props(target).MaxCapacity) : s.DesiredCount === undefined ? 1 : num(model, s.DesiredCount);
  const from = target ? `scalable target ${target} MaxCapacity` : 'DesiredCount (no autoscaling)';
  if (task === undefined || max === undefined) return [{ item: 'tasks', formula: 'task definition or task count not readable: not priced' }];
  const fargate = s.LaunchType === 'FARGATE' || containsText(s.CapacityProviderStrategy, 'FARGATE') || list(model.props(task).RequiresCompatibilities).includes('FARGATE');
  if (fargate) {
    const cpu = num(model, model.props(task).Cpu);
    const mem = num(model, model.props(task).Memory);
    if (cpu === undefined || mem === undefined) return [{ item: 'Fargate tasks', formula: 'task Cpu or Memory not set', unboundedBy: 'InferenceGuard-ECSContainerLimits' }];
    return [{ item: 'Fargate tasks at their maximum', perHour: fargateCostPerHour(max, cpu, mem, p), formula: `${max} (${from}) x (${cpu / 1024} vCPU x $${p.fargatePerVcpuHour} + ${mem / 1024} GB x $${p.fargatePerGbHour})` }];
  }
  // EC2 capacity: the Auto Scaling groups behind the service's capacity providers, at MaxSize.
  const lines: CostLine[] = [];
  for (const item of list(s.CapacityProviderStrategy)) {
    const cp = model.target(rec(item).CapacityProvider, T.CAPACITY_PROVIDER);
    const asg = cp !== undefined ? model.target(rec(model.props(cp).AutoScalingGroupProvider).AutoScalingGroupArn, T.ASG) : undefined;
    if (asg === undefined) continue;
    const size = num(model, model.props(asg).MaxSize);
    const lt = model.target(rec(model.props(asg).LaunchTemplate).LaunchTemplateId, T.LAUNCH_TEMPLATE);
    const type = lt !== undefined ? rec(model.props(lt).LaunchTemplateData).InstanceType : undefined;
    const price = typeof type === 'string' ? p.ec2InstancePerHour[type] : undefined;
    if (size === undefined || price === undefined) lines.push({ item: `EC2 capacity ${asg}`, formula: `MaxSize ${size ?? '?'} x ${String(type ?? '?')}: not priced (add the instance type with --prices)` });
    else lines.push({ item: `EC2 capacity ${asg} at MaxSize`, perHour: size * price, formula: `${size} x ${String(type)} $${price}/h` });
  }
  return lines.length > 0 ? lines : [{ item: 'EC2 capacity', formula: 'no Auto Scaling group in this template: not priced' }];
}

/**
 * SQS reuses a data key for `KmsDataKeyReusePeriodSeconds` (default 300 s) per principal, so a
 * key-encrypted queue costs KMS requests per principal per period, not per message (SQS developer
 * guide, "Encryption at rest: data key reuse period").
 */
export const SQS_DEFAULT_DATA_KEY_REUSE_S = 300;
/** Principals that call a job queue: the producer (admission) and the consumer (worker). */
export const SQS_PRINCIPALS_PER_QUEUE = 2;

/**
 * What customer-managed keys add (the regulated security posture): each key's monthly price, and
 * the KMS requests of key-encrypted queues (data keys reused per period, so bounded whatever the
 * traffic). Log groups and buckets encrypted with a key add requests CloudWatch Logs and S3 (with
 * a bucket key) make at a rate AWS does not publish: counted, not priced.
 */
function keyLines(model: TemplateModel, p: PriceTable): CostLine[] {
  const ids = (type: string) => model.ofType(type);
  const keys = ids('AWS::KMS::Key');
  if (keys.length === 0) return [];
  const logs = ids('AWS::Logs::LogGroup').filter((id) => model.props(id).KmsKeyId !== undefined);
  const buckets = ids('AWS::S3::Bucket').filter((id) => JSON.stringify(model.props(id).BucketEncryption ?? {}).includes('aws:kms'));
  const unpriced = logs.length + buckets.length > 0
    ? `; the KMS requests of ${logs.length} key-encrypted log group${logs.length === 1 ? '' : 's'} and ${buckets.length} bucket${buckets.length === 1 ? '' : 's'} (made by CloudWatch Logs and S3 with a bucket key at a rate AWS does not publish) are not priced`
    : '';
  const lines: CostLine[] = [{
    item: `${keys.length} customer-managed KMS key${keys.length === 1 ? '' : 's'}`, perHour: keys.length * p.kmsKeyPerMonth / HOURS_PER_MONTH,
    formula: `${keys.length} x $${p.kmsKeyPerMonth}/month / ${HOURS_PER_MONTH} h${unpriced}`,
  }];
  const queues = ids(T.QUEUE).filter((id) => model.props(id).KmsMasterKeyId !== undefined && model.props(id).KmsMasterKeyId !== 'alias/aws/sqs');
  if (queues.length > 0) {
    // Queues by data-key reuse period (in order of first appearance), each period a term of the formula.
    const byPeriod = new Map<number, number>();
    for (const id of queues) {
      const period = num(model, model.props(id).KmsDataKeyReusePeriodSeconds) ?? SQS_DEFAULT_DATA_KEY_REUSE_S;
      byPeriod.set(period, (byPeriod.get(period) ?? 0) + 1);
    }
    const terms = [...byPeriod].map(([period, n]) => ({ requests: n * SQS_PRINCIPALS_PER_QUEUE * 3600 / period, text: `${n} queue${n === 1 ? '' : 's'} x ${SQS_PRINCIPALS_PER_QUEUE} principals x 3600 s / ${period} s data-key reuse` }));
    const requests = terms.reduce((sum, t) => sum + t.requests, 0);
    lines.push({ item: `KMS requests of ${queues.length} key-encrypted queue${queues.length === 1 ? '' : 's'}`, perHour: requests / 10_000 * p.kmsPer10kRequests,
      formula: `${terms.map((t) => t.text).join(' + ')} = ${Math.round(requests)} requests x $${p.kmsPer10kRequests}/10k` });
  }
  return lines;
}

/**
 * A line whose price overflowed (a concurrency or count of 1e308 is a valid template number) reads
 * unbounded instead of "$Infinity/h" (and null in JSON).
 */
function finiteLine(l: CostLine): CostLine {
  if (l.perHour === undefined || Number.isFinite(l.perHour)) return l;
  // A line with a price has no unboundedBy of its own.
  return { item: l.item, formula: `${l.formula}: beyond any number of dollars`, unboundedBy: 'a value too large to bound anything' };
}

/** Worst-case cost per hour of each component of a reviewed template. */
export function templateCost(model: TemplateModel, components: readonly ComponentRef[], prices: PriceTable): CostReport {
  const out: ComponentCost[] = [];
  const producers = sqsProducers(model);
  for (const c of components) {
    const type = model.typeOf(c.id);
    let lines: CostLine[] = [];
    if (type === T.REST_API) lines = apiLines(model, c.id, false, prices);
    else if (isHttpApi(model, c.id)) lines = apiLines(model, c.id, true, prices);
    else if (type === T.QUEUE) lines = queueLines(model, c.id, producers, prices);
    else if (type === T.ENDPOINT) lines = endpointLines(model, c.id, prices);
    else if (type === T.SERVICE) lines = serviceLines(model, c.id, prices);
    else if (functionUrls(model, c.id).length > 0) {
      lines = lambdaLines(model, c.id, num(model, model.props(c.id).ReservedConcurrentExecutions), 'reserved concurrency', 'InferenceGuard-LambdaConcurrencyCap', prices, `a function URL (${functionUrls(model, c.id).join(', ')}) invokes it with no throttle`);
    }
    if (lines.length > 0) {
      const finite = lines.map(finiteLine);
      out.push({ id: c.id, label: c.label, lines: finite, perHour: total(finite) });
    }
  }
  const keys = keyLines(model, prices);
  if (keys.length > 0) out.push({ id: 'CustomerManagedKeys', label: 'customer-managed keys (security posture)', lines: keys, perHour: total(keys) });
  return { region: prices.region, asOf: prices.asOf, sources: prices.sources, components: out, perHour: sumOf(out.map((c) => c.perHour)) };
}

/** The cost section of a text report. */
export function renderCost(cost: CostReport, markdown = false): string[] {
  const out: string[] = [];
  const head = `Worst-case cost per hour (${cost.region} on-demand prices as of ${cost.asOf}; override with --prices FILE): ${showPerHour(cost.perHour)}`;
  out.push(markdown ? `**${head}**` : `  ${head}`);
  if (markdown) out.push('');
  for (const c of cost.components) {
    out.push(markdown ? `- ${c.label}: **${showPerHour(c.perHour)}**` : `    ${c.label}: ${showPerHour(c.perHour)}`);
    for (const l of c.lines) {
      const v = l.unboundedBy !== undefined ? `unbounded (${l.unboundedBy})` : l.perHour !== undefined ? showPerHour(l.perHour) : 'not priced';
      out.push(markdown ? `  - ${l.item}: ${v} = ${l.formula}` : `      ${l.item}: ${v} = ${l.formula}`);
    }
  }
  out.push(markdown ? '' : '', ...(markdown ? [`Prices: ${cost.sources.join(', ')}`, ''] : [`  prices: ${cost.sources.join(', ')}`, '']));
  return out;
}

/** Rules the library's InferenceApi web ACL always has: the per-IP rate-based rule and the oversize-body rule. */
export const INFERENCE_API_WAF_RULES = 2;

/**
 * Worst-case cost per hour of what `deriveLimits` sets: the API at its stage throttle with its web
 * ACL and access logs, and the backend at its maximum instance count (a SageMaker `ml.*` type, or
 * an EC2 type for ECS on EC2).
 */
export function limitsCost(input: { rateLimit: number; maxInstances: number; hardware: string }, prices: PriceTable): CostReport {
  const api: CostLine[] = [
    { item: 'API requests at the stage throttle', perHour: requestCostPerHour(input.rateLimit, prices.apiGatewayRestPerMillion), formula: `${input.rateLimit} rps x 3600 s x $${prices.apiGatewayRestPerMillion}/M` },
    { item: 'WAF web ACL', perHour: wafCostPerHour(INFERENCE_API_WAF_RULES, input.rateLimit, prices), formula: `($${prices.wafWebAclPerMonth} + ${INFERENCE_API_WAF_RULES} rules x $${prices.wafRulePerMonth}) / ${HOURS_PER_MONTH} h + ${input.rateLimit} rps x $${prices.wafPerMillionRequests}/M (managed rule groups not counted)` },
    { item: 'access logs', perHour: logCostPerHour(input.rateLimit * ACCESS_LOG_BYTES_PER_REQUEST, prices), formula: `${input.rateLimit} rps x ${ACCESS_LOG_BYTES_PER_REQUEST} B x $${prices.logsIngestPerGb}/GB` },
  ];
  const price = prices.sageMakerInstancePerHour[input.hardware] ?? prices.ec2InstancePerHour[input.hardware];
  const backend: CostLine[] = [price === undefined
    ? { item: 'instances at their maximum', formula: `${input.maxInstances} x ${input.hardware}: no price for this instance type (add it with --prices)` }
    : { item: 'instances at their maximum', perHour: input.maxInstances * price, formula: `${input.maxInstances} (scaling.maxInstances) x ${input.hardware} $${price}/h` }];
  const components: ComponentCost[] = [
    { id: 'api', label: 'InferenceApi', lines: api, perHour: total(api) },
    { id: 'backend', label: 'Backend', lines: backend, perHour: price === undefined ? undefined : total(backend) },
  ];
  return { region: prices.region, asOf: prices.asOf, sources: prices.sources, components, perHour: sumOf(components.map((c) => c.perHour)) };
}
