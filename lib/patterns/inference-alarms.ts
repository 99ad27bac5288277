import { Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cwActions, aws_sns as sns } from 'aws-cdk-lib';
import { ProblemCollector } from '../core';
import { limitsProblems, AlarmThresholds, InferenceLimits, InferenceProfile } from '../profile';
import { Construct } from 'constructs';
import { InferenceApi } from '../api/inference-api';
import type { IInferenceBackend } from '../compute/backend';
import { GuardAlarmDefinition, buildGuardAlarms, graph } from '../alarms/guard-alarm-builder';
import { GuardAlarmSpec, describedWithRunbook } from '../alarms/alarm-factory';
import { GuardAlarms, IAlarmSource } from '../alarms/guard-alarms';
import { AlarmThresholdOverrides, resolveThresholds } from '../alarms/thresholds';

/** Props of `InferenceAlarms`. */
export interface InferenceAlarmsProps {
  /**
   * The guarded API.
   * @default - no API alarms and no under-attack alarm (an asynchronous backend reached through InvokeEndpointAsync)
   */
  readonly api?: InferenceApi;
  /**
   * The backend. Every backend builds its own alarms (`backend.alarms`); its saturation alarms
   * join the under-attack alarm and all of them the dashboard here.
   * @default - API alarms only
   */
  readonly backend?: IInferenceBackend;
  /** Limits the thresholds are derived from. */
  readonly limits: InferenceLimits;
  /**
   * The measured profile the limits were derived from (the steady-state values of the alarms).
   * @default - the backend's profile; required without a backend
   */
  readonly profile?: InferenceProfile;
  /** Topic every alarm notifies (on ALARM and OK). */
  readonly alarmTopic: sns.ITopic;
  /**
   * Threshold overrides; a given value wins over the derived one.
   * @default - all derived
   */
  readonly alarmThresholds?: AlarmThresholdOverrides;
  /**
   * Dashboard name.
   * @default - generated
   */
  readonly dashboardName?: string;
}

/**
 * CloudWatch alarms on the API and the SageMaker endpoint, thresholds from the limits, a
 * composite "under attack" alarm and a dashboard. Every alarm reads a catalog metric and records
 * its unit and its value in the designed steady state.
 */
export class InferenceAlarms extends Construct implements IAlarmSource {
  /**
   * The API alarms this construct created, by construct id; `ApiLatencyP99` and `Api5xxRate` mean
   * "saturated" (the backend's alarms stay in `backend.alarms`).
   */
  public readonly alarms: GuardAlarms;
  /** Rate limits are rejecting traffic AND the backend is saturated; only with an API. */
  public readonly underAttack?: cloudwatch.CompositeAlarm;
  /** API and backend metrics, with every alarm's state. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The thresholds in effect (derived, with the overrides applied). */
  public readonly thresholds: AlarmThresholds;

