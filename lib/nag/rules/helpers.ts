import { formatProblem } from '../../core/errors';
import { findReferences, readBoolean, readString, referencedIds, renderString } from '../template/intrinsics';
import { TemplateModel } from '../template/template-model';

/** Resource types the rules look at, named once. */
export const T = {
  REST_API: 'AWS::ApiGateway::RestApi',
  STAGE: 'AWS::ApiGateway::Stage',
  DEPLOYMENT: 'AWS::ApiGateway::Deployment',
  METHOD: 'AWS::ApiGateway::Method',
  USAGE_PLAN: 'AWS::ApiGateway::UsagePlan',
  REQUEST_VALIDATOR: 'AWS::ApiGateway::RequestValidator',
  VPC_LINK: 'AWS::ApiGateway::VpcLink',
  WEB_ACL: 'AWS::WAFv2::WebACL',
  WEB_ACL_ASSOCIATION: 'AWS::WAFv2::WebACLAssociation',
  QUEUE: 'AWS::SQS::Queue',
  FUNCTION: 'AWS::Lambda::Function',
  ALIAS: 'AWS::Lambda::Alias',
  VERSION: 'AWS::Lambda::Version',
  EVENT_SOURCE_MAPPING: 'AWS::Lambda::EventSourceMapping',
  TASK_DEFINITION: 'AWS::ECS::TaskDefinition',
  SERVICE: 'AWS::ECS::Service',
  CAPACITY_PROVIDER: 'AWS::ECS::CapacityProvider',
  CLUSTER_CAPACITY_ASSOCIATIONS: 'AWS::ECS::ClusterCapacityProviderAssociations',
  ASG: 'AWS::AutoScaling::AutoScalingGroup',
  LAUNCH_TEMPLATE: 'AWS::EC2::LaunchTemplate',
  LAUNCH_CONFIGURATION: 'AWS::AutoScaling::LaunchConfiguration',
  LOAD_BALANCER: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  LISTENER: 'AWS::ElasticLoadBalancingV2::Listener',
  ENDPOINT: 'AWS::SageMaker::Endpoint',
  ENDPOINT_CONFIG: 'AWS::SageMaker::EndpointConfig',
  SCALABLE_TARGET: 'AWS::ApplicationAutoScaling::ScalableTarget',
  SCALING_POLICY: 'AWS::ApplicationAutoScaling::ScalingPolicy',
  ALARM: 'AWS::CloudWatch::Alarm',
  LOG_GROUP: 'AWS::Logs::LogGroup',
  TOPIC: 'AWS::SNS::Topic',
  SUBSCRIPTION: 'AWS::SNS::Subscription',
  HTTP_API: 'AWS::ApiGatewayV2::Api',
  HTTP_STAGE: 'AWS::ApiGatewayV2::Stage',
  HTTP_ROUTE: 'AWS::ApiGatewayV2::Route',
  HTTP_INTEGRATION: 'AWS::ApiGatewayV2::Integration',
  FUNCTION_URL: 'AWS::Lambda::Url',
  LAMBDA_PERMISSION: 'AWS::Lambda::Permission',
  IAM_ROLE: 'AWS::IAM::Role',
  IAM_POLICY: 'AWS::IAM::Policy',
  IAM_MANAGED_POLICY: 'AWS::IAM::ManagedPolicy',
  DISTRIBUTION: 'AWS::CloudFront::Distribution',
} as const;

/**
 * Metadata key on the method and route resources the review builds from an API's inline OpenAPI
 * `Body`: the path (REST) or route key (HTTP) of the operation, for labels.
 */
export const OPENAPI_PATH_METADATA_KEY = 'InferenceGuard::OpenApiOperation';

/** One finding line in the library's usual shape: the thing, the value, what is allowed, the fix. */
export function problem(what: string, value: string, allowed: string, fix: string): string {
  return formatProblem({ prop: what, value, allowed, fix });
}

