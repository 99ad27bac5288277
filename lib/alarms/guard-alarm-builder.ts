import { aws_cloudwatch as cloudwatch, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GuardAlarmSpec, createGuardAlarm } from './alarm-factory';
import { GuardAlarms } from './guard-alarms';

/** One alarm of a set: its construct id, its spec, and whether it means "saturated". */
export interface GuardAlarmDefinition {
  readonly id: string;
  readonly spec: GuardAlarmSpec;
  /** Feeds the under-attack composite alarm (at the ceiling, slow or failing). */
  readonly saturation?: boolean;
}

/**
 * Builds a construct's alarms through the one alarm factory, under `scope`, and returns them the
 * one way every construct exposes them (backends, the API's alarms, the job queue).
 */
export function buildGuardAlarms(scope: Construct, definitions: readonly GuardAlarmDefinition[], widgets: cloudwatch.IWidget[], topic?: sns.ITopic): GuardAlarms {
  return new GuardAlarms({
    entries: definitions.map((d) => ({ name: d.id, alarm: createGuardAlarm(scope, d.id, d.spec, topic), saturation: d.saturation })),
    widgets,
  });
}

/** A graph of `metrics`, with the alarm threshold drawn when given. */
export function graph(title: string, metrics: cloudwatch.IMetric[], threshold?: number): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title, left: metrics, width: 8, leftAnnotations: threshold !== undefined ? [{ value: threshold, label: 'alarm threshold' }] : undefined,
  });
}
