import { App, CfnResource, Stack, aws_cloudwatch as cw } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import * as lib from '../../lib';
import { GuardAlarms } from '../../lib';
import { synthExamples } from './template-alarms';

/**
 * Every construct of this library that created CloudWatch alarms exposes them one way: an
 * `alarms` member that is a `GuardAlarms`, listing exactly the AWS::CloudWatch::Alarm resources of
 * the synthesized template under that construct's path, each by a name that finds it again.
 */

/** The construct classes the library exports. */
const LIBRARY_CONSTRUCTS = Object.entries(lib)
  .filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Construct)
  .map(([name, v]) => ({ name, type: v as abstract new (...args: never[]) => Construct }));

/** Construct path of every alarm resource in the synthesized templates, found through its logical id. */
function templateAlarmPaths(app: App, templates: Array<{ stack: string; template: any }>): string[] {
  const byLogicalId = new Map<string, string>();
  for (const c of app.node.findAll()) {
    if (c instanceof CfnResource && c.cfnResourceType === 'AWS::CloudWatch::Alarm') {
      byLogicalId.set(`${Stack.of(c).stackName}/${Stack.of(c).resolve(c.logicalId)}`, c.node.path);
    }
  }
  return templates.flatMap((t) => Object.entries<any>(t.template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id]) => {
      const p = byLogicalId.get(`${t.stack}/${id}`);
      if (!p) throw new Error(`${t.stack}/${id}: an alarm resource with no construct`);
      return p;
    }));
}

const pathOf = (a: cw.Alarm) => (a.node.defaultChild as IConstruct).node.path;
const under = (paths: string[], c: IConstruct) => paths.filter((p) => p.startsWith(`${c.node.path}/`)).sort();

describe.each(synthExamples().map((e) => [e.name, e] as const))('example %s', (_name, e) => {
  const alarmPaths = templateAlarmPaths(e.app, e.templates);
  const owners = e.app.node.findAll().flatMap((c) => {
    // Named after its own class when the library exports it, else after the library class it extends.
    const cls = LIBRARY_CONSTRUCTS.find((k) => c.constructor === k.type) ?? LIBRARY_CONSTRUCTS.find((k) => c instanceof k.type);
    return cls && under(alarmPaths, c).length > 0 ? [{ construct: c, cls: cls.name }] : [];
  });

  test('has alarms and constructs that own them', () => {
    expect(alarmPaths.length).toBeGreaterThan(0);
    expect(owners.length).toBeGreaterThan(0);
  });

  test('every library construct with alarms under it exposes exactly those as `alarms: GuardAlarms`', () => {
    for (const { construct, cls } of owners) {
      const alarms = (construct as unknown as { alarms?: unknown }).alarms;
      expect([cls, alarms instanceof GuardAlarms]).toEqual([cls, true]);
      const set = alarms as GuardAlarms;
      expect([cls, set.all.map(pathOf).sort()]).toEqual([cls, under(alarmPaths, construct)]);
      // Each alarm is found again by its name, and the lists are subsets of `all`.
      expect(set.names.map((n) => set.get(n))).toEqual(set.all);
      for (const a of [...set.saturation, ...set.scaling, ...set.monitoring]) expect(set.all).toContain(a);
      expect(set.monitoring.length + set.scaling.length).toBe(set.all.length);
    }
  });

  test('every alarm of the example belongs to a library construct that exposes it', () => {
    const exposed = new Set(owners.flatMap(({ construct }) => (construct as unknown as { alarms: GuardAlarms }).alarms.all.map(pathOf)));
    expect(alarmPaths.filter((p) => !exposed.has(p))).toEqual([]);
  });
});

describe('GuardAlarms', () => {
  const alarm = (s: Stack, id: string) => new cw.Alarm(s, id, { metric: new cw.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });

  test('a missing name is an error that lists the names there are', () => {
    const s = new Stack(new App(), 'S');
    const set = new GuardAlarms({ entries: [{ name: 'A', alarm: alarm(s, 'A') }, { name: 'B', alarm: alarm(s, 'B'), saturation: true }] });
    expect(set.tryGet('C')).toBeUndefined();
    expect(() => set.get('C')).toThrow(/name = C: allowed one of A, B/);
    expect(set.saturation).toEqual([set.get('B')]);
  });

  test('names are unique, also across merged sets', () => {
    const s = new Stack(new App(), 'S');
    const one = new GuardAlarms({ entries: [{ name: 'A', alarm: alarm(s, 'A1') }] });
    const two = new GuardAlarms({ entries: [{ name: 'A', alarm: alarm(s, 'A2') }] });
    expect(() => GuardAlarms.merge([one, two])).toThrow(/ALARM_NAMES_NOT_UNIQUE[\s\S]*entries = A/);
  });
});
