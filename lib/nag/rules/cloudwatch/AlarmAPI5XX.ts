import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant } from '../../rule';
import { readString } from '../../template/intrinsics';
import { T, alarmsOn, apiLabel, effectiveAlarms, problem } from '../helpers';

/** Each REST API has an alarm on 5XXError. */
export const AlarmAPI5XX = defineRule({
  name: 'AlarmAPI5XX',
  level: RuleLevel.WARNING,
  levelReason: 'Alarms detect overload, they do not limit it; and they are often defined in a separate monitoring stack that a single-template review cannot see.',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.REST_API],
  info: 'The REST API has no CloudWatch alarm on 5XXError (dimension ApiName) that can fire and notify.',
  explanation: 'Server errors (integration timeouts, backend throttling, load balancer resets) are the first visible sign that the backend is overloaded. Throttled requests show up as 4XX, so 5XX isolates backend trouble.',
  fix: 'Add an alarm on AWS/ApiGateway 5XXError with dimension ApiName = the API name (CDK `api.metricServerError().createAlarm(...)`).',
  check(model, id) {
    const name = readString(model.props(id).Name);
    const alarms = alarmsOn(model, '5XXError', 'ApiName', id, name.kind === 'literal' ? [name.value] : []);
    const { good, broken } = effectiveAlarms(model, alarms);
    if (good.length > 0) return nonCompliant([], [`${apiLabel(model, id)} 5XX alarm ${good.join(', ')}`]);
    if (broken.length > 0) return flawed(broken.map((b) => problem(`${apiLabel(model, id)} 5XX ${b.split(':')[0]}`, b.slice(b.indexOf(':') + 2), 'an alarm with an action that can leave the OK state', 'add an alarm action (e.g. an SNS topic) and a threshold the metric can stay below')));
    return nonCompliant([problem(`${apiLabel(model, id)} 5XXError alarm`, 'absent', 'an alarm on 5XXError with dimension ApiName of this API', 'add a 5XX alarm')]);
  },
});
