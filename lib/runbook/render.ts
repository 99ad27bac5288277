import type { CfnTemplate } from '../nag/template/template-model';
import { ALARM_METADATA_KEY, runbookAnchor } from '../alarms/alarm-factory';
import { StackLogGroup, referencesIn, refTarget, stackLogGroups } from './private/log-groups';
import { RunbookCheck, RunbookLimit, playbook } from './private/playbooks';

/** The runbook section of one alarm. */
export interface RunbookSection {
  readonly alarmLogicalId: string;
  /** Markdown anchor of the section (`#alarm-...`). */
  readonly anchor: string;
  /** The one-line summary: the alarm description's first sentence. */
  readonly summary: string;
  /** What the alarm means. */
  readonly meaning: string;
  /** When it fires, and the numbers behind the threshold. */
  readonly threshold: string;
  /** The first three things to check. */
  readonly checks: readonly RunbookCheck[];
  /** The limit to change. */
  readonly limit: RunbookLimit;
}

/** A runbook: one section per alarm of the template, and the log groups its queries run in. */
export interface Runbook {
  readonly title: string;
  readonly sections: readonly RunbookSection[];
  readonly logGroups: readonly StackLogGroup[];
  readonly markdown: string;
}

type Props = Record<string, unknown>;
/** A metric an alarm reads; `id` is its name in the alarm's math expression. */
interface MetricRef { namespace: string; name: string; dims: string; stat: string; period: number; id?: string }

export { runbookAnchor };

function show(value: unknown): string {
  const t = refTarget(value);
  if (t) return `<${t}>`;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function dims(list: unknown): string {
  return ((list as Array<{ Name: string; Value: unknown }> | undefined) ?? []).map((d) => `${d.Name}=${show(d.Value)}`).join(', ');
}

function metricsOf(p: Props): MetricRef[] {
  if (typeof p.MetricName === 'string') {
    return [{ namespace: String(p.Namespace), name: p.MetricName, dims: dims(p.Dimensions), stat: String(p.ExtendedStatistic ?? p.Statistic), period: Number(p.Period) }];
  }
  return ((p.Metrics as Array<{ Id?: string; MetricStat?: { Metric: Props; Stat: string; Period: number } }> | undefined) ?? [])
    .filter((m) => m.MetricStat)
    .map((m) => ({ namespace: String(m.MetricStat!.Metric.Namespace), name: String(m.MetricStat!.Metric.MetricName), dims: dims(m.MetricStat!.Metric.Dimensions), stat: m.MetricStat!.Stat, period: m.MetricStat!.Period, id: m.Id }));
}

/** A period as the CloudWatch console names a graph's resolution: "1-minute", "5-minute", "10-second". */
function resolution(periodSeconds: number): string {
  if (!Number.isFinite(periodSeconds) || periodSeconds <= 0) return 'the alarm\'s';
  return periodSeconds % 60 === 0 ? `${periodSeconds / 60}-minute` : `${periodSeconds}-second`;
}

function metricText(m: MetricRef): string {
  return `${m.namespace} ${m.name} {${m.dims}} ${m.stat} per ${m.period} s`;
}

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '>=', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=',
};

function firstSentence(text: string): string {
  const m = /^(.*?[.!?])(\s|$)/s.exec(text.trim());
  return (m ? m[1] : text.trim()).replace(/\s+/g, ' ');
}

/**
 * Renders the runbook of a synthesized template: a section per CloudWatch alarm (and composite
 * alarm) with its meaning, the numbers behind its threshold (the template's threshold and
 * periods, and the steady-state value the construct recorded in the alarm's metadata), the first
 * three checks (the alarm's metric, then Logs Insights queries on the log groups the stack creates,
 * or related metrics when it creates none), and the limit to change with the `kig` command that
 * re-derives it. Works on any template; everything is read from it.
 */
