import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant, notApplicable } from '../../rule';
import { readString } from '../../template/intrinsics';
import { T, alarmsOn, effectiveAlarms, isDeadLetterQueue, problem } from '../helpers';

/** Each dead-letter queue has an alarm on its depth (ApproximateNumberOfMessagesVisible). */
export const AlarmDLQDepth = defineRule({
  name: 'AlarmDLQDepth',
  level: RuleLevel.WARNING,
  levelReason: 'Alarms detect an attack or a poison-message storm, they do not limit it; and many teams define alarms in a separate monitoring stack that a single-template review cannot see.',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.QUEUE],
  info: 'The dead-letter queue has no CloudWatch alarm on ApproximateNumberOfMessagesVisible that can fire and notify.',
  explanation: 'Messages in a DLQ are requests that were accepted and failed. Without an alarm they sit unnoticed until their retention expires. Alarm on visible messages (not NumberOfMessagesSent, which misses redriven messages).',
  fix: 'Add an alarm on AWS/SQS ApproximateNumberOfMessagesVisible with dimension QueueName = the DLQ name, threshold > 0 (CDK `dlq.metricApproximateNumberOfMessagesVisible().createAlarm(...)`).',
  check(model, id) {
    if (!isDeadLetterQueue(model, id)) return notApplicable('not a dead-letter queue');
    const name = readString(model.props(id).QueueName);
    const alarms = alarmsOn(model, 'ApproximateNumberOfMessagesVisible', 'QueueName', id, name.kind === 'literal' ? [name.value] : []);
    const { good, broken } = effectiveAlarms(model, alarms);
    if (good.length > 0) return nonCompliant([], [`DLQ ${id} depth alarm ${good.join(', ')}`]);
    if (broken.length > 0) return flawed(broken.map((b) => problem(`dead-letter queue ${id} depth ${b.split(':')[0]}`, b.slice(b.indexOf(':') + 2), 'an alarm with an action, threshold > 0 messages', 'add an alarm action and use GreaterThanThreshold 0')));
    return nonCompliant([problem(`dead-letter queue ${id} depth alarm`, 'absent', 'an alarm on ApproximateNumberOfMessagesVisible with dimension QueueName of this queue', 'add a DLQ depth alarm')]);
  },
});
