import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readBoolean, showValue } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, isRecord, list, problem, rec } from '../helpers';

/** Each usage plan sets a throttle (rate and burst) and a quota (limit and period). */
export const APIUsagePlanLimits = defineRule({
  name: 'APIUsagePlanLimits',
  level: RuleLevel.ERROR,
  levelReason: 'An empty usage plan looks like a per-client limit in review but enforces none: every API key in it gets the whole stage throttle.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.USAGE_PLAN],
  info: 'The usage plan has no Throttle (RateLimit and BurstLimit) or no Quota (Limit and Period).',
  explanation: 'Usage plans are the per-client limit of API Gateway. A plan without a throttle lets one key use the whole stage limit; a plan without a quota lets one key run up unbounded cost over a day or month.',
  fix: 'Give the plan `throttle: { rateLimit, burstLimit }` and `quota: { limit, period }` (CDK `api.addUsagePlan`).',
  check(model, id) {
    const p = model.props(id);
    const unused = appliesToNoRequest(model, id);
    if (unused) return notApplicable(unused);
    const throttle = rec(p.Throttle);
    const quota = rec(p.Quota);
    const label = `usage plan ${id}`;
    const findings: string[] = [];
    if (throttle.RateLimit === undefined) findings.push(problem(`${label} Throttle.RateLimit`, 'absent', 'a requests-per-second limit per API key', 'set throttle.rateLimit'));
    if (throttle.BurstLimit === undefined) findings.push(problem(`${label} Throttle.BurstLimit`, 'absent', 'a burst limit per API key', 'set throttle.burstLimit'));
    if (quota.Limit === undefined) findings.push(problem(`${label} Quota.Limit`, 'absent', 'a request count per period per API key', 'set quota.limit'));
    if (quota.Period === undefined) findings.push(problem(`${label} Quota.Period`, 'absent', 'DAY, WEEK or MONTH', 'set quota.period'));
    return nonCompliant(findings, [`${label}: throttle ${showValue(p.Throttle)}, quota ${showValue(p.Quota)}`]);
  },
});

/**
 * Why a usage plan applies to no request, or undefined when it may apply. API Gateway only meters
 * requests that carry an API key on methods with ApiKeyRequired; a plan whose APIs are all in this
 * template, with no key in the plan and no key-requiring method on them, limits nothing. Source:
 * API Gateway Developer Guide, "Usage plans and API keys" (a method must require an API key for the
 * plan's throttle and quota to apply).
 */
function appliesToNoRequest(model: TemplateModel, planId: string): string | undefined {
  const apis = list(model.props(planId).ApiStages).filter(isRecord).map((s) => model.target(s.ApiId, T.REST_API));
  if (apis.length === 0 || apis.some((a) => a === undefined)) return undefined;
  const hasKey = model.referencers(planId, 'AWS::ApiGateway::UsagePlanKey').length > 0;
  const { withMethods, withKeyMethods } = methodIndex(model);
  const opaque = apis.some((a) => model.props(a!).BodyS3Location !== undefined || !withMethods.has(a!));
  if (hasKey || opaque || apis.some((a) => withKeyMethods.has(a!))) return undefined;
  return `usage plan ${planId} applies to no request: it has no API key and no method of its APIs requires one`;
}

const METHOD_INDEX = new WeakMap<TemplateModel, { withMethods: Set<string>; withKeyMethods: Set<string> }>();

/** REST APIs with methods in the template, and those with a method that requires (or may require) an API key; built once per model. */
function methodIndex(model: TemplateModel): { withMethods: Set<string>; withKeyMethods: Set<string> } {
  let index = METHOD_INDEX.get(model);
  if (index) return index;
  index = { withMethods: new Set(), withKeyMethods: new Set() };
  for (const m of model.ofType(T.METHOD)) {
    const p = model.props(m);
    const api = model.target(p.RestApiId);
    if (api === undefined) continue;
    index.withMethods.add(api);
    const required = readBoolean(p.ApiKeyRequired);
    if (required.kind === 'unresolvable' || (required.kind === 'literal' && required.value)) index.withKeyMethods.add(api);
  }
  METHOD_INDEX.set(model, index);
  return index;
}
