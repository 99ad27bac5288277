import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant, notApplicable } from '../../rule';
import { readString } from '../../template/intrinsics';
import { T, alarmsOn, effectiveAlarms, problem } from '../helpers';
import { isHttpApi } from '../apigwv2/http-apis';
import { isInternetFacingAlb } from '../elb/ALBWAFRateLimit';
import { functionUrls } from '../lambda/functions';

/**
 * The CloudWatch dimension that names each kind of entry point, and the metrics worth watching.
 * Sources: API Gateway Developer Guide "HTTP API metrics" (namespace AWS/ApiGateway, dimension ApiId:
 * 4xx, 5xx, Count, Latency); Lambda Developer Guide "Lambda function metrics" (AWS/Lambda, dimension
 * FunctionName: Errors, Throttles, Url5xxCount); Elastic Load Balancing "CloudWatch metrics for your
 * Application Load Balancer" (AWS/ApplicationELB, dimension LoadBalancer = the load balancer's full
 * name: HTTPCode_ELB_5XX_Count, HTTPCode_Target_5XX_Count, TargetResponseTime).
 */
const ENTRY_POINTS: Readonly<Record<string, { dimension: string; nameProp?: string; noun: string; metrics: string }>> = {
  [T.HTTP_API]: { dimension: 'ApiId', noun: 'HTTP API', metrics: 'AWS/ApiGateway 5xx or Latency with dimension ApiId' },
  [T.FUNCTION]: { dimension: 'FunctionName', nameProp: 'FunctionName', noun: 'function with a URL', metrics: 'AWS/Lambda Errors, Throttles or Url5xxCount with dimension FunctionName' },
  [T.LOAD_BALANCER]: { dimension: 'LoadBalancer', noun: 'internet-facing load balancer', metrics: 'AWS/ApplicationELB HTTPCode_ELB_5XX_Count or TargetResponseTime with dimension LoadBalancer (the LoadBalancerFullName attribute)' },
};

/** Each HTTP API, function URL and internet-facing ALB has an alarm on its own metrics that can notify. */
export const AlarmEntryPoint = defineRule({
  name: 'AlarmEntryPoint',
  level: RuleLevel.WARNING,
  levelReason: 'Alarms detect overload, they do not limit it; and they are often defined in a separate monitoring stack that a single-template review cannot see.',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.HTTP_API, T.FUNCTION, T.LOAD_BALANCER],
  info: 'The HTTP API, function URL or internet-facing application load balancer has no CloudWatch alarm on its own metrics that can fire and notify.',
  explanation: 'These are the doors a flood comes through. Their server errors, throttles and latency are the first sign of overload, and unlike a REST API they have no usage plans or WAF of their own (HTTP APIs, function URLs) or no throttle at all (ALBs), so an alarm is often the only thing that notices.',
  fix: 'Add an alarm on the entry point: an HTTP API on 5xx (dimension ApiId), a function URL\'s function on Errors or Throttles (dimension FunctionName), an ALB on HTTPCode_ELB_5XX_Count or TargetResponseTime (dimension LoadBalancer), with an alarm action.',
  check(model, id) {
    const type = model.typeOf(id) ?? '';
    if (type === T.HTTP_API && !isHttpApi(model, id)) return notApplicable('not an HTTP API');
    if (type === T.FUNCTION && functionUrls(model, id).length === 0) return notApplicable('function without a URL (its invokers have their own alarms)');
    if (type === T.LOAD_BALANCER && !isInternetFacingAlb(model, id)) return notApplicable('not an internet-facing application load balancer');
    const kind = ENTRY_POINTS[type];
    const name = kind.nameProp !== undefined ? readString(model.props(id)[kind.nameProp]) : { kind: 'absent' as const };
    const label = `${kind.noun} ${id}`;
    const alarms = alarmsOn(model, undefined, kind.dimension, id, name.kind === 'literal' ? [name.value] : []);
    const { good, broken } = effectiveAlarms(model, alarms);
    if (good.length > 0) return nonCompliant([], [`${label} alarms ${good.join(', ')}`]);
    if (broken.length > 0) return flawed(broken.map((b) => problem(`${label} ${b.split(':')[0]}`, b.slice(b.indexOf(':') + 2), 'an alarm with an action that can leave the OK state', 'add an alarm action and a meaningful threshold')));
    return nonCompliant([problem(`${label} alarms`, 'absent', `an alarm on ${kind.metrics}`, 'add an alarm on its errors or latency')]);
  },
});
