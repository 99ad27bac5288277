import { Annotations, Lazy, Stack, aws_cloudwatch as cw, aws_cloudwatch_actions as cwActions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceGuardError } from '../core/errors';
import { MetricUnit, catalogUnit, findCatalogEntry } from './metric-catalog';

/** Template metadata key under which every alarm records its unit and steady-state value. */
export const ALARM_METADATA_KEY = 'KerasInferenceGuard::Alarm';

/** The value an alarm's metric has in the designed steady state: no attack, nominal load. */
export interface AtRest {
  /** The value, in the alarm's unit. */
  readonly value: number;
  /** Why the metric has this value at rest (the formula or the design fact). */
  readonly basis: string;
}

/** One alarm, as the factory builds it. */
export interface GuardAlarmSpec {
  /** A metric from the catalog (`catalogMetric`), or metric math over catalog metrics. */
  readonly metric: cw.IMetric;
  readonly threshold: number;
  /** Unit of the threshold; for a single metric it must be the catalog unit of its statistic. */
  readonly unit: MetricUnit;
  /** Percent metrics summed over N units (vCPUs, GPUs) range up to 100 x N. @default 1 */
  readonly scale?: number;
  /** @default GREATER_THAN_THRESHOLD */
  readonly comparison?: cw.ComparisonOperator;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly description: string;
  /** The metric's value in the designed steady state; the threshold must not be breached there. */
  readonly atRest: AtRest;
}

/** Markdown anchor of an alarm's runbook section (`kig runbook`, `<stack>.runbook.md`): from its logical id. */
export function runbookAnchor(alarmLogicalId: string): string {
  return `alarm-${alarmLogicalId.toLowerCase()}`;
}

/**
 * The alarm description as notifications carry it: the one-line summary, then where its runbook
 * section is (the logical id is final only at synthesis, so the text is resolved then).
 */
export function describedWithRunbook(scope: Construct, id: string, summary: string): string {
  return Lazy.string({
    produce: () => {
      const alarm = scope.node.findChild(id).node.defaultChild as cw.CfnAlarm | cw.CfnCompositeAlarm;
      return `${summary} Runbook: section #${runbookAnchor(Stack.of(alarm).resolve(alarm.logicalId) as string)}.`;
    },
  });
}

/** Whether `value` breaches `threshold` under `comparison`. */
export function breaches(comparison: string, value: number, threshold: number): boolean {
  switch (comparison) {
    case cw.ComparisonOperator.GREATER_THAN_THRESHOLD: return value > threshold;
    case cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD: return value >= threshold;
    case cw.ComparisonOperator.LESS_THAN_THRESHOLD: return value < threshold;
    case cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD: return value <= threshold;
    default: return false;
  }
}

/**
 * Builds one alarm from a catalog metric: missing data is not breaching, the topic (when
 * given) is notified on ALARM and OK, and the unit and steady-state value are written into the
 * template metadata for review. Throws when a single metric's unit is not the catalog's.
 */
export function createGuardAlarm(scope: Construct, id: string, spec: GuardAlarmSpec, topic?: sns.ITopic): cw.Alarm {
  if (spec.metric instanceof cw.Metric) {
    const entry = findCatalogEntry(spec.metric.namespace, spec.metric.metricName, Object.keys(spec.metric.dimensions ?? {}));
    const unit = entry ? catalogUnit(entry, spec.metric.statistic) : undefined;
    if (unit !== spec.unit) {
      throw new InferenceGuardError('ALARM_UNIT_MISMATCH', `${scope.node.path}/${id}`, [{
        prop: 'unit', value: spec.unit,
        allowed: entry ? `${unit ?? 'a catalog statistic'} (${spec.metric.metricName} ${spec.metric.statistic}, ${entry.source})` : `a metric from the catalog (${spec.metric.namespace} ${spec.metric.metricName} is not in it)`,
        fix: 'express the threshold in the unit the metric is published in',
      }]);
    }
  }
  const alarm = new cw.Alarm(scope, id, {
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison ?? cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    alarmDescription: describedWithRunbook(scope, id, spec.description),
  });
  describeAlarm(alarm, spec.unit, spec.atRest, spec.scale);
  const comparison = spec.comparison ?? cw.ComparisonOperator.GREATER_THAN_THRESHOLD;
  if (breaches(comparison, spec.atRest.value, spec.threshold)) {
    // Usually a threshold override: an alarm in ALARM from the first minute hides real trouble.
    Annotations.of(alarm).addWarningV2('keras-inference-guard:alarmBreachedAtRest',
      `${id}: threshold ${spec.threshold} ${spec.unit} is breached in the designed steady state (${spec.atRest.value}: ${spec.atRest.basis}), so the alarm would never leave ALARM. Move the threshold past the steady state.`);
  }
  if (topic) {
    const action = new cwActions.SnsAction(topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarm;
}

/** Records unit and steady-state value on an alarm built elsewhere (a scaling policy's alarm). */
export function describeAlarm(alarm: cw.Alarm, unit: MetricUnit, atRest: AtRest, scale?: number): void {
  (alarm.node.defaultChild as cw.CfnAlarm).addMetadata(ALARM_METADATA_KEY, { unit, scale: scale ?? 1, atRest: atRest.value, atRestBasis: atRest.basis });
}