export function renderRunbook(template: CfnTemplate, title: string): Runbook {
  const logGroups = stackLogGroups(template);
  const resources = template.Resources;
  // Every resource's references, and every alarm's, read once: each alarm's section looks at all of them.
  const index = referenceIndex(template);
  const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm');
  const sections: RunbookSection[] = [];
  for (const [id, r] of alarms) {
    const p = (r.Properties ?? {}) as Props;
    const meta = (r.Metadata?.[ALARM_METADATA_KEY] ?? undefined) as { unit?: string; atRest?: number; atRestBasis?: string } | undefined;
    // The constructs end each description with the pointer to this section; the section itself does not need it.
    const description = String(p.AlarmDescription ?? 'Alarm without a description.').replace(/ Runbook: section #alarm-[a-z0-9]+\.$/, '');
    if (r.Type === 'AWS::CloudWatch::CompositeAlarm') {
      const members = [...referencesIn(p.AlarmRule)].filter((m) => resources[m]);
      sections.push({
        alarmLogicalId: id, anchor: runbookAnchor(id), summary: firstSentence(description), meaning: description,
        threshold: `Fires when its rule holds: ${show(p.AlarmRule)}.`,
        checks: members.slice(0, 3).map((m) => ({ what: `Member alarm ${m}: its own section`, metric: `see #${runbookAnchor(m)}` })),
        limit: { prop: 'headroom and maxInstances (capacity the API admits), usagePlanTiers', command: 'kig limits --profile <profile.json> --max-instances <N>' },
      });
      continue;
    }
    const metrics = metricsOf(p);
    const expression = ((p.Metrics as Array<{ Expression?: string; ReturnData?: boolean }> | undefined) ?? []).find((m) => m.Expression && m.ReturnData !== false)?.Expression;
    const own: RunbookCheck = {
      // At the period the alarm evaluates (60 s for most, 300 s for the reconciler's errors).
      what: `The alarm's own metric, at ${resolution(metrics[0]?.period ?? Number(p.Period))} resolution over the last 3 hours`,
      // The expression names its metrics by their Id (MetricDataQuery), so each is shown under it.
      metric: expression ? `${expression} where ${metrics.map((m, i) => `${m.id ?? `m${i + 1}`} = ${metricText(m)}`).join('; ')}` : metrics.map(metricText).join('; '),
    };
    const refs = index.alarmRefs(id);
    const related = relatedLogGroups(template, refs, logGroups, index);
    const family = metrics[0]?.namespace ?? '';
    const book = playbook(family.startsWith('KerasInferenceGuard/GPU') ? 'CWAgent' : family, { metricName: metrics[0]?.name, logs: related });
    const checks = [own, ...book.checks];
    // Fewer than three: add the metrics of the other alarms on the same resources, then of the same construct
    // (the alarms whose logical ids share the longest prefix with this one: CDK builds them from the construct path).
    const common = (a: string) => { let i = 0; while (i < a.length && a[i] === id[i]) i++; return i; };
    const others = alarms.filter(([o, other]) => o !== id && other.Type === 'AWS::CloudWatch::Alarm')
      .sort(([a], [b]) => Number(shares(index.alarmRefs(b), refs)) - Number(shares(index.alarmRefs(a), refs)) || common(b) - common(a));
    for (const [otherId, other] of others) {
      if (checks.length >= 3) break;
      const op = (other.Properties ?? {}) as Props;
      const m = metricsOf(op)[0];
      if (m && !checks.some((c) => c.metric?.includes(`${m.namespace} ${m.name} `))) checks.push({ what: `A related metric (alarm ${otherId})`, metric: metricText(m) });
    }
    const unit = meta?.unit ? ` ${meta.unit}` : '';
    const periods = `${p.DatapointsToAlarm ?? p.EvaluationPeriods} of ${p.EvaluationPeriods} periods of ${metrics[0]?.period ?? '?'} s`;
    const rest = meta?.atRest !== undefined ? ` In the designed steady state the metric is ${meta.atRest}${unit} (${meta.atRestBasis}).` : ' It has no recorded steady-state value (a scaling alarm: it drives capacity, not a page).';
    sections.push({
      alarmLogicalId: id, anchor: runbookAnchor(id), summary: firstSentence(description), meaning: description,
      threshold: `Fires when the value is ${COMPARISON[String(p.ComparisonOperator)] ?? String(p.ComparisonOperator)} ${show(p.Threshold)}${unit} in ${periods}; missing data is ${String(p.TreatMissingData ?? 'missing')}.${rest}`,
      checks: checks.slice(0, 3),
      limit: book.limit,
    });
  }
  return { title, sections, logGroups, markdown: toMarkdown(title, sections, logGroups) };
}

function shares(alarmRefs: ReadonlySet<string>, refs: ReadonlySet<string>): boolean {
  for (const x of alarmRefs) if (refs.has(x)) return true;
  return false;
}

/** What the sections read over and over, computed once per template (each resource walked once). */
interface ReferenceIndex {
  /** Logical ids an alarm's dimensions or metrics name. */
  alarmRefs(alarmId: string): ReadonlySet<string>;
  /** Resources other than CloudWatch ones, with the logical ids their properties name. */
  readonly resourceRefs: ReadonlyArray<readonly [string, ReadonlySet<string>]>;
  /** Lambda functions, with the logical ids their environment names. */
  readonly functionEnvRefs: ReadonlyArray<readonly [string, ReadonlySet<string>]>;
  /** Event source mappings: the logical id of the event source, and of the function it feeds ('' when not a reference). */
  readonly eventSources: ReadonlyArray<readonly [string, string]>;
}

function referenceIndex(template: CfnTemplate): ReferenceIndex {
  const alarms = new Map<string, Set<string>>();
  const resourceRefs: Array<readonly [string, ReadonlySet<string>]> = [];
  const functionEnvRefs: Array<readonly [string, ReadonlySet<string>]> = [];
  const eventSources: Array<readonly [string, string]> = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type.startsWith('AWS::CloudWatch::')) continue;
    const p = (r.Properties ?? {}) as Props;
    resourceRefs.push([id, referencesIn(r.Properties)]);
    if (r.Type === 'AWS::Lambda::Function') functionEnvRefs.push([id, referencesIn(p.Environment)]);
    if (r.Type === 'AWS::Lambda::EventSourceMapping') {
      const source = refTarget(p.EventSourceArn);
      if (source) eventSources.push([source, refTarget(p.FunctionName) ?? '']);
    }
  }
  return {
    alarmRefs: (alarmId) => {
      let refs = alarms.get(alarmId);
      if (!refs) {
        const p = (template.Resources[alarmId]?.Properties ?? {}) as Props;
        refs = referencesIn(p.Dimensions ?? p.Metrics);
        alarms.set(alarmId, refs);
      }
      return refs;
    },
    resourceRefs,
    functionEnvRefs,
    eventSources,
  };
}

