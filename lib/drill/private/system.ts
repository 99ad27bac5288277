import { APIGW_ACCOUNT_BURST_LIMIT, APIGW_ACCOUNT_RATE_LIMIT_RPS, APIGW_MAX_INTEGRATION_TIMEOUT_MS } from '../../core/aws-limits';
import { T, isRecord, list, rec, stageView } from '../../nag/rules/helpers';
import { endpointConfigOf, isAsyncConfig, scalingTargetOf, variants } from '../../nag/rules/sagemaker/endpoints';
import { apiInvocations } from '../../nag/rules/lambda/functions';
import { readNumber, referencedIds, renderString } from '../../nag/template/intrinsics';
import { TemplateModel } from '../../nag/template/template-model';
import { InferenceProfile, PROFILE_METADATA_KEY } from '../../profile/inference-profile';
import { PriceTable } from '../../review/prices';
import { DEFAULT_COOLDOWN_S } from './facts';

const API_RESOURCE = 'AWS::ApiGateway::Resource';


/** A token bucket read from the template. */
export interface BucketSpec {
  readonly label: string;
  readonly rate: number;
  readonly burst: number;
}

/** A WAF rate-based rule. */
export interface WafRuleSpec {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
  /** How requests are grouped: per IP, per API key (header custom key), or all together. */
  readonly aggregate: 'ip' | 'key' | 'all';
}

/** A usage plan whose keys the drill's clients hold. */
export interface PlanSpec {
  readonly name: string;
  /** The per-key bucket of the method the drill calls (the plan's per-method throttle, else its own). */
  readonly perKey?: BucketSpec;
  /** Requests per key per day. */
  readonly quotaPerDay?: number;
}

/** A target-tracking policy. */
export interface ScalingPolicySpec {
  readonly id: string;
  /** invocations: requests per unit per minute; utilization: busy share x 100. */
  readonly metric: 'invocations' | 'utilization';
  readonly target: number;
  readonly scaleOutCooldownS: number;
  readonly scaleInCooldownS: number;
  readonly disableScaleIn: boolean;
}

/** What serves the requests. */
export interface BackendSpec {
  readonly id: string;
  readonly label: string;
  /** instances (SageMaker real-time, ECS tasks) queue work; serverless refuses beyond its concurrency. */
  readonly kind: 'instances' | 'serverless' | 'async';
  /** Reference requests per second one unit serves. */
  readonly unitRps: number;
  readonly initialUnits: number;
  readonly minUnits: number;
  readonly maxUnits: number;
  readonly coldStartS: number;
  readonly policies: readonly ScalingPolicySpec[];
  /** USD per unit-hour; undefined when not priced. */
  readonly unitPricePerHour?: number;
  readonly priceFormula: string;
  /** Model-server timeout (ms): work that cannot start before it is refused. */
  readonly modelTimeoutMs: number;
}

/** The job queue behind POST /jobs. */
export interface JobQueueSpec {
  readonly admissionId: string;
  readonly depthBudget: number;
  readonly drainRatePerSecond: number;
  readonly resumeFraction: number;
}

/** One entry point and everything in front of and behind it. */
export interface DrillSystem {
  readonly apiId: string;
  readonly apiLabel: string;
  readonly methodId: string;
  readonly methodLabel: string;
  readonly apiKeyRequired: boolean;
  readonly authorization: string;
  readonly waf: readonly WafRuleSpec[];
  /** Usage plans of the stage, top tier first. */
  readonly plans: readonly PlanSpec[];
  readonly method?: BucketSpec;
  readonly stage?: BucketSpec;
  readonly account: BucketSpec;
  readonly integrationTimeoutMs: number;
  readonly backend?: BackendSpec;
  readonly queue?: JobQueueSpec;
  readonly profile: InferenceProfile;
  readonly apiRequestPricePerMillion: number;
  readonly wafPricePerMillion: number;
  /** What could not be read, said in the report. */
  readonly assumptions: readonly string[];
}

function num(model: TemplateModel, v: unknown): number | undefined {
  const r = readNumber(v, model.parameterDefault);
  return r.kind === 'literal' ? r.value : undefined;
}

