import { SAGEMAKER_INVOCATIONS_PREDEFINED_METRIC, SAGEMAKER_METRICS_NOT_PUBLISHED_FOR_ASYNC } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { referencedIds } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, alarmMetrics, isRecord, list, problem, rec } from '../helpers';
import { endpointConfigOf, isAsyncConfig, scalingTargetOf } from './endpoints';

/** Async endpoints do not scale on metrics they never publish (InvocationsPerInstance and friends). */
export const SageMakerAsyncScalingMetric = defineRule({
  name: 'SageMakerAsyncScalingMetric',
  level: RuleLevel.ERROR,
  levelReason: 'The policy can never fire: the endpoint stays at its minimum capacity however long the backlog grows, which is exactly the overload the async path exists to absorb.',
  mitigation: Mitigation.QUEUE_MANAGEMENT,
  resourceTypes: [T.SCALING_POLICY],
  info: `The scaling policy of an async endpoint uses a metric async endpoints do not publish (${SAGEMAKER_INVOCATIONS_PREDEFINED_METRIC}, ${SAGEMAKER_METRICS_NOT_PUBLISHED_FOR_ASYNC.join(', ')}).`,
  explanation: 'Async endpoints publish backlog metrics (ApproximateBacklogSizePerInstance, HasBacklogWithoutCapacity) instead of Invocations / InvocationsPerInstance. Scaling on the latter is a known, silent failure.',
  fix: 'Scale async endpoints with target tracking on ApproximateBacklogSizePerInstance (dimension EndpointName, statistic Average), and a step policy on HasBacklogWithoutCapacity to scale up from zero.',
  check(model, id) {
    const p = model.props(id);
    const targetId = model.target(p.ScalingTargetId, T.SCALABLE_TARGET);
    const resourceId = targetId !== undefined ? model.props(targetId).ResourceId : p.ResourceId;
    const of = scalingTargetOf(model, resourceId);
    if (!of) return notApplicable('not a SageMaker endpoint variant in this template');
    const config = endpointConfigOf(model, of.endpointId);
    if (config === undefined || !isAsyncConfig(model, config)) return notApplicable('not an async endpoint');
    const used = metricsUsed(model, id);
    const bad = used.filter((m) => m === SAGEMAKER_INVOCATIONS_PREDEFINED_METRIC || SAGEMAKER_METRICS_NOT_PUBLISHED_FOR_ASYNC.includes(m));
    if (bad.length === 0) return nonCompliant([], [`policy ${id} scales async endpoint ${of.endpointId} on ${used.join(', ') || 'an unlisted metric'}`]);
    return nonCompliant([problem(`scaling policy ${id} (async endpoint ${of.endpointId}) metric`, bad.join(', '),
      'a metric async endpoints publish: ApproximateBacklogSizePerInstance, ApproximateBacklogSize or HasBacklogWithoutCapacity',
      'scale on ApproximateBacklogSizePerInstance')]);
  },
});

function metricsUsed(model: TemplateModel, policyId: string): string[] {
  const p = model.props(policyId);
  const tt = rec(p.TargetTrackingScalingPolicyConfiguration);
  const out: string[] = [];
  const predefined = rec(tt.PredefinedMetricSpecification).PredefinedMetricType;
  if (typeof predefined === 'string') out.push(predefined);
  const custom = rec(tt.CustomizedMetricSpecification);
  if (typeof custom.MetricName === 'string') out.push(custom.MetricName);
  for (const m of list(custom.Metrics).filter(isRecord)) {
    const name = rec(rec(m.MetricStat).Metric).MetricName;
    if (typeof name === 'string') out.push(name);
  }
  // Step scaling is driven by alarms that name the policy in their actions.
  for (const alarm of model.referencers(policyId, T.ALARM)) {
    if (!list(model.props(alarm).AlarmActions).some((a) => referencedIds(a).has(policyId))) continue;
    for (const m of alarmMetrics(model, alarm)) if (typeof m.metricName === 'string') out.push(m.metricName);
  }
  return out;
}
