import { Mitigation, RuleLevel, defineRule, flawed, nonCompliant } from '../../rule';
import { readString } from '../../template/intrinsics';
import { T, alarmsOn, effectiveAlarms, problem } from '../helpers';

/** The dimension that names each kind of compute in CloudWatch. */
const DIMENSION: Readonly<Record<string, { dimension: string; nameProp: string; noun: string }>> = {
  [T.ENDPOINT]: { dimension: 'EndpointName', nameProp: 'EndpointName', noun: 'SageMaker endpoint' },
  [T.SERVICE]: { dimension: 'ServiceName', nameProp: 'ServiceName', noun: 'ECS service' },
};

/** Each SageMaker endpoint and ECS service has at least one alarm on its own metrics. */
export const AlarmComputeHealth = defineRule({
  name: 'AlarmComputeHealth',
  level: RuleLevel.WARNING,
  levelReason: 'Alarms detect overload, they do not limit it; and they are often defined in a separate monitoring stack that a single-template review cannot see.',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.ENDPOINT, T.SERVICE],
  info: 'The SageMaker endpoint or ECS service has no CloudWatch alarm on any of its metrics.',
  explanation: 'API-level alarms show that something is slow or failing; alarms on the compute itself (errors, latency, CPU, memory, GPU, capacity at its maximum) show where, and catch work that does not pass through the API, such as queue workers.',
  fix: 'Add alarms on the endpoint (dimension EndpointName: Invocation5XXErrors, ModelLatency, CPU/GPU utilization, or the async backlog metrics) or the service (dimension ServiceName: CPUUtilization, MemoryUtilization).',
  check(model, id) {
    const kind = DIMENSION[model.typeOf(id) ?? ''];
    const name = readString(model.props(id)[kind.nameProp]);
    const names = name.kind === 'literal' ? [name.value] : [];
    const label = `${kind.noun} ${name.kind === 'literal' ? `"${name.value}" ` : ''}(${id})`;
    // Any metric counts: what matters is that the compute itself is watched.
    const alarms = alarmsOn(model, undefined, kind.dimension, id, names);
    const { good, broken } = effectiveAlarms(model, alarms);
    if (good.length > 0) return nonCompliant([], [`${label} alarms ${good.join(', ')}`]);
    if (broken.length > 0) return flawed(broken.map((b) => problem(`${label} ${b.split(':')[0]}`, b.slice(b.indexOf(':') + 2), 'an alarm with an action that can leave the OK state', 'add an alarm action and a meaningful threshold')));
    return nonCompliant([problem(`${label} alarms`, 'absent', `at least one alarm with dimension ${kind.dimension} of this ${kind.noun}`, 'add alarms on its errors, latency and utilization')]);
  },
});
