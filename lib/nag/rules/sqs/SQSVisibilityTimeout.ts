import { LAMBDA_DEFAULT_TIMEOUT_S, SQS_DEFAULT_VISIBILITY_TIMEOUT_S, SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, compliantByDefault, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem } from '../helpers';
import { sqsConsumer } from './consumers';

const K = SQS_VISIBILITY_TO_LAMBDA_TIMEOUT_FACTOR;

/** The queue's visibility timeout is at least 6 x the consuming function's timeout (+ batching window). */
export const SQSVisibilityTimeout = defineRule({
  name: 'SQSVisibilityTimeout',
  level: RuleLevel.ERROR,
  levelReason: 'A visibility timeout that is too short makes messages visible again while they are still being processed, so the same request runs twice or more: the queue amplifies its own load.',
  mitigation: Mitigation.TIMEOUTS,
  resourceTypes: [T.EVENT_SOURCE_MAPPING],
  info: `The SQS queue's VisibilityTimeout is less than ${K} x the consuming Lambda function's Timeout (plus MaximumBatchingWindowInSeconds).`,
  explanation: `AWS recommends a visibility timeout of at least ${K} times the function timeout, plus the batching window, so retries after throttling or errors do not hand a message to a second worker while the first still holds it. Absent values are the defaults: visibility ${SQS_DEFAULT_VISIBILITY_TIMEOUT_S} s, function timeout ${LAMBDA_DEFAULT_TIMEOUT_S} s.`,
  fix: `Raise the queue's VisibilityTimeout to ${K} x the function timeout + the batching window, or lower the function timeout.`,
  check(model, id) {
    const c = sqsConsumer(model, id);
    if (!c) return notApplicable('not an SQS event source');
    if (c.queueId === undefined || c.functionId === undefined) return notApplicable('the queue or the function is not in this template');
    const vis = readNumber(model.props(c.queueId).VisibilityTimeout, model.parameterDefault);
    const fn = readNumber(model.props(c.functionId).Timeout, model.parameterDefault);
    const win = readNumber(model.props(id).MaximumBatchingWindowInSeconds, model.parameterDefault);
    if (vis.kind === 'unresolvable' || fn.kind === 'unresolvable' || win.kind === 'unresolvable') return notApplicable('a timeout is only known at deploy time');
    const v = vis.kind === 'literal' ? vis.value : SQS_DEFAULT_VISIBILITY_TIMEOUT_S;
    const f = fn.kind === 'literal' ? fn.value : LAMBDA_DEFAULT_TIMEOUT_S;
    const w = win.kind === 'literal' ? win.value : 0;
    const need = K * f + w;
    const fnText = `${f} s${fn.kind === 'absent' ? ' (default)' : ''}`;
    const visText = `${v} s${vis.kind === 'absent' ? ' (default)' : ''}`;
    if (v >= need && vis.kind === 'absent') return compliantByDefault(`queue ${c.queueId} visibility ${visText} >= ${K} x function ${c.functionId} timeout ${fnText}${w ? ` + ${w} s window` : ''}`);
    if (v >= need) return nonCompliant([], [`queue ${c.queueId} visibility ${visText} >= ${K} x function ${c.functionId} timeout ${fnText}${w ? ` + ${w} s window` : ''}`]);
    return nonCompliant([problem(`queue ${c.queueId} VisibilityTimeout`, visText,
      `at least ${need} s (${K} x function ${c.functionId} timeout ${fnText}${w ? ` + batching window ${w} s` : ''})`,
      `raise the visibility timeout to ${need} s or lower the function timeout`)]);
  },
});
