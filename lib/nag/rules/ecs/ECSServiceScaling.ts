import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, isRecord, list, problem, scalableTargetsOf } from '../helpers';
import { isInternetFacingAlb } from '../elb/ALBWAFRateLimit';

const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

/** The internet-facing ALBs that forward to a service, through its target groups, their listeners and listener rules. */
function internetFacingAlbsOf(model: TemplateModel, serviceId: string): string[] {
  const groups = list(model.props(serviceId).LoadBalancers).filter(isRecord).map((lb) => model.target(lb.TargetGroupArn, TARGET_GROUP)).filter((g): g is string => g !== undefined);
  const albs = new Set<string>();
  for (const g of groups) {
    const listeners = [...model.referencers(g, T.LISTENER), ...model.referencers(g, LISTENER_RULE).map((r) => model.target(model.props(r).ListenerArn, T.LISTENER)).filter((l): l is string => l !== undefined)];
    for (const l of listeners) {
      const lb = model.target(model.props(l).LoadBalancerArn, T.LOAD_BALANCER);
      if (lb !== undefined && isInternetFacingAlb(model, lb)) albs.add(lb);
    }
  }
  return [...albs];
}

/** An ECS service behind an internet-facing ALB scales, up to a maximum. */
export const ECSServiceScaling = defineRule({
  name: 'ECSServiceScaling',
  level: RuleLevel.WARNING,
  levelReason: 'A service without autoscaling is still bounded (its task count is fixed, so cost cannot run away); it just cannot absorb a burst, and the ALB in front of it has no throttle to make up for it.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.SERVICE],
  info: 'The ECS service behind an internet-facing application load balancer has no Application Auto Scaling scalable target (with a MaxCapacity).',
  explanation: 'An internet-facing ALB forwards every request it accepts: it has no throttle or usage plan. The service behind it either scales out under load, up to a maximum that is the cost ceiling, or saturates at DesiredCount and fails every request beyond it. The scalable target is matched by a ResourceId that references the service (service/<cluster>/<service>).',
  fix: 'Register the service as a scalable target (ServiceNamespace ecs, ScalableDimension ecs:service:DesiredCount) with MinCapacity and a MaxCapacity from the cost ceiling, plus a scaling policy (CDK `service.autoScaleTaskCount({ maxCapacity })`).',
  check(model, id) {
    const albs = internetFacingAlbsOf(model, id);
    if (albs.length === 0) return notApplicable('not behind an internet-facing application load balancer in this template');
    const targets = scalableTargetsOf(model, id);
    const label = `ECS service ${id} (behind ${albs.join(', ')})`;
    if (targets.length === 0) return nonCompliant([problem(`${label} autoscaling`, 'absent', 'a scalable target with MaxCapacity', 'register the service with Application Auto Scaling (autoScaleTaskCount) and set maxCapacity')]);
    const max = readNumber(model.props(targets[0]).MaxCapacity, model.parameterDefault);
    if (max.kind === 'absent') return nonCompliant([problem(`scalable target ${targets[0]} MaxCapacity`, 'absent', 'a maximum task count', 'set maxCapacity')]);
    return nonCompliant([], [`${label} scales via ${targets[0]} up to ${max.kind === 'literal' ? max.value : 'a deploy-time maximum'}`]);
  },
});
