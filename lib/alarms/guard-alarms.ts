import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { InferenceGuardError } from '../core/errors';

/** One alarm in a `GuardAlarms` set: its stable name and what it means. */
export interface GuardAlarmEntry {
  /** Stable name of the alarm within its set (its construct id, or `Policy/Id` for a scaling policy's alarm). */
  readonly name: string;
  /** The alarm. */
  readonly alarm: cloudwatch.Alarm;
  /**
   * The alarm means "saturated" (at the ceiling, slow or failing): it feeds the under-attack
   * composite alarm.
   * @default false
   */
  readonly saturation?: boolean;
  /**
   * The alarm drives a scaling policy rather than telling people about trouble: it notifies no
   * topic and stays off the dashboard's alarm status.
   * @default false
   */
  readonly scaling?: boolean;
}

/** Props of `GuardAlarms`. */
export interface GuardAlarmsProps {
  /** Every alarm of the construct, in creation order; names must be unique. */
  readonly entries: GuardAlarmEntry[];
  /**
   * Dashboard widgets of the construct's own metrics.
   * @default - none
   */
  readonly widgets?: cloudwatch.IWidget[];
}

/**
 * The CloudWatch alarms one construct created, the one way every construct of this library
 * exposes them (`alarms`): all as a list, each by a stable name, the ones that mean "saturated",
 * the ones that only drive scaling, and the dashboard widgets of the construct's metrics.
 */
export class GuardAlarms {
  /** One set holding every alarm of `sets`, in order; names must stay unique across the sets. */
  public static merge(sets: GuardAlarms[]): GuardAlarms {
    return new GuardAlarms({
      entries: sets.flatMap((s) => s.entries),
      widgets: sets.flatMap((s) => s.widgets),
    });
  }

  /** Every alarm, in creation order. */
  public readonly all: cloudwatch.Alarm[];
  /** The stable name of each alarm, in the order of `all`. */
  public readonly names: string[];
  /** The alarms that mean "saturated": they feed the under-attack composite alarm. */
  public readonly saturation: cloudwatch.Alarm[];
  /** The alarms that drive a scaling policy (no notification, not on the alarm status widget). */
  public readonly scaling: cloudwatch.Alarm[];
  /** The alarms that tell people about trouble: every alarm but the scaling ones. */
  public readonly monitoring: cloudwatch.Alarm[];
  /** Dashboard widgets of the construct's own metrics. */
  public readonly widgets: cloudwatch.IWidget[];
  /** Every alarm with its name and meaning. */
  public readonly entries: GuardAlarmEntry[];

  constructor(props: GuardAlarmsProps) {
    const seen = new Set<string>();
    const duplicates = props.entries.map((e) => e.name).filter((n) => seen.size === seen.add(n).size);
    if (duplicates.length > 0) {
      throw new InferenceGuardError('ALARM_NAMES_NOT_UNIQUE', 'GuardAlarms', [{
        prop: 'entries', value: duplicates.join(', '),
        allowed: 'one alarm per name', fix: 'give every alarm of the set its own name',
      }]);
    }
    this.entries = [...props.entries];
    this.all = this.entries.map((e) => e.alarm);
    this.names = this.entries.map((e) => e.name);
    this.saturation = this.entries.filter((e) => e.saturation).map((e) => e.alarm);
    this.scaling = this.entries.filter((e) => e.scaling).map((e) => e.alarm);
    this.monitoring = this.entries.filter((e) => !e.scaling).map((e) => e.alarm);
    this.widgets = [...(props.widgets ?? [])];
  }

  /** The alarm named `name`; throws, listing the names there are, when there is none. */
  public get(name: string): cloudwatch.Alarm {
    const alarm = this.tryGet(name);
    if (!alarm) {
      throw new InferenceGuardError('ALARM_NOT_FOUND', 'GuardAlarms', [{
        prop: 'name', value: name, allowed: `one of ${this.names.join(', ') || '(no alarms)'}`,
        fix: 'ask for an alarm this construct created (the set depends on its props)',
      }]);
    }
    return alarm;
  }

  /** The alarm named `name`, or undefined when the construct did not create it. */
  public tryGet(name: string): cloudwatch.Alarm | undefined {
    return this.entries.find((e) => e.name === name)?.alarm;
  }
}

/** A construct that created CloudWatch alarms, and exposes them as `alarms`. */
export interface IAlarmSource {
  /** Every alarm the construct created (its parts' included), by name and meaning. */
  readonly alarms: GuardAlarms;
}