/** The profile a library backend recorded in the template's metadata, if any. */
export function recordedProfile(model: TemplateModel): InferenceProfile | undefined {
  for (const id of Object.keys(model.template.Resources)) {
    const m = model.template.Resources[id].Metadata?.[PROFILE_METADATA_KEY];
    if (isRecord(m)) return InferenceProfile.fromJson(m, `${id} metadata ${PROFILE_METADATA_KEY}`);
  }
  return undefined;
}

/** REST methods that take requests (not OPTIONS), with the stage they are deployed to. */
export function entryMethods(model: TemplateModel): Array<{ apiId: string; methodId: string; jobs: boolean }> {
  const out: Array<{ apiId: string; methodId: string; jobs: boolean }> = [];
  for (const m of model.ofType(T.METHOD)) {
    const p = model.props(m);
    const apiId = model.target(p.RestApiId, T.REST_API);
    if (apiId === undefined || p.HttpMethod !== 'POST') continue;
    const uri = JSON.stringify(rec(p.Integration).Uri ?? '');
    out.push({ apiId, methodId: m, jobs: admissionOf(model, m) !== undefined && !uri.includes('runtime.sagemaker') });
  }
  return out;
}

function admissionOf(model: TemplateModel, methodId: string): string | undefined {
  for (const fn of model.ofType(T.FUNCTION)) {
    const env = rec(rec(model.props(fn).Environment).Variables);
    if (env.KIG_DEPTH_BUDGET === undefined) continue;
    if (apiInvocations(model, fn).some((a) => a.id === methodId)) return fn;
  }
  return undefined;
}

/** The path of a method ("/predict"), from its resource chain. */
function methodPath(model: TemplateModel, methodId: string): string {
  const parts: string[] = [];
  let r = model.target(model.props(methodId).ResourceId, API_RESOURCE);
  for (let depth = 0; r !== undefined && depth < 20; depth++) {
    parts.unshift(String(model.props(r).PathPart));
    r = model.target(model.props(r).ParentId, API_RESOURCE);
  }
  return `/${parts.join('/')}`;
}

function bucketOf(model: TemplateModel, s: Record<string, unknown> | undefined, label: string, rateKey = 'ThrottlingRateLimit', burstKey = 'ThrottlingBurstLimit'): BucketSpec | undefined {
  if (!s) return undefined;
  const rate = num(model, s[rateKey]);
  if (rate === undefined) return undefined;
  return { label, rate, burst: num(model, s[burstKey]) ?? rate };
}

/**
 * Reads the entry point `methodId` of `apiId` and what is in front of it (WAF, plans, stage and
 * method throttles) and behind it (backend, job queue), with the profile.
 */
