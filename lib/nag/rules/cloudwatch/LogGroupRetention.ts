import { Mitigation, RuleLevel, defineRule, nonCompliant } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { T, problem } from '../helpers';

/** Log groups set a retention period. */
export const LogGroupRetention = defineRule({
  name: 'LogGroupRetention',
  level: RuleLevel.WARNING,
  levelReason: 'Unbounded retention is a cost that grows with every request, including a flood, but it does not affect availability.',
  // A storage ceiling, not an alarm: it bounds what a flood leaves behind in the bill.
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.LOG_GROUP],
  info: 'The log group has no RetentionInDays, so its logs are kept forever.',
  explanation: 'Access and execution logs grow with traffic. Under a flood, logs kept forever turn the attack into a permanent storage bill.',
  fix: 'Set RetentionInDays (CDK `retention: RetentionDays.ONE_MONTH` or as long as audits require).',
  check(model, id) {
    const days = model.props(id).RetentionInDays;
    if (days !== undefined) return nonCompliant([], [`log group ${id} RetentionInDays ${showValue(days)}`]);
    return nonCompliant([problem(`log group ${id} RetentionInDays`, 'absent (logs never expire)', 'a retention in days', 'set a retention period')]);
  },
});
