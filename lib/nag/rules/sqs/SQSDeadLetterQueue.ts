import { SQS_MAX_RECEIVE_COUNT_MIN } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant, notApplicable } from '../../rule';
import { readNumber, showValue } from '../../template/intrinsics';
import { T, isDeadLetterQueue, problem, redrive } from '../helpers';

/**
 * Upper bound this pack accepts for maxReceiveCount. SQS allows up to 1,000, but every receive of a
 * poison message costs a full inference attempt (GPU time); 10 leaves room for the 5 AWS recommends
 * with Lambda consumers (so throttled batches are not dead-lettered early) without letting one bad
 * message burn dozens of attempts.
 */
export const MAX_RECEIVE_COUNT_BOUND = 10;

/** Each SQS queue that is not itself a DLQ has a DLQ with a bounded maxReceiveCount. */
export const SQSDeadLetterQueue = defineRule({
  name: 'SQSDeadLetterQueue',
  level: RuleLevel.ERROR,
  levelReason: 'Without a DLQ, a message that always fails is received again and again until its retention expires, each time taking a worker (and GPU time) away from good requests.',
  mitigation: Mitigation.QUEUE_MANAGEMENT,
  resourceTypes: [T.QUEUE],
  info: `The SQS queue has no dead-letter queue, or its maxReceiveCount is outside ${SQS_MAX_RECEIVE_COUNT_MIN}..${MAX_RECEIVE_COUNT_BOUND}.`,
  explanation: 'A redrive policy moves a message to the DLQ after maxReceiveCount failed receives, so poison messages stop consuming workers. A large maxReceiveCount keeps that cost high. Queues that are themselves dead-letter targets are exempt.',
  fix: `Give the queue a RedrivePolicy { deadLetterTargetArn, maxReceiveCount } with maxReceiveCount from ${SQS_MAX_RECEIVE_COUNT_MIN} to ${MAX_RECEIVE_COUNT_BOUND} (CDK \`deadLetterQueue: { queue, maxReceiveCount }\`).`,
  check(model, id) {
    if (isDeadLetterQueue(model, id)) return notApplicable('the queue is a dead-letter queue');
    const r = redrive(model, id);
    const label = `queue ${id}`;
    if (!r.present) {
      return nonCompliant([problem(`${label} RedrivePolicy`, 'absent', 'a dead-letter queue with a bounded maxReceiveCount', 'add a dead-letter queue')]);
    }
    const findings: string[] = [];
    const wrong: string[] = [];
    if (r.dlqArn === undefined) findings.push(problem(`${label} RedrivePolicy.deadLetterTargetArn`, 'absent', 'the ARN of a dead-letter queue', 'set deadLetterTargetArn'));
    const count = readNumber(r.maxReceiveCount, model.parameterDefault);
    if (count.kind === 'absent') {
      findings.push(problem(`${label} RedrivePolicy.maxReceiveCount`, 'absent', `an integer from ${SQS_MAX_RECEIVE_COUNT_MIN} to ${MAX_RECEIVE_COUNT_BOUND}`, 'set maxReceiveCount'));
    } else if (count.kind === 'literal' && (!Number.isInteger(count.value) || count.value < SQS_MAX_RECEIVE_COUNT_MIN || count.value > MAX_RECEIVE_COUNT_BOUND)) {
      wrong.push(problem(`${label} RedrivePolicy.maxReceiveCount`, String(count.value), `an integer from ${SQS_MAX_RECEIVE_COUNT_MIN} to ${MAX_RECEIVE_COUNT_BOUND}`, 'lower maxReceiveCount so poison messages stop consuming workers sooner'));
    }
    return flawed(wrong, findings, [`${label} dead-letters to ${showValue(r.dlqArn)} after ${showValue(r.maxReceiveCount)} receives`]);
  },
});
