import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant, notApplicable } from '../../rule';
import { T, alarmDefects, problem } from '../helpers';

const COMPOSITE_ALARM = 'AWS::CloudWatch::CompositeAlarm';

/**
 * Every alarm can notify: it has an alarm action and its actions are enabled, unless a composite
 * alarm watches it (the composite notifies). Covers alarms on anything, not only the components
 * the other alarm rules know. Peer: AWS Guard Rules Registry CLOUDWATCH_ALARM_ACTION_CHECK.
 */
export const AlarmActions = defineRule({
  name: 'AlarmActions',
  level: RuleLevel.WARNING,
  levelReason: 'An alarm that tells nobody detects nothing, but it limits nothing either; actions may be attached outside the template (a composite alarm or an EventBridge rule on alarm state changes).',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.ALARM],
  info: 'The CloudWatch alarm has no AlarmActions, or its actions are disabled, and no composite alarm watches it: when it fires, nobody is told.',
  explanation: 'An alarm\'s state change runs only the actions listed for that state, and only while ActionsEnabled is true (the default). Without an alarm action the alarm turns red on a dashboard and nothing else: the flood it detects goes unnoticed. A child of a composite alarm may do without actions of its own. Source: CloudWatch API Reference, PutMetricAlarm (AlarmActions, ActionsEnabled).',
  fix: 'Add an alarm action (an SNS topic, CDK `alarm.addAlarmAction(new SnsAction(topic))`), or make the alarm a child of a composite alarm that has one.',
  check(model, id) {
    const composites = model.referencers(id, COMPOSITE_ALARM);
    if (composites.length > 0) return notApplicable(`alarm ${id} is watched by composite alarm ${composites.join(', ')}`);
    const defects = alarmDefects(model, id).filter((d) => /ActionsEnabled|AlarmActions/.test(d));
    if (defects.length === 0) return nonCompliant([], [`alarm ${id} has alarm actions`]);
    const disabled = defects.some((d) => /ActionsEnabled/.test(d));
    const finding = problem(`alarm ${id} ${disabled ? 'ActionsEnabled' : 'AlarmActions'}`, disabled ? 'false' : 'absent', 'an action run when the alarm fires (e.g. an SNS topic)', disabled ? 'set ActionsEnabled true' : 'add an alarm action');
    return disabled ? flawed([finding]) : nonCompliant([finding]);
  },
});