/** Plain object check. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An array property, or an empty array when absent or not an array (e.g. an `Fn::If`). */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A record property, or an empty record. */
export function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** CloudFormation `Json` properties (RedrivePolicy, ...) may be a JSON string; read both shapes. */
export function jsonProperty(v: unknown): Record<string, unknown> | undefined {
  if (isRecord(v)) return v;
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// ---- API Gateway -----------------------------------------------------------------------------

/** A REST stage, whether declared as AWS::ApiGateway::Stage or by a Deployment's StageName. */
export interface StageView {
  /** Logical id of the Stage (or Deployment) resource. */
  readonly id: string;
  /** Logical id of the REST API, when it is in the template. */
  readonly restApiId?: string;
  /** Stage name, when it is a literal. */
  readonly stageName?: string;
  /** `MethodSettings` entries. */
  readonly methodSettings: ReadonlyArray<Record<string, unknown>>;
  /** Stage-wide throttle set directly on a Deployment's `StageDescription`. */
  readonly descriptionThrottle?: { readonly rate: unknown; readonly burst: unknown };
}

/** Reads a Stage, or a Deployment that creates a stage; undefined for anything else. Read once per resource and template. */
export function stageView(model: TemplateModel, id: string): StageView | undefined {
  const cache = model.memo('stageViews', () => new Map<string, StageView | undefined>());
  if (!cache.has(id)) cache.set(id, readStageView(model, id));
  return cache.get(id);
}

function readStageView(model: TemplateModel, id: string): StageView | undefined {
  const type = model.typeOf(id);
  const p = model.props(id);
  if (type === T.STAGE) {
    const name = readString(p.StageName, model.parameterDefault);
    return {
      id,
      restApiId: model.target(p.RestApiId, T.REST_API),
      stageName: name.kind === 'literal' ? name.value : undefined,
      methodSettings: list(p.MethodSettings).filter(isRecord),
    };
  }
  if (type === T.DEPLOYMENT && p.StageName !== undefined) {
    const name = readString(p.StageName, model.parameterDefault);
    const d = rec(p.StageDescription);
    return {
      id,
      restApiId: model.target(p.RestApiId, T.REST_API),
      stageName: name.kind === 'literal' ? name.value : undefined,
      methodSettings: list(d.MethodSettings).filter(isRecord),
      descriptionThrottle: { rate: d.ThrottlingRateLimit, burst: d.ThrottlingBurstLimit },
    };
  }
  return undefined;
}

/** Every stage of every REST API in the template. */
export function allStages(model: TemplateModel): StageView[] {
  return model.memo('allStages', () => [...model.ofType(T.STAGE), ...model.ofType(T.DEPLOYMENT)]
    .map((id) => stageView(model, id))
    .filter((s): s is StageView => s !== undefined));
}

/** The stages of one REST API (Stage resources first, then deployments that create a stage), from an index built once. */
export function stagesOfApi(model: TemplateModel, apiId: string): readonly StageView[] {
  return groupedOnce(model, 'stagesByApi', allStages(model), (s) => s.restApiId).get(apiId) ?? [];
}

/** The AWS::ApiGatewayV2::Stage resources of one API, from an index built once. */
export function httpStagesOfApi(model: TemplateModel, apiId: string): readonly string[] {
  return groupedOnce(model, 'httpStagesByApi', model.ofType(T.HTTP_STAGE), (s) => model.target(model.props(s).ApiId)).get(apiId) ?? [];
}

/**
 * Items grouped by a key, built once per template under `name` and kept in the model, so a rule
 * that asks "which X belong to this Y" per resource stays linear in the template size.
 */
export function groupedOnce<V>(model: TemplateModel, name: string, items: readonly V[] | (() => readonly V[]), keyOf: (v: V) => string | readonly string[] | undefined): ReadonlyMap<string, readonly V[]> {
  return model.memo(`grouped\0${name}`, () => {
    const m = new Map<string, V[]>();
    for (const item of typeof items === 'function' ? items() : items) {
      const k = keyOf(item);
      // No key (undefined) is an empty set: the item is in no group.
      for (const key of typeof k === 'string' ? [k] : new Set(k)) {
        const list = m.get(key);
        if (list) list.push(item);
        else m.set(key, [item]);
      }
    }
    return m;
  });
}

/** Label for messages: `stage "prod" (ApiStage)`. */
export function stageLabel(s: StageView): string {
  return s.stageName !== undefined ? `stage "${s.stageName}" (${s.id})` : `stage ${s.id}`;
}

/**
 * True when an ARN expression points at the stage: it references the Stage resource (CDK's
 * `stage.stageArn`), or it references the API and ends with `/stages/<name>`.
 */
export function arnPointsAtStage(arn: unknown, stage: StageView): boolean {
  const refs = referencedIds(arn);
  if (refs.has(stage.id)) return true;
  if (stage.restApiId === undefined || !refs.has(stage.restApiId)) return false;
  const text = renderString(arn);
  return text !== undefined && stage.stageName !== undefined && text.endsWith(`/stages/${stage.stageName}`);
}

/** Endpoint types of a REST API; REST APIs are edge-optimized when EndpointConfiguration is absent. */
export function endpointTypes(model: TemplateModel, apiId: string): string[] | undefined {
  const types = rec(model.props(apiId).EndpointConfiguration).Types;
  if (types === undefined) return ['EDGE'];
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) return undefined;
  return types.map((t) => t.toUpperCase());
}

