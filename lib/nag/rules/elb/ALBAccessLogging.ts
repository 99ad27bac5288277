import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { T, isRecord, list, problem } from '../helpers';
import { isInternetFacingAlb } from './ALBWAFRateLimit';

/** The load balancer attribute that turns access logs on. Source: CloudFormation AWS::ElasticLoadBalancingV2::LoadBalancer LoadBalancerAttribute (access_logs.s3.enabled). */
const ACCESS_LOGS_ATTRIBUTE = 'access_logs.s3.enabled';

/** An internet-facing ALB writes access logs. Peer: checkov CKV_AWS_91. */
export const ALBAccessLogging = defineRule({
  name: 'ALBAccessLogging',
  level: RuleLevel.WARNING,
  levelReason: 'Access logs do not stop a flood; they are how it is investigated afterwards (client IPs, paths, target status) and how a WAF rate rule is tuned.',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.LOAD_BALANCER],
  info: 'The internet-facing application load balancer does not write access logs (LoadBalancerAttributes access_logs.s3.enabled is not "true").',
  explanation: 'An ALB has no per-client metrics: only its access logs say which clients sent a flood, to which paths, and what the targets answered. Internal ALBs behind API Gateway are not checked: the API\'s access log records every request that reaches them.',
  fix: 'Enable access logs to an S3 bucket: LoadBalancerAttributes access_logs.s3.enabled "true" and access_logs.s3.bucket (CDK `loadBalancer.logAccessLogs(bucket)`).',
  check(model, id) {
    if (!isInternetFacingAlb(model, id)) return notApplicable('not an internet-facing application load balancer');
    const attr = list(model.props(id).LoadBalancerAttributes).filter(isRecord).find((a) => a.Key === ACCESS_LOGS_ATTRIBUTE);
    if (attr !== undefined && String(attr.Value).toLowerCase() === 'true') return nonCompliant([], [`load balancer ${id} writes access logs`]);
    return nonCompliant([problem(`internet-facing load balancer ${id} ${ACCESS_LOGS_ATTRIBUTE}`, attr === undefined ? 'absent' : JSON.stringify(attr.Value), '"true", with access_logs.s3.bucket', 'enable access logs (logAccessLogs)')]);
  },
});
