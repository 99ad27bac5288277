import { SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, isRecord, problem } from '../helpers';
import { variants } from './endpoints';

/** Serverless variants set ServerlessConfig.MaxConcurrency. */
export const SageMakerServerlessConcurrency = defineRule({
  name: 'SageMakerServerlessConcurrency',
  level: RuleLevel.ERROR,
  levelReason: 'MaxConcurrency is the only ceiling on a serverless endpoint; without a valid one the deployment fails or the endpoint can take the account\'s whole serverless concurrency.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.ENDPOINT_CONFIG],
  info: `A serverless variant does not set ServerlessConfig.MaxConcurrency within ${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN}-${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX}.`,
  explanation: 'Serverless endpoints scale per request up to MaxConcurrency; requests beyond it are throttled. It bounds both cost and the load on shared account concurrency.',
  fix: `Set ServerlessConfig.MaxConcurrency (${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN}-${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX}) from the measured throughput.`,
  check(model, id) {
    const serverless = variants(model, id).filter((v) => isRecord(v.ServerlessConfig));
    if (serverless.length === 0) return notApplicable('no serverless variants');
    const findings: string[] = [];
    const evidence: string[] = [];
    const allowed = `an integer from ${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN} to ${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX}`;
    for (const v of serverless) {
      const label = `endpoint config ${id} variant "${String(v.VariantName)}" ServerlessConfig.MaxConcurrency`;
      const read = readNumber((v.ServerlessConfig as Record<string, unknown>).MaxConcurrency, model.parameterDefault);
      if (read.kind === 'absent') findings.push(problem(label, 'absent', allowed, 'set maxConcurrency'));
      else if (read.kind === 'literal' && (read.value < SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN || read.value > SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX)) {
        findings.push(problem(label, String(read.value), allowed, 'set maxConcurrency within the range'));
      } else evidence.push(`${label} = ${read.kind === 'literal' ? read.value : 'deploy-time value'}`);
    }
    return nonCompliant(findings, evidence);
  },
});
