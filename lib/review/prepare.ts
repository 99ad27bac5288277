import { CfnTemplate, TemplateModel } from '../nag/template/template-model';
import type { CheckedTemplate } from './load';
import { openApiOperations } from './openapi';
import { SAM_EXPANDED_TYPES, expandSam, usesSamTransform } from './sam';

/** A template ready for review: SAM expanded, inline OpenAPI operations added. */
export interface PreparedTemplate {
  /** The model the rules run on. */
  readonly model: TemplateModel;
  /** Logical id of a generated resource -> the resource of the original template it comes from. */
  readonly origins: ReadonlyMap<string, string>;
  /** What the review did to the template, for the report. */
  readonly notes: readonly string[];
}

/**
 * Prepares a template for the rules: expands the SAM resources the review covers into the
 * resources the SAM transform generates, and adds one method / route resource per operation of an
 * inline OpenAPI `Body`. A plain template without `Body` documents is reviewed as it is.
 */
export function prepareTemplate(template: CfnTemplate, checked?: CheckedTemplate): PreparedTemplate {
  // What loading built for this template (its SAM expansion, its model with the references
  // already walked) is reused rather than built again.
  const sam = checked?.expanded ?? expandSam(template);
  const ops = openApiOperations(sam.template);
  const added = Object.keys(ops.resources).length > 0;
  let origins = sam.origins;
  if (ops.origins.size > 0) {
    const all = new Map(sam.origins);
    for (const [id, api] of ops.origins) all.set(id, sam.origins.get(api) ?? api);
    origins = all;
  }
  const notes: string[] = [];
  if (usesSamTransform(template)) {
    notes.push(`SAM template: ${SAM_EXPANDED_TYPES.join(', ')} resources are reviewed as the resources the SAM transform generates for them (Globals applied)`);
    if (sam.skippedTypes.length > 0) notes.push(`SAM resources of type ${sam.skippedTypes.join(', ')} are not expanded and not reviewed`);
    const resources = sam.template.Resources;
    const extra = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::ApiGateway::Deployment' && resources[id].Properties?.StageName === 'Stage');
    if (extra.length > 0) {
      notes.push(`SAM also deploys every REST API to a stage named "Stage" (${extra.join(', ')}) unless OpenApiVersion is set (Globals.Api.OpenApiVersion: 3.0.1 removes it); that stage has no MethodSettings`);
    }
  } else if (template.Transform !== undefined) {
    notes.push(`the template uses Transform ${JSON.stringify(template.Transform)}; resources the transform generates are not reviewed (review the processed template instead)`);
  }
  const model = checked !== undefined
    ? (added ? checked.model.withResources(ops.resources) : checked.model)
    : new TemplateModel(sam.template, added ? ops.resources : undefined);
  return { model, origins, notes };
}
