import { SQS_DEFAULT_RETENTION_S, SQS_MAX_RETENTION_S } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem, redrive } from '../helpers';

/** A DLQ keeps messages longer than its source queue (or 14 days when the source keeps 14 days). */
export const SQSDeadLetterRetention = defineRule({
  name: 'SQSDeadLetterRetention',
  level: RuleLevel.ERROR,
  levelReason: 'A DLQ that expires messages no later than the source queue silently loses requests that were accepted and failed, before anyone can inspect or redrive them.',
  mitigation: Mitigation.QUEUE_MANAGEMENT,
  resourceTypes: [T.QUEUE],
  info: 'The dead-letter queue does not keep messages longer than the source queue (unless both keep the 14-day maximum).',
  explanation: 'For standard queues a message keeps its original enqueue time when it moves to the DLQ, so a message dead-lettered late in its life expires from a DLQ with the same retention almost at once. AWS: "always set the retention period of a dead-letter queue to be longer than the retention period of the original queue" (SQS Developer Guide, dead-letter queues). Absent values are the SQS default of 4 days.',
  fix: 'Set the DLQ MessageRetentionPeriod longer than the source queue\'s, e.g. the 14-day maximum (CDK `retentionPeriod: Duration.days(14)` on the DLQ).',
  check(model, id) {
    const r = redrive(model, id);
    if (!r.present || r.dlqId === undefined) return notApplicable('no dead-letter queue in this template');
    const source = readNumber(model.props(id).MessageRetentionPeriod, model.parameterDefault);
    const dlq = readNumber(model.props(r.dlqId).MessageRetentionPeriod, model.parameterDefault);
    if (source.kind === 'unresolvable' || dlq.kind === 'unresolvable') return notApplicable('a retention period is only known at deploy time');
    const s = source.kind === 'literal' ? source.value : SQS_DEFAULT_RETENTION_S;
    const d = dlq.kind === 'literal' ? dlq.value : SQS_DEFAULT_RETENTION_S;
    const shown = (v: number, kind: string) => `${v} s${kind === 'absent' ? ' (default)' : ''}`;
    if (d > s || d >= SQS_MAX_RETENTION_S) return nonCompliant([], [`DLQ ${r.dlqId} keeps messages ${shown(d, dlq.kind)}, source ${id} ${shown(s, source.kind)}`]);
    return flawed([problem(`dead-letter queue ${r.dlqId} MessageRetentionPeriod`, shown(d, dlq.kind),
      `longer than the source queue ${id}'s ${shown(s, source.kind)} (a message keeps its enqueue time when dead-lettered)`, `raise the DLQ retention to ${SQS_MAX_RETENTION_S} s (14 days)`)]);
  },
});
