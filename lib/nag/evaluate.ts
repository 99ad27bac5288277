import { InferenceGuardRule, RuleOutcome, RuleStatus } from './rule';
import { TemplateModel } from './template/template-model';

/**
 * Runs one rule on one resource. A rule that throws on an unexpected template shape is reported
 * as a finding rather than aborting the whole run, so one odd resource cannot hide the others.
 */
export function evaluateRule(rule: InferenceGuardRule, model: TemplateModel, logicalId: string): RuleOutcome {
  if (!rule.resourceTypes.includes(model.typeOf(logicalId) ?? '')) {
    return { status: RuleStatus.NOT_APPLICABLE, findings: [`${rule.id} does not check ${model.typeOf(logicalId) ?? 'unknown'} resources`] };
  }
  try {
    return rule.check(model, logicalId);
  } catch (e) {
    return { status: RuleStatus.NON_COMPLIANT, findings: [`${logicalId}: the rule could not read the resource (${(e as Error).message}); check its properties by hand or acknowledge with a reason`] };
  }
}