/** Label for a REST API: `API "name" (Id)`. */
export function apiLabel(model: TemplateModel, apiId: string): string {
  const name = readString(model.props(apiId).Name);
  return name.kind === 'literal' ? `API "${name.value}" (${apiId})` : `API ${apiId}`;
}

/** Label for a method: `POST /predict (MethodId)` when the path can be read, else the id. */
export function methodLabel(model: TemplateModel, methodId: string): string {
  const p = model.props(methodId);
  const verb = typeof p.HttpMethod === 'string' ? p.HttpMethod.toUpperCase() : '?';
  const fromBody = model.resource(methodId)?.Metadata?.[OPENAPI_PATH_METADATA_KEY];
  if (typeof fromBody === 'string') return `method ${verb} ${fromBody} (in the OpenAPI Body of ${model.target(p.RestApiId) ?? '?'})`;
  return `method ${verb} ${resourcePath(model, p.ResourceId)} (${methodId})`;
}

/** The path of an API resource (`/predict`), walking ParentId up to the root. */
function resourcePath(model: TemplateModel, resourceRef: unknown): string {
  const parts: string[] = [];
  let cur = model.target(resourceRef, 'AWS::ApiGateway::Resource');
  // At most 30 levels: a ParentId cycle (A under B under A) must not walk forever.
  for (let depth = 0; cur !== undefined && depth < 30; depth++) {
    const p = model.props(cur);
    parts.unshift(typeof p.PathPart === 'string' ? p.PathPart : '{?}');
    cur = model.target(p.ParentId, 'AWS::ApiGateway::Resource');
  }
  return `/${parts.join('/')}`;
}

// ---- SQS -------------------------------------------------------------------------------------

/** The DLQ logical id and maxReceiveCount of a queue's RedrivePolicy. */
export function redrive(model: TemplateModel, queueId: string): { present: boolean; dlqId?: string; dlqArn?: unknown; maxReceiveCount?: unknown } {
  const policy = jsonProperty(model.props(queueId).RedrivePolicy);
  if (!policy) return { present: false };
  return {
    present: true,
    dlqArn: policy.deadLetterTargetArn,
    dlqId: model.target(policy.deadLetterTargetArn, T.QUEUE),
    maxReceiveCount: policy.maxReceiveCount,
  };
}

/**
 * True when the queue is a dead-letter target: of another queue's redrive policy, of a Lambda
 * function, event source mapping, SNS subscription or EventBridge rule failure path, or the
 * subscriber of a failure topic (e.g. a SageMaker async endpoint's ErrorTopic).
 */
