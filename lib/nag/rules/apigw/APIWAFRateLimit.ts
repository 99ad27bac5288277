import { Mitigation, RuleLevel, compliant, defineRule, nonCompliant, notApplicable } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, keyLockedStage, arnPointsAtStage, isRecord, list, problem, rec, stageLabel, stageView, webAclAssociationsOf } from '../helpers';

/** A WAFv2 web ACL with a blocking rate-based rule is associated with each REST stage. */
export const APIWAFRateLimit = defineRule({
  name: 'APIWAFRateLimit',
  level: RuleLevel.WARNING,
  levelReason: 'A WAF rate-based rule is the only enforced per-IP limit in front of API Gateway, but a web ACL can be attached outside the template (Firewall Manager, a security stack) where a template review cannot see it.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.STAGE, T.DEPLOYMENT],
  info: 'The REST API stage is not associated with a WAFv2 web ACL that has a blocking rate-based rule.',
  explanation: 'Usage-plan throttles and quotas are applied on a best-effort basis and are per API key; AWS recommends WAF to block abusive clients. A rate-based rule blocks an IP (or other key) that exceeds a request count per window before the request reaches the API.',
  fix: 'Associate the stage with a REGIONAL web ACL (AWS::WAFv2::WebACLAssociation, ResourceArn = the stage ARN) that has a RateBasedStatement rule with Action Block.',
  check(model, id) {
    const stage = stageView(model, id);
    if (!stage) return notApplicable('deployment that does not create a stage');
    const locked = keyLockedStage(model, stage);
    if (locked) return notApplicable(locked);
    const label = stageLabel(stage);
    const candidates = new Set([...webAclAssociationsOf(model, stage.id), ...(stage.restApiId !== undefined ? webAclAssociationsOf(model, stage.restApiId) : [])]);
    const order = model.memo('webAclAssociationOrder', () => new Map(model.ofType(T.WEB_ACL_ASSOCIATION).map((a, i) => [a, i])));
    const associations = [...candidates].sort((a, b) => order.get(a)! - order.get(b)!).filter((a) => arnPointsAtStage(model.props(a).ResourceArn, stage));
    if (associations.length === 0) {
      return nonCompliant([problem(`${label} web ACL`, 'none associated', 'a WAFv2 web ACL with a rate-based rule', 'add an AWS::WAFv2::WebACLAssociation for the stage ARN')]);
    }
    const evidence: string[] = [];
    const findings: string[] = [];
    for (const a of associations) {
      const aclRef = model.props(a).WebACLArn;
      const acl = model.target(aclRef, T.WEB_ACL);
      if (acl === undefined) {
        evidence.push(`${label} is associated (${a}) with web ACL ${showValue(aclRef)} defined outside this template; its rules are not checked`);
        continue;
      }
      const blocking = rateRules(model, acl).filter((r) => r.blocks);
      if (blocking.length > 0) {
        evidence.push(`${label} is protected by web ACL ${acl} rate-based rule ${blocking.map((r) => r.name).join(', ')}`);
      } else {
        const counting = rateRules(model, acl).map((r) => r.name);
        findings.push(problem(`web ACL ${acl} (associated with ${label}) rate-based rules`,
          counting.length > 0 ? `only counting: ${counting.join(', ')}` : 'none',
          'a RateBasedStatement rule with Action Block (or Captcha/Challenge)', 'add a per-IP rate-based rule that blocks'));
      }
    }
    return evidence.length > 0 ? compliant(...evidence) : nonCompliant(findings);
  },
});

function rateRules(model: TemplateModel, aclId: string): Array<{ name: string; blocks: boolean }> {
  return list(model.props(aclId).Rules).filter(isRecord)
    .filter((r) => JSON.stringify(r.Statement ?? {}).includes('"RateBasedStatement"'))
    .map((r) => {
      const action = rec(r.Action);
      return { name: typeof r.Name === 'string' ? r.Name : '?', blocks: 'Block' in action || 'Captcha' in action || 'Challenge' in action };
    });
}
