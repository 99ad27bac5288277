import { LAMBDA_SQS_MAX_CONCURRENCY_MAX, LAMBDA_SQS_MAX_CONCURRENCY_MIN } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { T, problem, rec } from '../helpers';
import { sqsConsumer } from './consumers';

/** Each Lambda SQS consumer has ScalingConfig.MaximumConcurrency, or its function reserved concurrency. */
export const SQSConsumerConcurrency = defineRule({
  name: 'SQSConsumerConcurrency',
  level: RuleLevel.ERROR,
  levelReason: 'An uncapped SQS consumer scales to up to 1,000 concurrent invocations as the backlog grows, moving a flood from the queue straight onto the model backend it was meant to protect.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.EVENT_SOURCE_MAPPING],
  info: 'The SQS event source mapping has no ScalingConfig.MaximumConcurrency and its function has no ReservedConcurrentExecutions.',
  explanation: 'The queue absorbs bursts only if the workers drain it at the rate the backend can serve. Capping the consumer\'s concurrency makes the backlog, not the backend, take the excess.',
  fix: `Set the event source's maxConcurrency (${LAMBDA_SQS_MAX_CONCURRENCY_MIN}-${LAMBDA_SQS_MAX_CONCURRENCY_MAX}; CDK \`SqsEventSource(queue, { maxConcurrency })\`), or reservedConcurrentExecutions on the function.`,
  check(model, id) {
    const c = sqsConsumer(model, id);
    if (!c) return notApplicable('not an SQS event source');
    const max = rec(model.props(id).ScalingConfig).MaximumConcurrency;
    const reserved = c.functionId !== undefined ? model.props(c.functionId).ReservedConcurrentExecutions : undefined;
    if (max !== undefined) return nonCompliant([], [`event source ${id} MaximumConcurrency ${showValue(max)}`]);
    if (reserved !== undefined) return nonCompliant([], [`function ${c.functionId} ReservedConcurrentExecutions ${showValue(reserved)}`]);
    if (c.functionId === undefined && model.props(id).FunctionName !== undefined && model.target(model.props(id).FunctionName) === undefined) {
      return notApplicable('the function is not in this template; its reserved concurrency cannot be read');
    }
    return nonCompliant([problem(`event source ${id} (queue ${c.queueId ?? showValue(model.props(id).EventSourceArn)} -> function ${c.functionId ?? showValue(model.props(id).FunctionName)}) concurrency`,
      'unbounded', `ScalingConfig.MaximumConcurrency ${LAMBDA_SQS_MAX_CONCURRENCY_MIN}-${LAMBDA_SQS_MAX_CONCURRENCY_MAX} or ReservedConcurrentExecutions on the function`,
      'set maxConcurrency on the event source')]);
  },
});
