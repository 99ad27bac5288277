import { readString, referencedIds, renderString } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, findByLiteral, groupedOnce, isRecord, list } from '../helpers';

/** The endpoint config an endpoint uses, when it is in the template. */
export function endpointConfigOf(model: TemplateModel, endpointId: string): string | undefined {
  const ref = model.props(endpointId).EndpointConfigName;
  const direct = model.target(ref, T.ENDPOINT_CONFIG);
  if (direct !== undefined) return direct;
  const name = readString(ref);
  return name.kind === 'literal' ? findByLiteral(model, T.ENDPOINT_CONFIG, 'EndpointConfigName', name.value) : undefined;
}

/** True for an async inference endpoint config. */
export function isAsyncConfig(model: TemplateModel, configId: string): boolean {
  return isRecord(model.props(configId).AsyncInferenceConfig);
}

/** Production variants of an endpoint config. */
export function variants(model: TemplateModel, configId: string): Array<Record<string, unknown>> {
  return list(model.props(configId).ProductionVariants).filter(isRecord);
}

/**
 * The endpoint an Application Auto Scaling ResourceId (`endpoint/<name>/variant/<variant>`) names,
 * and the variant. The endpoint part is a reference to the Endpoint resource or its literal name.
 */
export function scalingTargetOf(model: TemplateModel, resourceId: unknown): { endpointId: string; variant: string } | undefined {
  const text = renderString(resourceId);
  if (text === undefined) return undefined;
  const m = /^endpoint\/(.+)\/variant\/(.+)$/.exec(text);
  if (!m) return undefined;
  const refs = [...referencedIds(resourceId)].filter((r) => model.typeOf(r) === T.ENDPOINT);
  const endpointId = refs[0] ?? findByLiteral(model, T.ENDPOINT, 'EndpointName', m[1]);
  return endpointId === undefined ? undefined : { endpointId, variant: m[2] };
}

/** A scalable target of an endpoint variant. */
export interface VariantTarget {
  /** Logical id of the AWS::ApplicationAutoScaling::ScalableTarget. */
  readonly t: string;
  /** The endpoint and variant its ResourceId names. */
  readonly of: { readonly endpointId: string; readonly variant: string };
}

/** The scalable targets of an endpoint's variants, from an index built once per template. */
export function scalableTargetsOfEndpoint(model: TemplateModel, endpointId: string): readonly VariantTarget[] {
  const all = model.memo('variantTargets', () => model.ofType(T.SCALABLE_TARGET)
    .map((t) => ({ t, of: scalingTargetOf(model, model.props(t).ResourceId) }))
    .filter((x): x is VariantTarget => x.of !== undefined));
  return groupedOnce(model, 'variantTargetsByEndpoint', all, (x) => x.of.endpointId).get(endpointId) ?? [];
}