export function readSystem(model: TemplateModel, apiId: string, methodId: string, profile: InferenceProfile, prices: PriceTable): DrillSystem {
  const assumptions: string[] = [];
  const mp = model.props(methodId);
  const path = methodPath(model, methodId);
  const httpMethod = String(mp.HttpMethod);
  const stage = [...model.ofType(T.STAGE), ...model.ofType(T.DEPLOYMENT)].map((s) => stageView(model, s)).find((s) => s?.restApiId === apiId);
  let stageBucket: BucketSpec | undefined;
  let methodBucket: BucketSpec | undefined;
  if (stage) {
    const all = stage.methodSettings.find((m) => m.HttpMethod === '*' && m.ResourcePath === '/*');
    stageBucket = bucketOf(model, all, `stage ${stage.stageName ?? stage.id} default throttle`)
      ?? (stage.descriptionThrottle ? bucketOf(model, { r: stage.descriptionThrottle.rate, b: stage.descriptionThrottle.burst }, `stage ${stage.stageName ?? stage.id} throttle`, 'r', 'b') : undefined);
    // MethodSettings ResourcePath escapes "/" as "~1" (AWS::ApiGateway::Stage MethodSetting).
    const own = stage.methodSettings.find((m) => m.HttpMethod === httpMethod && m.ResourcePath === path.replace(/\//g, '~1'));
    methodBucket = bucketOf(model, own, `stage method ${httpMethod} ${path} throttle`);
  } else {
    assumptions.push(`no stage of ${apiId} in the template: only the account throttle applies`);
  }

  // Usage plans that cover this stage; their per-key bucket for this method.
  const plans: PlanSpec[] = [];
  for (const planId of model.ofType(T.USAGE_PLAN)) {
    const pp = model.props(planId);
    const stages = list(pp.ApiStages).filter(isRecord).filter((s) => model.target(s.ApiId) === apiId);
    if (stages.length === 0) continue;
    const perMethod = stages.map((s) => rec(s.Throttle)[`${path}/${httpMethod}`]).find(isRecord);
    const name = renderString(pp.UsagePlanName) ?? planId;
    plans.push({
      name,
      perKey: bucketOf(model, perMethod, `usage plan ${name} per-key ${path}/${httpMethod} throttle`, 'RateLimit', 'BurstLimit')
        ?? bucketOf(model, rec(pp.Throttle), `usage plan ${name} per-key throttle`, 'RateLimit', 'BurstLimit'),
      quotaPerDay: rec(pp.Quota).Period === 'DAY' ? num(model, rec(pp.Quota).Limit) : undefined,
    });
  }
  plans.sort((a, b) => (b.perKey?.rate ?? Infinity) - (a.perKey?.rate ?? Infinity));

  // WAF web ACLs associated with the API's stage.
  const waf: WafRuleSpec[] = [];
  for (const assoc of model.ofType(T.WEB_ACL_ASSOCIATION)) {
    const refs = referencedIds(model.props(assoc).ResourceArn);
    if (!refs.has(apiId) && !(stage && refs.has(stage.id))) continue;
    const acl = model.target(model.props(assoc).WebACLArn, T.WEB_ACL);
    if (!acl) continue;
    for (const rule of list(model.props(acl).Rules).filter(isRecord)) {
      const rb = rec(rec(rule.Statement).RateBasedStatement);
      const limit = num(model, rb.Limit);
      if (limit === undefined || !isRecord(rec(rule.Action).Block)) continue;
      const keyType = String(rb.AggregateKeyType ?? 'IP');
      const customHeaders = list(rb.CustomKeys).filter(isRecord).map((k) => String(rec(k.Header).Name ?? '').toLowerCase());
      let aggregate: WafRuleSpec['aggregate'] = 'ip';
      if (keyType === 'CONSTANT') aggregate = 'all';
      else if (keyType === 'CUSTOM_KEYS') {
        aggregate = customHeaders.includes('x-api-key') ? 'key' : 'ip';
        if (!customHeaders.includes('x-api-key')) assumptions.push(`WAF rule ${String(rule.Name)}: custom keys other than x-api-key are modelled as per IP`);
      } else if (keyType === 'FORWARDED_IP') assumptions.push(`WAF rule ${String(rule.Name)} aggregates on a forwarded IP header: every client is assumed to send it`);
      if (rb.ScopeDownStatement !== undefined) assumptions.push(`WAF rule ${String(rule.Name)} has a scope-down statement: every request is assumed to match it`);
      waf.push({ name: String(rule.Name), limit, windowSeconds: num(model, rb.EvaluationWindowSec) ?? 300, aggregate });
    }
  }

  const integration = rec(mp.Integration);
  const integrationTimeoutMs = num(model, integration.TimeoutInMillis) ?? APIGW_MAX_INTEGRATION_TIMEOUT_MS;
  const admission = admissionOf(model, methodId);
  let queue: JobQueueSpec | undefined;
  if (admission) {
    const env = rec(rec(model.props(admission).Environment).Variables);
    queue = {
      admissionId: admission,
      depthBudget: num(model, env.KIG_DEPTH_BUDGET) ?? Infinity,
      drainRatePerSecond: num(model, env.KIG_DRAIN_RATE_PER_SECOND) ?? 0,
      resumeFraction: num(model, env.KIG_RESUME_FRACTION) ?? 1,
    };
  }
  const apiKeyRequired = mp.ApiKeyRequired === true || mp.ApiKeyRequired === 'true';
  if (!apiKeyRequired && plans.length > 0) assumptions.push(`${httpMethod} ${path} does not require an API key: its requests carry none, so the usage plans' per-key throttles do not apply to them`);
  const backend = readBackend(model, JSON.stringify(integration.Uri ?? ''), profile, prices, assumptions);
  if (!backend) assumptions.push('no SageMaker endpoint or ECS service found behind the API: the backend is not modelled');

  return {
    apiId, apiLabel: renderString(model.props(apiId).Name) ?? apiId,
    methodId, methodLabel: `${httpMethod} ${path}`,
    apiKeyRequired,
    authorization: String(mp.AuthorizationType ?? 'NONE'),
    waf, plans, method: methodBucket, stage: stageBucket,
    account: { label: 'account throttle (per Region)', rate: APIGW_ACCOUNT_RATE_LIMIT_RPS, burst: APIGW_ACCOUNT_BURST_LIMIT },
    integrationTimeoutMs, backend, queue, profile,
    apiRequestPricePerMillion: prices.apiGatewayRestPerMillion,
    wafPricePerMillion: prices.wafPerMillionRequests,
    assumptions,
  };
}

function policiesOn(model: TemplateModel, scalableTarget: string): ScalingPolicySpec[] {
  const out: ScalingPolicySpec[] = [];
  for (const pol of model.ofType(T.SCALING_POLICY)) {
    const p = model.props(pol);
    if (model.target(p.ScalingTargetId) !== scalableTarget || p.PolicyType !== 'TargetTrackingScaling') continue;
    const c = rec(p.TargetTrackingScalingPolicyConfiguration);
    const type = String(rec(c.PredefinedMetricSpecification).PredefinedMetricType ?? '');
    const target = num(model, c.TargetValue);
    if (target === undefined) continue;
    const metric = /InvocationsPerInstance|RequestCountPerTarget/.test(type) ? 'invocations' : /CPUUtilization|GPUUtilization|Utilization/.test(type) ? 'utilization' : undefined;
    if (!metric) continue;
    out.push({
      id: pol, metric, target,
      scaleOutCooldownS: num(model, c.ScaleOutCooldown) ?? DEFAULT_COOLDOWN_S,
      scaleInCooldownS: num(model, c.ScaleInCooldown) ?? DEFAULT_COOLDOWN_S,
      disableScaleIn: c.DisableScaleIn === true,
    });
  }
  return out;
}

function readBackend(model: TemplateModel, uri: string, profile: InferenceProfile, prices: PriceTable, assumptions: string[]): BackendSpec | undefined {
  const modelTimeoutMs = Math.max(5_000, Math.ceil(profile.latencyMs.p99 * 3));
  // SageMaker endpoints: the one the integration names, else the only synchronous one.
  const endpoints = model.ofType(T.ENDPOINT).filter((e) => {
    const config = endpointConfigOf(model, e);
    return config !== undefined && !isAsyncConfig(model, config);
  });
  const named = endpoints.find((e) => {
    const name = renderString(model.props(e).EndpointName);
    return name !== undefined && uri.includes(name);
  }) ?? (uri.includes('runtime.sagemaker') || endpoints.length > 0 ? endpoints[0] : undefined);
  if (named) {
    const config = endpointConfigOf(model, named)!;
    const v = variants(model, config)[0] ?? {};
    const sc = rec(v.ServerlessConfig);
    if (isRecord(v.ServerlessConfig)) {
      const max = num(model, sc.MaxConcurrency) ?? 1;
      const mem = num(model, sc.MemorySizeInMB) ?? 1024;
      // One concurrent invocation serves one request at a time: 1000 / p50 per second at most.
      const unitRps = Math.min(profile.throughputPerInstanceRps, 1000 / profile.latencyMs.p50);
      return {
        id: named, label: `SageMaker serverless endpoint ${named}`, kind: 'serverless', unitRps, initialUnits: max, minUnits: max, maxUnits: max,
        coldStartS: 0, policies: [], modelTimeoutMs,
        unitPricePerHour: (mem / 1024) * 3600 * prices.sageMakerServerlessPerGbSecond,
        priceFormula: `${mem / 1024} GB x 3600 s x $${prices.sageMakerServerlessPerGbSecond}/GB-s per concurrent invocation (billed while busy; counted at MaxConcurrency)`,
      };
    }
    const type = typeof v.InstanceType === 'string' ? v.InstanceType : undefined;
    const initial = num(model, v.InitialInstanceCount) ?? 1;
    const st = model.ofType(T.SCALABLE_TARGET).find((t) => scalingTargetOf(model, model.props(t).ResourceId)?.endpointId === named);
    const price = type !== undefined ? prices.sageMakerInstancePerHour[type] : undefined;
    if (price === undefined) assumptions.push(`no price for ${type ?? 'the instance type'}: cost is not computed`);
    return {
      id: named, label: `SageMaker endpoint ${named} (${type ?? '?'})`, kind: 'instances', unitRps: profile.throughputPerInstanceRps,
      initialUnits: initial, minUnits: st ? num(model, model.props(st).MinCapacity) ?? initial : initial, maxUnits: st ? num(model, model.props(st).MaxCapacity) ?? initial : initial,
      coldStartS: profile.coldStartSeconds, policies: st ? policiesOn(model, st) : [], modelTimeoutMs,
      unitPricePerHour: price, priceFormula: `${type} $${price ?? '?'}/h per instance`,
    };
  }
  // ECS: the service whose load balancer the API reaches (the only one with a target group).
  const services = model.ofType(T.SERVICE).filter((s) => list(model.props(s).LoadBalancers).length > 0);
  const svc = services[0];
  if (!svc) return undefined;
  const sp = model.props(svc);
  const st = model.ofType(T.SCALABLE_TARGET).find((t) => referencedIds(model.props(t).ResourceId).has(svc));
  const desired = num(model, sp.DesiredCount) ?? (st ? num(model, model.props(st).MinCapacity) : undefined) ?? 1;
  const task = model.target(sp.TaskDefinition, T.TASK_DEFINITION);
  const fargate = sp.LaunchType === 'FARGATE' || JSON.stringify(sp.CapacityProviderStrategy ?? '').includes('FARGATE')
    || (task !== undefined && list(model.props(task).RequiresCompatibilities).includes('FARGATE'));
  let price: number | undefined;
  let formula = 'not priced';
  if (fargate && task) {
    const cpu = num(model, model.props(task).Cpu);
    const mem = num(model, model.props(task).Memory);
    if (cpu !== undefined && mem !== undefined) {
      price = (cpu / 1024) * prices.fargatePerVcpuHour + (mem / 1024) * prices.fargatePerGbHour;
      formula = `${cpu / 1024} vCPU x $${prices.fargatePerVcpuHour} + ${mem / 1024} GB x $${prices.fargatePerGbHour} per task-hour`;
    }
  } else {
    for (const item of list(sp.CapacityProviderStrategy).filter(isRecord)) {
      const cp = model.target(item.CapacityProvider, T.CAPACITY_PROVIDER);
      const asg = cp !== undefined ? model.target(rec(model.props(cp).AutoScalingGroupProvider).AutoScalingGroupArn, T.ASG) : undefined;
      const lt = asg !== undefined ? model.target(rec(model.props(asg).LaunchTemplate).LaunchTemplateId, T.LAUNCH_TEMPLATE) : undefined;
      const type = lt !== undefined ? rec(model.props(lt).LaunchTemplateData).InstanceType : undefined;
      if (typeof type === 'string' && prices.ec2InstancePerHour[type] !== undefined) {
        price = prices.ec2InstancePerHour[type];
        formula = `${type} $${price}/h per task (one task per instance assumed)`;
        assumptions.push('ECS on EC2: one task per instance, and a new instance and its task serve after the profile\'s cold start');
      }
    }
  }
  if (price === undefined) assumptions.push(`ECS service ${svc}: task price not readable, cost is not computed`);
  return {
    id: svc, label: `ECS service ${svc}${fargate ? ' (Fargate)' : ''}`, kind: 'instances', unitRps: profile.throughputPerInstanceRps,
    initialUnits: desired, minUnits: st ? num(model, model.props(st).MinCapacity) ?? desired : desired, maxUnits: st ? num(model, model.props(st).MaxCapacity) ?? desired : desired,
    coldStartS: profile.coldStartSeconds, policies: st ? policiesOn(model, st) : [], modelTimeoutMs, unitPricePerHour: price, priceFormula: formula,
  };
}
