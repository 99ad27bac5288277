import { readString, referencedIds } from '../nag/template/intrinsics';
import { TemplateModel } from '../nag/template/template-model';
import { T, apiLabel, deadLetterSources, isRecord, list, stageView } from '../nag/rules/helpers';
import { sqsConsumer } from '../nag/rules/sqs/consumers';
import { scalingTargetOf } from '../nag/rules/sagemaker/endpoints';

/** Kind of a reviewed component. */
export enum ComponentKind {
  API = 'API',
  QUEUE = 'queue',
  ENDPOINT = 'endpoint',
  SERVICE = 'service',
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

/** The rows of a review: every REST API, queue (DLQs fold into their source), endpoint and service. */
export function listComponents(model: TemplateModel): ComponentRef[] {
  const out: ComponentRef[] = [];
  for (const id of model.ofType(T.REST_API)) out.push({ kind: ComponentKind.API, id, label: apiLabel(model, id) });
  for (const id of model.ofType(T.QUEUE)) {
    if (deadLetterSources(model, id).length > 0) continue;
    out.push({ kind: ComponentKind.QUEUE, id, label: named(model, id, 'QueueName', 'queue') });
  }
  for (const id of model.ofType(T.ENDPOINT)) out.push({ kind: ComponentKind.ENDPOINT, id, label: named(model, id, 'EndpointName', 'endpoint') });
  for (const id of model.ofType(T.SERVICE)) out.push({ kind: ComponentKind.SERVICE, id, label: named(model, id, 'ServiceName', 'service') });
  // Task definitions no service in the template runs still get a row: their limits matter wherever they run.
  for (const id of model.ofType(T.TASK_DEFINITION)) {
    if (model.referencers(id, T.SERVICE).length === 0) out.push({ kind: ComponentKind.SERVICE, id, label: `task definition ${id} (no service in this template)` });
  }
  return out;
}

/** Logical ids of the rows a resource's results belong to. */
export function componentsOf(model: TemplateModel, id: string): string[] {
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
    case T.SERVICE:
    case T.ENDPOINT: return [id];
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
      const consumers = functions.flatMap((f) => model.referencers(f, T.EVENT_SOURCE_MAPPING));
      return [...new Set([...writers, ...consumers].flatMap((r) => componentsOf(model, r)))];
    }
    default: return [];
  }
}

function targets(model: TemplateModel, refs: unknown[]): string[] {
  return [...new Set(refs.map((r) => model.target(r)).filter((x): x is string => x !== undefined))];
}

