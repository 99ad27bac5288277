import { Mitigation, RuleLevel, compliant, defineRule, nonCompliant, notApplicable } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, problem, webAclAssociationsOf } from '../helpers';

/**
 * True for an internet-facing application load balancer. Type defaults to application and Scheme
 * to internet-facing. Source: CloudFormation AWS::ElasticLoadBalancingV2::LoadBalancer (Type, Scheme).
 */
export function isInternetFacingAlb(model: TemplateModel, id: string): boolean {
  const p = model.props(id);
  return (p.Type ?? 'application') === 'application' && (p.Scheme ?? 'internet-facing') === 'internet-facing';
}

/** An internet-facing ALB has a WAFv2 web ACL associated. */
export const ALBWAFRateLimit = defineRule({
  name: 'ALBWAFRateLimit',
  level: RuleLevel.WARNING,
  levelReason: 'A web ACL can be attached outside the template (Firewall Manager, a security stack); but an internet-facing ALB has no throttle of its own, so without one nothing limits a client.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.LOAD_BALANCER],
  info: 'The internet-facing application load balancer is not associated with a WAFv2 web ACL.',
  explanation: 'An ALB forwards every request it can accept to its targets: it has no throttling, usage plans or quotas. A REGIONAL web ACL with a rate-based rule is the per-client limit in front of it. Internal ALBs (behind a VPC link) are reached only through API Gateway and are not checked.',
  fix: 'Associate a REGIONAL web ACL with a blocking RateBasedStatement rule (AWS::WAFv2::WebACLAssociation, ResourceArn = the load balancer ARN), or make the load balancer internal and reach it through API Gateway.',
  check(model, id) {
    if (!isInternetFacingAlb(model, id)) return notApplicable('not an internet-facing application load balancer');
    const assoc = webAclAssociationsOf(model, id);
    if (assoc.length > 0) return compliant(`load balancer ${id} web ACL ${assoc.map((a) => showValue(model.props(a).WebACLArn)).join(', ')}`);
    return nonCompliant([problem(`internet-facing load balancer ${id} web ACL`, 'none associated', 'a REGIONAL WAFv2 web ACL with a rate-based rule', 'add an AWS::WAFv2::WebACLAssociation for the load balancer ARN')]);
  },
});
