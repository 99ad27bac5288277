// The rules' own modules rather than the package's nag index, which loads cdk-nag and aws-cdk-lib for
// the pack: every rule test file stays light (the mutation runs of the rules' helpers run them per mutant).
import { evaluateRule } from '../../lib/nag/evaluate';
import { InferenceGuardRule, RuleOutcome, RuleStatus } from '../../lib/nag/rule';
import { TemplateModel } from '../../lib/nag/template/template-model';

/** A resources map as written in a template. */
export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; [k: string]: unknown }>;

export const ref = (id: string) => ({ Ref: id });
export const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });

/** Runs one rule on one resource of a template built from `resources`. */
export function check(rule: InferenceGuardRule, resources: Resources, id: string, parameters?: Record<string, unknown>): RuleOutcome {
  return evaluateRule(rule, new TemplateModel({ Resources: resources, ...(parameters ? { Parameters: parameters } : {}) } as never), id);
}

export function expectCompliant(o: RuleOutcome): void {
  expect({ status: o.status, findings: o.findings }).toEqual({ status: RuleStatus.COMPLIANT, findings: expect.any(Array) });
}

export function expectNotApplicable(o: RuleOutcome): void {
  expect(o.status).toBe(RuleStatus.NOT_APPLICABLE);
}

/** Asserts a failure whose findings match each pattern, in order, and nothing else. */
export function expectFindings(o: RuleOutcome, ...patterns: RegExp[]): void {
  expect(o.status).toBe(RuleStatus.NON_COMPLIANT);
  expect(o.findings).toHaveLength(patterns.length);
  patterns.forEach((p, i) => expect(o.findings[i]).toMatch(p));
}
