import { SQS_DEFAULT_RETENTION_S } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem, redrive } from '../helpers';

/** A DLQ keeps messages at least as long as its source queue. */
export const SQSDeadLetterRetention = defineRule({
  name: 'SQSDeadLetterRetention',
  level: RuleLevel.ERROR,
  levelReason: 'A DLQ that expires messages sooner than the source queue silently loses requests that were accepted and failed, before anyone can inspect or redrive them.',
  mitigation: Mitigation.QUEUE_MANAGEMENT,
  resourceTypes: [T.QUEUE],
  info: 'The dead-letter queue keeps messages for less time than the source queue.',
  explanation: 'For standard queues a message keeps its original enqueue time when it moves to the DLQ, so a DLQ with a shorter retention deletes failed requests before anyone can inspect or redrive them. AWS recommends a DLQ retention longer than the source\'s. Absent values are the SQS default of 4 days.',
  fix: 'Set the DLQ MessageRetentionPeriod at least as long as the source queue\'s (CDK `retentionPeriod: Duration.days(14)` on the DLQ).',
  check(model, id) {
    const r = redrive(model, id);
    if (!r.present || r.dlqId === undefined) return notApplicable('no dead-letter queue in this template');
    const source = readNumber(model.props(id).MessageRetentionPeriod, model.parameterDefault);
    const dlq = readNumber(model.props(r.dlqId).MessageRetentionPeriod, model.parameterDefault);
    if (source.kind === 'unresolvable' || dlq.kind === 'unresolvable') return notApplicable('a retention period is only known at deploy time');
    const s = source.kind === 'literal' ? source.value : SQS_DEFAULT_RETENTION_S;
    const d = dlq.kind === 'literal' ? dlq.value : SQS_DEFAULT_RETENTION_S;
    const shown = (v: number, kind: string) => `${v} s${kind === 'absent' ? ' (default)' : ''}`;
    if (d >= s) return nonCompliant([], [`DLQ ${r.dlqId} keeps messages ${shown(d, dlq.kind)}, source ${id} ${shown(s, source.kind)}`]);
    return nonCompliant([problem(`dead-letter queue ${r.dlqId} MessageRetentionPeriod`, shown(d, dlq.kind),
      `at least the source queue ${id}'s ${shown(s, source.kind)}`, `raise the DLQ retention to ${s} s or more (up to 1209600 s)`)]);
  },
});