/** Log groups related to the resources an alarm names: their own logs, the logs of functions that read them, and the API's. */
function relatedLogGroups(template: CfnTemplate, named: ReadonlySet<string>, all: readonly StackLogGroup[], index: ReferenceIndex): Record<StackLogGroup['kind'], StackLogGroup[]> {
  // One step out: resources that point at the named ones (a queue whose redrive targets a dead-letter queue).
  const refs = new Set(named);
  for (const [id, targets] of index.resourceRefs) {
    if (shares(targets, named)) refs.add(id);
  }
  const near = new Set(refs);
  for (const id of refs) {
    const r = template.Resources[id];
    // An ECS service leads to its task definition (the container logs).
    const td = refTarget((r?.Properties as Props | undefined)?.TaskDefinition);
    if (td) near.add(td);
  }
  for (const [fid, env] of index.functionEnvRefs) {
    if (shares(env, refs)) near.add(fid);
  }
  // Functions that consume a named queue (its workers): last among the function logs, where the
  // playbooks look for the worker (other functions that only name a queue come first).
  const consumers = new Set<string>();
  for (const [source, fn] of index.eventSources) {
    if (refs.has(source)) {
      near.add(fn);
      consumers.add(fn);
    }
  }
  const pick = (kind: StackLogGroup['kind']) => {
    const own = all.filter((g) => g.kind === kind && near.has(g.writer));
    if (kind === 'lambda') own.sort((a, b) => Number(consumers.has(a.writer)) - Number(consumers.has(b.writer)));
    // API, WAF and container logs also serve alarms on other resources of the same path.
    return own.length > 0 || kind === 'lambda' ? own : all.filter((g) => g.kind === kind);
  };
  return { 'api-access': pick('api-access'), waf: pick('waf'), lambda: pick('lambda'), container: pick('container') };
}

function toMarkdown(title: string, sections: readonly RunbookSection[], logGroups: readonly StackLogGroup[]): string {
  const out: string[] = [`# Runbook: ${title}`, '',
    'One section per alarm. Names in angle brackets are resources of the stack (logical ids): find the',
    'physical name with `aws cloudformation describe-stack-resource --stack-name <stack> --logical-resource-id <id>`.',
    'Queries are CloudWatch Logs Insights; run them on the named log group.', '', '| alarm | summary |', '|---|---|'];
  for (const s of sections) out.push(`| [${s.alarmLogicalId}](#${s.anchor}) | ${s.summary.replace(/\|/g, '\\|')} |`);
  out.push('');
  for (const s of sections) {
    out.push(`<a id="${s.anchor}"></a>`, `## ${s.alarmLogicalId}`, '', `**Meaning.** ${s.meaning}`, '', `**Threshold.** ${s.threshold}`, '', '**First three checks.**', '');
    s.checks.forEach((c, i) => {
      out.push(`${i + 1}. ${c.what}:`);
      if (c.metric) out.push(`   metric \`${c.metric}\``);
      if (c.query) out.push(`   Logs Insights on log group \`<${c.query.logGroup}>\`:`, '', '   ```text', `   ${c.query.text}`, '   ```');
    });
    out.push('', `**Limit to change.** ${s.limit.prop}; re-derive with \`${s.limit.command}\`.`, '');
  }
  if (logGroups.length > 0) {
    out.push('## Log groups', '', '| log group | written by | kind |', '|---|---|---|');
    for (const g of logGroups) out.push(`| <${g.logicalId}> | <${g.writer}> | ${g.kind} |`);
    out.push('');
  }
  return out.join('\n');
}
