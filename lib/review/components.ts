import { readString, referencedIds } from '../nag/template/intrinsics';
import { TemplateModel } from '../nag/template/template-model';
import { T, apiLabel, deadLetterSources, isRecord, list, stageView } from '../nag/rules/helpers';
import { sqsConsumer } from '../nag/rules/sqs/consumers';
import { scalingTargetOf } from '../nag/rules/sagemaker/endpoints';
import { httpApiLabel, isHttpApi } from '../nag/rules/apigwv2/http-apis';
import { isInternetFacingAlb } from '../nag/rules/elb/ALBWAFRateLimit';
import { apiInvocations, functionUrls, urlFunction } from '../nag/rules/lambda/functions';
import { queuesConsumedBy } from '../nag/rules/sqs/SQSWorkerVisibilityTimeout';

/** Kind of a reviewed component. */
export enum ComponentKind {
  API = 'API',
  QUEUE = 'queue',
  ENDPOINT = 'endpoint',
  SERVICE = 'service',
  /** A Lambda function reached directly from the internet (function URL). */
  FUNCTION = 'function',
  /** An internet-facing application load balancer. */
  LOAD_BALANCER = 'load balancer',
  /** Resources that belong to none of the above (e.g. a log group nothing references). */
  OTHER = 'other',
}

/** A row of the review before results are attached. */
export interface ComponentRef {
  /** API, queue, endpoint, service or other. */
  readonly kind: ComponentKind;
  /** Logical id of the resource the row is about. */
  readonly id: string;
  /** Human label for the row. */
  readonly label: string;
}

function named(model: TemplateModel, id: string, prop: string, noun: string): string {
  const name = readString(model.props(id)[prop]);
  return name.kind === 'literal' ? `${noun} "${name.value}" (${id})` : `${noun} ${id}`;
}

/**
 * The rows of a review: every REST and HTTP API, queue (DLQs fold into their source), endpoint,
 * service, function with a URL and internet-facing load balancer.
 */
export function listComponents(model: TemplateModel): ComponentRef[] {
  const out: ComponentRef[] = [];
  for (const id of model.ofType(T.REST_API)) out.push({ kind: ComponentKind.API, id, label: apiLabel(model, id) });
  for (const id of model.ofType(T.HTTP_API)) if (isHttpApi(model, id)) out.push({ kind: ComponentKind.API, id, label: httpApiLabel(model, id) });
  for (const id of model.ofType(T.QUEUE)) {
    if (deadLetterSources(model, id).length > 0) continue;
    out.push({ kind: ComponentKind.QUEUE, id, label: named(model, id, 'QueueName', 'queue') });
  }
  for (const id of model.ofType(T.ENDPOINT)) out.push({ kind: ComponentKind.ENDPOINT, id, label: named(model, id, 'EndpointName', 'endpoint') });
  for (const id of model.ofType(T.SERVICE)) out.push({ kind: ComponentKind.SERVICE, id, label: named(model, id, 'ServiceName', 'service') });
  for (const id of model.ofType(T.FUNCTION)) {
    if (functionUrls(model, id).length > 0) out.push({ kind: ComponentKind.FUNCTION, id, label: named(model, id, 'FunctionName', 'function') + ' (function URL)' });
  }
  for (const id of model.ofType(T.LOAD_BALANCER)) {
    if (isInternetFacingAlb(model, id)) out.push({ kind: ComponentKind.LOAD_BALANCER, id, label: named(model, id, 'Name', 'internet-facing load balancer') });
  }
  // Task definitions no service in the template runs still get a row: their limits matter wherever they run.
  for (const id of model.ofType(T.TASK_DEFINITION)) {
    if (model.referencers(id, T.SERVICE).length === 0) out.push({ kind: ComponentKind.SERVICE, id, label: `task definition ${id} (no service in this template)` });
  }
  return out;
}

/**
 * Logical ids of the rows a resource's results belong to, worked out once per resource and
 * template: every rule on the resource asks, and a function's rows take a walk of its invokers.
 */
export function componentsOf(model: TemplateModel, id: string): readonly string[] {
  const cache = model.memo('componentsOf', () => new Map<string, readonly string[]>());
  let rows = cache.get(id);
  if (rows === undefined) {
    rows = readComponentsOf(model, id);
    cache.set(id, rows);
  }
  return rows;
}

function readComponentsOf(model: TemplateModel, id: string): readonly string[] {
  const p = model.props(id);
  switch (model.typeOf(id)) {
    case T.REST_API: return [id];
    case T.STAGE:
    case T.DEPLOYMENT: {
      const api = stageView(model, id)?.restApiId;
      return api ? [api] : [];
    }
    case T.METHOD: return targets(model, [p.RestApiId]);
    case T.USAGE_PLAN: return targets(model, list(p.ApiStages).filter(isRecord).map((s) => s.ApiId));
    case T.QUEUE: {
      const sources = deadLetterSources(model, id);
      return sources.length > 0 ? sources : [id];
    }
    case T.EVENT_SOURCE_MAPPING: {
      const q = sqsConsumer(model, id)?.queueId;
      return q ? [q] : [];
    }
    case T.TASK_DEFINITION: {
      const services = model.referencers(id, T.SERVICE);
      return services.length > 0 ? services : [id];
    }
    case T.SERVICE: return [id, ...queuesConsumedBy(model, id)];
    case T.ENDPOINT: return [id];
    case T.HTTP_API: return [id];
    case T.HTTP_STAGE:
    case T.HTTP_ROUTE:
    case T.HTTP_INTEGRATION: return targets(model, [p.ApiId]);
    case T.FUNCTION_URL: {
      const fn = urlFunction(model, id);
      return fn ? [fn] : [];
    }
    case T.FUNCTION: {
      // A function belongs to the APIs that invoke it, the queues it consumes, and its own row when it has a URL.
      const apis = apiInvocations(model, id).map((a) => a.apiId).filter((a): a is string => a !== undefined);
      const queues = model.referencers(id, T.EVENT_SOURCE_MAPPING).flatMap((e) => componentsOf(model, e));
      return [...new Set([...apis, ...queues, ...(functionUrls(model, id).length > 0 ? [id] : [])])];
    }
    case T.LOAD_BALANCER: return [id];
    case T.ENDPOINT_CONFIG: return model.referencers(id, T.ENDPOINT);
    case T.SCALING_POLICY: {
      const target = model.target(p.ScalingTargetId, T.SCALABLE_TARGET);
      const of = scalingTargetOf(model, target !== undefined ? model.props(target).ResourceId : p.ResourceId);
      return of ? [of.endpointId] : [];
    }
    case T.LOG_GROUP: {
      // Access-log groups belong to the API of the stage that writes to them; a function's log
      // group (named after the function) belongs to the queue the function consumes.
      const writers = model.referencers(id).filter((r) => model.typeOf(r) !== T.LOG_GROUP);
      const functions = [...referencedIds(p)].filter((r) => model.typeOf(r) === T.FUNCTION);
      return [...new Set([...writers.flatMap((r) => componentsOf(model, r)), ...functions.flatMap((f) => componentsOf(model, f))])];
    }
    default: return [];
  }
}

function targets(model: TemplateModel, refs: unknown[]): string[] {
  return [...new Set(refs.map((r) => model.target(r)).filter((x): x is string => x !== undefined))];
}

