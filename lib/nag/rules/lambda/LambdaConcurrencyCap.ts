import { LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber, showValue } from '../../template/intrinsics';
import { T, problem } from '../helpers';
import { apiInvocations, functionUrls, invokesSageMaker } from './functions';

/** Functions invoked synchronously from the internet (API Gateway, function URL) have reserved concurrency. */
export const LambdaConcurrencyCap = defineRule({
  name: 'LambdaConcurrencyCap',
  level: RuleLevel.ERROR,
  levelReason: 'Without reserved concurrency a flood on one entry point takes the account\'s shared concurrency pool, throttling every other function in the account and Region, and passes all of it to the model behind the function.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.FUNCTION],
  info: 'A Lambda function behind an API or a function URL has no ReservedConcurrentExecutions.',
  explanation: `Each concurrent request is one execution environment. Reserved concurrency caps the function (extra requests get 429 from Lambda, 500/502 through API Gateway) and keeps it from draining the account pool (${LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY} by default) that other functions share. For a function that calls a SageMaker endpoint it is also the most requests the endpoint can receive at once from this path. SQS consumers are checked by SQSConsumerConcurrency instead.`,
  fix: 'Set ReservedConcurrentExecutions (CDK `reservedConcurrentExecutions`) to what the backend can serve: throughput x latency, at most the endpoint\'s concurrency.',
  check(model, id) {
    const apis = apiInvocations(model, id);
    const urls = functionUrls(model, id);
    if (apis.length === 0 && urls.length === 0) return notApplicable('not invoked by an API or a function URL in this template');
    const entry = [...apis.map((a) => `${a.kind} API integration ${a.id}`), ...urls.map((u) => `function URL ${u}`)].join(', ');
    const reserved = readNumber(model.props(id).ReservedConcurrentExecutions, model.parameterDefault);
    const backend = invokesSageMaker(model, id) ? ' and calls SageMaker InvokeEndpoint' : '';
    if (reserved.kind === 'absent') {
      return nonCompliant([problem(`function ${id} (invoked by ${entry}${backend}) ReservedConcurrentExecutions`, 'absent (uncapped up to the account pool)', 'a reserved concurrency sized to the backend', 'set reservedConcurrentExecutions')]);
    }
    if (reserved.kind === 'literal' && reserved.value === 0) {
      return nonCompliant([problem(`function ${id} ReservedConcurrentExecutions`, '0', 'at least 1 (0 turns the function off)', 'set the cap the backend can serve')]);
    }
    return nonCompliant([], [`function ${id} (invoked by ${entry}${backend}) ReservedConcurrentExecutions ${showValue(model.props(id).ReservedConcurrentExecutions)}`]);
  },
});
