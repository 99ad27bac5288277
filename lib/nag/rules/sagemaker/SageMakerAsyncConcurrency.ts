import { SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX, SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem, rec } from '../helpers';
import { isAsyncConfig } from './endpoints';

/** Async endpoint configs set ClientConfig.MaxConcurrentInvocationsPerInstance. */
export const SageMakerAsyncConcurrency = defineRule({
  name: 'SageMakerAsyncConcurrency',
  level: RuleLevel.WARNING,
  levelReason: 'When it is absent SageMaker picks a value, so concurrency is bounded, but not by the model\'s measured memory: a large model can run out of GPU memory under backlog.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.ENDPOINT_CONFIG],
  info: 'The async endpoint config does not set AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance.',
  explanation: 'This is how many requests SageMaker sends to one instance at a time. It should come from the measured peak memory per request, so a backlog does not overload each instance.',
  fix: `Set ClientConfig.MaxConcurrentInvocationsPerInstance (${SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN}-${SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX}) from the inference profile.`,
  check(model, id) {
    if (!isAsyncConfig(model, id)) return notApplicable('not an async endpoint config');
    const raw = rec(rec(model.props(id).AsyncInferenceConfig).ClientConfig).MaxConcurrentInvocationsPerInstance;
    const v = readNumber(raw, model.parameterDefault);
    const label = `endpoint config ${id} AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance`;
    const allowed = `an integer from ${SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN} to ${SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX}`;
    if (v.kind === 'absent') return nonCompliant([problem(label, 'absent', allowed, 'set it from the measured memory per request')]);
    if (v.kind === 'literal' && (v.value < SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN || v.value > SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX)) {
      return nonCompliant([problem(label, String(v.value), allowed, 'set it within the range')]);
    }
    return nonCompliant([], [`${label} = ${v.kind === 'literal' ? v.value : 'deploy-time value'}`]);
  },
});