export function isDeadLetterQueue(model: TemplateModel, queueId: string): boolean {
  // Another queue's RedrivePolicy is one failure path: read as a path, a target chosen by `Fn::If`
  // (a dead-letter queue under a condition) counts too, where `redrive` only reads a direct reference.
  return model.referencers(queueId).some((from) => referencedOnFailurePath(model, from, queueId))
    || failureTopicSubscriptions(model, queueId).length > 0;
}

const FAILURE_PATH = /RedrivePolicy|DeadLetter|OnFailure|ErrorTopic/;

function referencedOnFailurePath(model: TemplateModel, from: string, target: string): boolean {
  return findReferences(model.props(from)).some((r) => r.target === target && FAILURE_PATH.test(r.path));
}

/**
 * SNS subscriptions that deliver a failure topic into this queue: a topic that is the ErrorTopic of
 * a SageMaker async endpoint, or the on-failure destination of a Lambda function or event source.
 * Such a queue is a failure store, i.e. a dead-letter queue fed through SNS.
 */
function failureTopicSubscriptions(model: TemplateModel, queueId: string): string[] {
  return model.referencers(queueId, T.SUBSCRIPTION).filter((sub) => {
    const p = model.props(sub);
    const topic = model.target(p.TopicArn, T.TOPIC);
    return model.target(p.Endpoint) === queueId && topic !== undefined
      && model.referencers(topic).some((from) => referencedOnFailurePath(model, from, topic));
  });
}

/** Queues whose redrive policy sends to this queue. */
export function deadLetterSources(model: TemplateModel, queueId: string): string[] {
  return model.referencers(queueId, T.QUEUE).filter((q) => redrive(model, q).dlqId === queueId);
}

/** The Lambda function an event source mapping (or alias / version reference) invokes. */
export function functionOf(model: TemplateModel, ref: unknown): string | undefined {
  const id = model.target(ref);
  if (id === undefined) {
    // A literal function name: match it against functions that declare the same FunctionName.
    const name = readString(ref);
    if (name.kind !== 'literal') return undefined;
    return findByLiteral(model, T.FUNCTION, 'FunctionName', name.value);
  }
  const type = model.typeOf(id);
  if (type === T.FUNCTION) return id;
  if (type === T.ALIAS || type === T.VERSION) return functionOf(model, model.props(id).FunctionName);
  return undefined;
}

// ---- CloudWatch alarms -----------------------------------------------------------------------

/** One metric an alarm watches (a plain alarm has one, a metric-math alarm may have several). */
export interface AlarmMetric {
  /** Metric namespace, e.g. `AWS/SQS`. */
  readonly namespace?: unknown;
  /** Metric name, e.g. `ApproximateNumberOfMessagesVisible`. */
  readonly metricName?: unknown;
  /** Metric dimensions as written in the template. */
  readonly dimensions: ReadonlyArray<{ readonly Name?: unknown; readonly Value?: unknown }>;
}

/**
 * The first resource of `type` whose property `prop` is the literal string `value`, from an index
 * built once per template (a lookup per resource would make a review quadratic).
 */
export function findByLiteral(model: TemplateModel, type: string, prop: string, value: string): string | undefined {
  const index = model.memo(`byLiteral\0${type}\0${prop}`, () => {
    // Values that are not strings are kept too: no string asked for equals one.
    const m = new Map<unknown, string>();
    for (const id of model.ofType(type)) {
      const v = model.props(id)[prop];
      if (!m.has(v)) m.set(v, id);
    }
    return m;
  });
  return index.get(value);
}

/** Metrics watched by an alarm (read once per alarm and template). */
export function alarmMetrics(model: TemplateModel, alarmId: string): AlarmMetric[] {
  const cache = model.memo('alarmMetrics', () => new Map<string, AlarmMetric[]>());
  let out = cache.get(alarmId);
  if (out === undefined) {
    out = readAlarmMetrics(model, alarmId);
    cache.set(alarmId, out);
  }
  return out;
}