  constructor(scope: Construct, id: string, props: InferenceAlarmsProps) {
    super(scope, id);
    const { api, backend, limits } = props;
    const profile = props.profile ?? backend?.profile;
    const c = new ProblemCollector('ALARMS_PROPS_INVALID', this.node.path);
    c.require(profile !== undefined, 'profile', profile, 'the measured profile when no backend is given', 'pass the profile the limits were derived from');
    // Limits built or edited by hand: the thresholds come from them.
    c.addAll(limitsProblems(limits));
    c.throwIfAny();
    const t = resolveThresholds(limits.alarms, props.alarmThresholds);
    this.thresholds = t;
    const p99 = profile!.latencyMs.p99;
    const definitions: GuardAlarmDefinition[] = [];
    const API_SATURATION = ['ApiLatencyP99', 'Api5xxRate'];
    const add = (alarmId: string, spec: GuardAlarmSpec) => definitions.push({ id: alarmId, spec, saturation: API_SATURATION.includes(alarmId) });
    const none = (basis: string) => ({ value: 0, basis });

    if (api) {
      add('Api5xxRate', { metric: api.metric5xxRate(), threshold: t.api5xxRate, unit: 'Fraction', evaluationPeriods: 5, datapointsToAlarm: 3, description: `API 5XX share above ${t.api5xxRate * 100} %: the backend is failing or timing out.`, atRest: none('the backend answers every admitted request') });
      add('Api4xxRate', { metric: api.metric4xxRate(), threshold: t.api4xxRate, unit: 'Fraction', evaluationPeriods: 5, datapointsToAlarm: 3, description: `API 4XX share above ${t.api4xxRate * 100} % (includes 429 throttling and WAF blocks): clients are misbehaving or being limited.`, atRest: none('well-formed requests within the rate limits') });
      add('ApiLatencyP99', { metric: api.metricLatencyP99(), threshold: t.apiLatencyP99Ms, unit: 'Milliseconds', evaluationPeriods: 5, datapointsToAlarm: 3, description: `API p99 latency above ${t.apiLatencyP99Ms} ms, close to the ${limits.timeouts.integrationTimeoutMs} ms integration timeout.`, atRest: { value: p99, basis: `the profiled p99 (${p99} ms)` } });
      add('IntegrationLatencyP99', { metric: api.metricIntegrationLatencyP99(), threshold: t.integrationLatencyP99Ms, unit: 'Milliseconds', evaluationPeriods: 5, datapointsToAlarm: 3, description: `Integration p99 latency above ${t.integrationLatencyP99Ms} ms: requests are about to time out (504).`, atRest: { value: p99, basis: `the profiled p99 (${p99} ms)` } });
      add('ThrottledSpike', { metric: api.metricThrottled(), threshold: t.throttledPerMinute, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2, description: `More than ${t.throttledPerMinute} throttled (429) responses per minute.`, atRest: none('nominal load stays under the stage rate (headroom below measured capacity)') });
      add('WafBlocked', { metric: api.metricWafBlocked(), threshold: t.wafBlockedPerMinute, unit: 'Count', evaluationPeriods: 3, datapointsToAlarm: 2, description: `WAF blocked more than ${t.wafBlockedPerMinute} requests per minute (per-IP rate rule or oversize requests).`, atRest: none('no client exceeds the per-IP allowance or the body cap') });
    }
    this.alarms = buildGuardAlarms(this, definitions, [], props.alarmTopic);

    const saturation = backend?.alarms.saturation ?? [];
    const apiSaturation = this.alarms.saturation;
    if (api) {
      const any = (list: cloudwatch.IAlarm[]) => cloudwatch.AlarmRule.anyOf(...list.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM)));
      this.underAttack = new cloudwatch.CompositeAlarm(this, 'UnderAttack', {
        alarmRule: cloudwatch.AlarmRule.allOf(any([this.alarms.get('ThrottledSpike'), this.alarms.get('WafBlocked')]), any([...saturation, ...apiSaturation])),
        alarmDescription: describedWithRunbook(this, 'UnderAttack', 'Under attack: rate limits are rejecting traffic AND the backend is saturated (at its scaling maximum, slow, or failing).'),
      });
      const action = new cwActions.SnsAction(props.alarmTopic);
      this.underAttack.addAlarmAction(action);
      this.underAttack.addOkAction(action);
    }

    const statusAlarms: cloudwatch.IAlarm[] = [...(this.underAttack ? [this.underAttack] : []), ...this.alarms.monitoring, ...(backend?.alarms.monitoring ?? [])];
    const backendWidgets = backend?.alarms.widgets ?? [];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: statusAlarms, width: 24 })],
        ...(api ? [
          [graph('Requests', [api.metricCount()]), graph('Throttled / WAF blocked', [api.metricThrottled(), api.metricWafBlocked()]), graph('Error rates', [api.metric4xxRate(), api.metric5xxRate()])],
          [graph('API latency p99 (ms)', [api.metricLatencyP99(), api.metricIntegrationLatencyP99()], t.apiLatencyP99Ms)],
        ] : []),
        ...chunk(backendWidgets, 3),
      ],
    });
  }
}

/** Rows of at most `n` widgets. */
function chunk<T>(items: readonly T[], n: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += n) rows.push(items.slice(i, i + n));
  return rows;
}
