import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ALARM_METADATA_KEY, breaches } from '../../lib/alarms/alarm-factory';
import { catalogUnit, findCatalogEntry } from '../../lib/alarms/metric-catalog';
import { EXAMPLES, exampleAssemblyDir } from '../support/examples';

/** One alarm of a synthesized template, with the metadata the factory wrote. */
export interface TemplateAlarm {
  readonly where: string;
  readonly props: Record<string, any>;
  readonly meta?: { unit: string; scale: number; atRest: number; atRestBasis: string };
}

/** One metric an alarm reads. */
interface MetricRead { namespace: string; metricName: string; dimensions: string[]; stat: string }

const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');

/** Every example app, synthesized once per test file (without the rule packs' report, which other tests check). */
export function synthExamples(): Array<{ name: string; app: App; templates: Array<{ stack: string; template: any }> }> {
  const names = fs.readdirSync(EXAMPLES_DIR).filter((d) => fs.existsSync(path.join(EXAMPLES_DIR, d, 'app.ts')));
  return names.map((name) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require(path.join(EXAMPLES_DIR, name, 'app.ts')) as { buildApp: (app?: App) => App };
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `kig-alarms-${name}-`));
    const app = buildApp(new App({ outdir }));
    const assembly = app.synth();
    return { name, app, templates: assembly.stacks.map((s) => ({ stack: s.stackName, template: s.template })) };
  });
}

/**
 * The templates of every example app, read from the assemblies the test run shares
 * (exampleAssemblyDir: synthesized once per run by examples.test.ts), for checks that need no
 * construct tree.
 */
export function exampleTemplates(): Array<{ name: string; templates: Array<{ stack: string; template: any }> }> {
  return EXAMPLES.map((name) => ({
    name,
    templates: new CloudAssembly(exampleAssemblyDir(name)).stacks.map((s) => ({ stack: s.stackName, template: s.template })),
  }));
}

/** The alarms (not composite alarms) of a template. */
export function alarmsOf(stack: string, template: any): TemplateAlarm[] {
  return Object.entries<any>(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, r]) => ({ where: `${stack}/${id}`, props: r.Properties, meta: r.Metadata?.[ALARM_METADATA_KEY] }));
}

function reads(props: Record<string, any>): MetricRead[] {
  if (props.MetricName) {
    return [{
      namespace: props.Namespace, metricName: props.MetricName,
      dimensions: (props.Dimensions ?? []).map((d: any) => d.Name), stat: props.Statistic ?? props.ExtendedStatistic,
    }];
  }
  return (props.Metrics ?? []).filter((m: any) => m.MetricStat).map((m: any) => ({
    namespace: m.MetricStat.Metric.Namespace, metricName: m.MetricStat.Metric.MetricName,
    dimensions: (m.MetricStat.Metric.Dimensions ?? []).map((d: any) => d.Name), stat: m.MetricStat.Stat,
  }));
}

/**
 * What is wrong with one alarm against the metric catalog: a metric whose namespace, name and
 * dimension names match no entry (it reads a series AWS never publishes), a statistic the entry
 * does not describe, a threshold in another unit than the metric's, or out of the unit's range.
 */
export function catalogProblems(a: TemplateAlarm): string[] {
  const out: string[] = [];
  const metrics = reads(a.props);
  if (metrics.length === 0) out.push(`${a.where}: reads no metric`);
  for (const m of metrics) {
    const entry = findCatalogEntry(m.namespace, m.metricName, m.dimensions);
    if (!entry) {
      out.push(`${a.where}: ${m.namespace} ${m.metricName} [${m.dimensions.sort().join(', ')}] is not in the metric catalog`);
      continue;
    }
    const unit = catalogUnit(entry, m.stat);
    if (!unit) out.push(`${a.where}: statistic ${m.stat} of ${m.metricName} is not in the catalog`);
    const single = a.props.MetricName !== undefined || (a.props.Metrics ?? []).length === 1;
    if (single && a.meta && unit && unit !== a.meta.unit) out.push(`${a.where}: threshold in ${a.meta.unit}, but ${m.metricName} ${m.stat} is in ${unit}`);
  }
  if (!a.meta) {
    out.push(`${a.where}: no ${ALARM_METADATA_KEY} metadata (not built by the alarm factory)`);
    return out;
  }
  const t = a.props.Threshold;
  if (typeof t !== 'number' || t < 0) out.push(`${a.where}: threshold ${t} is not a non-negative number`);
  if (a.meta.unit === 'Fraction' && t > 1) out.push(`${a.where}: threshold ${t} is not a share (0..1)`);
  if (a.meta.unit === 'Percent' && t > 100 * a.meta.scale) out.push(`${a.where}: threshold ${t} % is above 100 x ${a.meta.scale}`);
  return out;
}

/** What is wrong with one alarm at rest: its threshold is breached by the metric's steady-state value. */
export function restProblems(a: TemplateAlarm): string[] {
  if (!a.meta) return [`${a.where}: no steady-state value recorded`];
  if (!Number.isFinite(a.meta.atRest) || a.meta.atRestBasis.startsWith('not stated')) return [`${a.where}: steady state not stated (${a.meta.atRestBasis})`];
  return breaches(a.props.ComparisonOperator, a.meta.atRest, a.props.Threshold)
    ? [`${a.where}: ${a.props.ComparisonOperator} ${a.props.Threshold} is breached at rest (${a.meta.atRest}: ${a.meta.atRestBasis})`]
    : [];
}