function readAlarmMetrics(model: TemplateModel, alarmId: string): AlarmMetric[] {
  const p = model.props(alarmId);
  const out: AlarmMetric[] = [];
  if (p.MetricName !== undefined) {
    out.push({ namespace: p.Namespace, metricName: p.MetricName, dimensions: list(p.Dimensions).filter(isRecord) });
  }
  for (const m of list(p.Metrics).filter(isRecord)) {
    const metric = rec(rec(m.MetricStat).Metric);
    if (metric.MetricName !== undefined) {
      out.push({ namespace: metric.Namespace, metricName: metric.MetricName, dimensions: list(metric.Dimensions).filter(isRecord) });
    }
  }
  return out;
}

/**
 * Alarms on `metricName` (any metric when undefined) with a dimension `dimensionName` whose value is a reference to
 * `resourceId` or one of the literal `names`. Candidates come from an index of alarm dimensions
 * built once per template; results keep template order.
 */
export function alarmsOn(model: TemplateModel, metricName: string | undefined, dimensionName: string, resourceId: string, names: readonly string[]): string[] {
  const index = model.memo('alarmsByDimension', () => {
    const m = new Map<string, Set<string>>();
    const add = (key: string, alarm: string) => {
      const set = m.get(key) ?? new Set<string>();
      set.add(alarm);
      m.set(key, set);
    };
    for (const alarm of model.ofType(T.ALARM)) {
      for (const metric of alarmMetrics(model, alarm)) {
        for (const d of metric.dimensions) {
          if (typeof d.Name !== 'string') continue;
          for (const r of referencedIds(d.Value)) add(`${d.Name}\0ref\0${r}`, alarm);
          if (typeof d.Value === 'string') add(`${d.Name}\0lit\0${d.Value}`, alarm);
        }
      }
    }
    return m;
  });
  const order = model.memo('alarmOrder', () => new Map(model.ofType(T.ALARM).map((a, i) => [a, i])));
  const candidates = new Set<string>();
  const take = (key: string) => index.get(key)?.forEach((alarm) => candidates.add(alarm));
  take(`${dimensionName}\0ref\0${resourceId}`);
  for (const n of names) take(`${dimensionName}\0lit\0${n}`);
  return [...candidates].sort((a, b) => order.get(a)! - order.get(b)!).filter((alarm) => alarmMetrics(model, alarm).some((m) =>
    (metricName === undefined || m.metricName === metricName) && m.dimensions.some((d) => d.Name === dimensionName
      && (referencedIds(d.Value).has(resourceId) || (typeof d.Value === 'string' && names.includes(d.Value))))));
}

/** Metrics that count events or messages and are never negative (a ">= 0" alarm on them is always in ALARM). */
const NON_NEGATIVE = /Error|Count|Messages|Invocations|Throttle|Backlog|Failures|Requests|Latency|Utilization|Age/;

/**
 * Why an alarm cannot protect anything, or an empty list: its actions are disabled, it has no
 * alarm action (nobody is told), or its comparison holds for every value of a metric that is
 * never negative (GreaterThanOrEqualToThreshold 0, GreaterThanThreshold below 0), so it is always
 * in ALARM and its state carries no signal. Source: CloudWatch `PutMetricAlarm` reference
 * (ActionsEnabled defaults to true; AlarmActions are the actions run on the transition to ALARM).
 */
export function alarmDefects(model: TemplateModel, alarmId: string): string[] {
  const p = model.props(alarmId);
  const out: string[] = [];
  if (p.ActionsEnabled === false || p.ActionsEnabled === 'false') out.push('ActionsEnabled is false');
  else if (list(p.AlarmActions).length === 0 && !isRecord(p.AlarmActions)) out.push('no AlarmActions, so nobody is notified');
  // A threshold that cannot be read is NaN, which no comparison below holds for.
  const threshold = typeof p.Threshold === 'number' ? p.Threshold : typeof p.Threshold === 'string' && p.Threshold.trim() !== '' ? Number(p.Threshold) : NaN;
  const counts = alarmMetrics(model, alarmId).some((m) => typeof m.metricName === 'string' && NON_NEGATIVE.test(m.metricName));
  if (counts
    && ((p.ComparisonOperator === 'GreaterThanOrEqualToThreshold' && threshold <= 0) || (p.ComparisonOperator === 'GreaterThanThreshold' && threshold < 0))) {
    out.push(`${String(p.ComparisonOperator)} ${threshold} holds for every value, so the alarm is always in ALARM`);
  }
  return out;
}

