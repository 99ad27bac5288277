import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem } from '../helpers';
import { endpointConfigOf, isAsyncConfig, scalableTargetsOfEndpoint, variants } from './endpoints';

/** Each instance-based SageMaker variant (not serverless, not async) has autoscaling with a maximum. */
export const SageMakerVariantScaling = defineRule({
  name: 'SageMakerVariantScaling',
  level: RuleLevel.WARNING,
  levelReason: 'A variant without autoscaling is still bounded (its instance count is fixed, so cost cannot run away); it just cannot absorb load, which the API throttle then has to match.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.ENDPOINT],
  info: 'An instance-based variant of the SageMaker endpoint has no Application Auto Scaling scalable target with a MaxCapacity.',
  explanation: 'Autoscaling adds instances under load, and its MaxCapacity is the cost ceiling under attack. The scalable target is matched by ResourceId endpoint/<endpoint>/variant/<variant>.',
  fix: 'Register the variant as a scalable target (ServiceNamespace sagemaker, ScalableDimension sagemaker:variant:DesiredInstanceCount) with MinCapacity >= 1 and a MaxCapacity derived from the cost ceiling, plus a scaling policy.',
  check(model, id) {
    const config = endpointConfigOf(model, id);
    if (config === undefined) return notApplicable('the endpoint config is not in this template');
    if (isAsyncConfig(model, config)) return notApplicable('async endpoint (scaled on its backlog)');
    const instanceVariants = variants(model, config).filter((v) => v.InstanceType !== undefined && v.ServerlessConfig === undefined);
    if (instanceVariants.length === 0) return notApplicable('no instance-based variants');
    const targets = scalableTargetsOfEndpoint(model, id);
    const findings: string[] = [];
    const evidence: string[] = [];
    for (const v of instanceVariants) {
      const name = String(v.VariantName);
      const target = targets.find((x) => x.of.variant === name);
      if (!target) {
        findings.push(problem(`endpoint ${id} variant "${name}" autoscaling`, 'absent', 'a scalable target with MaxCapacity', 'register the variant with Application Auto Scaling and set maxCapacity'));
        continue;
      }
      const max = readNumber(model.props(target.t).MaxCapacity, model.parameterDefault);
      const min = readNumber(model.props(target.t).MinCapacity, model.parameterDefault);
      if (max.kind === 'absent') {
        findings.push(problem(`scalable target ${target.t} MaxCapacity`, 'absent', 'a maximum instance count', 'set maxCapacity'));
      } else if (max.kind === 'literal' && min.kind === 'literal' && max.value < min.value) {
        findings.push(problem(`scalable target ${target.t} MaxCapacity`, String(max.value), `at least MinCapacity ${min.value}`, 'raise maxCapacity'));
      } else {
        evidence.push(`variant "${name}" scales via ${target.t} up to ${max.kind === 'literal' ? max.value : 'a deploy-time maximum'}`);
      }
    }
    return nonCompliant(findings, evidence);
  },
});
