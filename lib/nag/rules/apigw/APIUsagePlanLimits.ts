import { Mitigation, RuleLevel, defineRule, nonCompliant } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { T, problem, rec } from '../helpers';

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