/**
 * Splits alarms into the ones that can fire and notify, and descriptions of the ones that
 * cannot (`alarm X: why`), for rules that must not count a broken alarm as present.
 */
export function effectiveAlarms(model: TemplateModel, alarms: readonly string[]): { good: string[]; broken: string[] } {
  const good: string[] = [];
  const broken: string[] = [];
  for (const a of alarms) {
    const why = alarmDefects(model, a);
    if (why.length === 0) good.push(a);
    else broken.push(`alarm ${a}: ${why.join('; ')}`);
  }
  return { good, broken };
}

/**
 * Scalable targets whose ResourceId references the resource (an ECS service in
 * `service/<cluster>/<service>`), in template order, from an index built once per template.
 */
export function scalableTargetsOf(model: TemplateModel, resourceId: string): readonly string[] {
  return groupedOnce(model, 'scalableTargetsByRef', model.ofType(T.SCALABLE_TARGET), (t) => [...referencedIds(model.props(t).ResourceId)]).get(resourceId) ?? [];
}

/** WAFv2 web ACL associations whose ResourceArn references the resource, in template order, indexed once. */
export function webAclAssociationsOf(model: TemplateModel, resourceId: string): readonly string[] {
  return groupedOnce(model, 'webAclAssociationsByRef', model.ofType(T.WEB_ACL_ASSOCIATION), (a) => [...referencedIds(model.props(a).ResourceArn)]).get(resourceId) ?? [];
}

/**
 * Why no request gets through a REST stage, or undefined when some may: every method of its API
 * requires an API key and no usage plan of the template lists the stage. API Gateway accepts an API
 * key only on the stages of the usage plans the key belongs to, so every call to such a stage is
 * refused with 403 before any throttle or integration (SAM's extra stage "Stage" of an API with
 * `Auth.ApiKeyRequired` is one). Source: API Gateway Developer Guide, "Usage plans and API keys for
 * REST APIs" (a key works on the API stages associated with its usage plan).
 */
export function keyLockedStage(model: TemplateModel, stage: StageView): string | undefined {
  const apiId = stage.restApiId;
  if (apiId === undefined || model.props(apiId).BodyS3Location !== undefined) return undefined;
  // No group is empty: an API without methods has none.
  const methods = groupedOnce(model, 'methodsByApi', model.ofType(T.METHOD), (m) => model.target(model.props(m).RestApiId)).get(apiId);
  if (methods === undefined) return undefined;
  const keyRequired = (m: string) => {
    const r = readBoolean(model.props(m).ApiKeyRequired);
    return r.kind === 'literal' && r.value;
  };
  if (!methods.every(keyRequired)) return undefined;
  const entries = groupedOnce(model, 'usagePlanStagesByApi', () => model.ofType(T.USAGE_PLAN).flatMap((plan) => list(model.props(plan).ApiStages).filter(isRecord).map((s) => ({ plan, s }))),
    (e) => model.target(e.s.ApiId)).get(apiId) ?? [];
  // An entry names the stage by reference (this stage or another resource), by a name, or by an
  // expression only known at deploy time (a parameter without a default, an import): that one, or
  // a name against a stage whose own name is not known, may be this stage, so it is not locked.
  const covers = entries.some(({ s }) => {
    const target = model.target(s.Stage);
    if (target !== undefined) return target === stage.id;
    const name = readString(s.Stage, model.parameterDefault);
    if (name.kind === 'literal') return stage.stageName === undefined || name.value === stage.stageName;
    return name.kind === 'unresolvable';
  });
  if (covers) return undefined;
  return `every method of ${apiLabel(model, apiId)} requires an API key and no usage plan lists ${stageLabel(stage)}, so every call to it gets 403 before any throttle or integration`;
}
