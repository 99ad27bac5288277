import { Token } from 'aws-cdk-lib';
import { deriveLimits } from '../../lib/profile/limits';
import { limitsProblems } from '../../lib/profile/private/limits-problems';
import { profile } from '../support/profiles';

// limitsProblems on a limits object built or edited by hand, as a construct receives it: every
// problem in full (prop, value, what is allowed, the fix). The base is what deriveLimits gives the
// base profile on a generic backend (no problem), edited one number at a time.
const base = () => structuredClone(deriveLimits(profile(), {})) as any;
const edited = (edit: (l: any) => void) => {
  const l = base();
  edit(l);
  return l;
};
/** `path` (e.g. `waf.windowSeconds`) set to `value`. */
const withValue = (path: string, value: unknown) => edited((l) => {
  const keys = path.split('.');
  keys.slice(0, -1).reduce((o, k) => o[k], l)[keys[keys.length - 1]] = value;
});
const derive = 'or derive the limits with Limits.derive()';
const outOfRange = (prop: string, value: string, allowed: string) => ({ prop, value, allowed, fix: `set ${prop} to ${allowed}, ${derive}` });

describe('limitsProblems', () => {
  test('derived limits have none, under any prefix', () => {
    expect(limitsProblems(base())).toEqual([]);
    expect(limitsProblems(base(), 'props.limits')).toEqual([]);
  });

  test('not an object: one problem, under the prefix (limits by default)', () => {
    const notLimits = (prop: string, value: string) => [{ prop, value, allowed: 'an InferenceLimits object', fix: 'derive the limits with Limits.derive()' }];
    expect(limitsProblems(null as never)).toEqual(notLimits('limits', 'null'));
    expect(limitsProblems(5 as never, 'props.limits')).toEqual(notLimits('props.limits', '5'));
    expect(limitsProblems(undefined as never)).toEqual(notLimits('limits', 'undefined'));
  });

  // Each number: the values at its bounds allowed, one past each bound (or a fraction of an integer) refused.
  const table: Array<[string, unknown[], unknown[], string]> = [
    ['timeouts.integrationTimeoutMs', [50, 300_000], [49, 300_001, 50.5], 'an integer from 50 to 300000'],
    ['timeouts.modelServerTimeoutSeconds', [Number.MIN_VALUE, 0.5], [0, -1], 'a number > 0'],
    ['timeouts.nginxReadTimeoutSeconds', [1], [0, 1.5], 'an integer >= 1'],
    ['throttle.rateLimit', [0, 0.5], [-0.5], 'a number >= 0'],
    ['throttle.burstLimit', [0], [-1, 0.5], 'an integer >= 0'],
    ['waf.windowSeconds', [60, 120, 300, 600], [0, 30, 61, 600.5], '60, 120, 300, 600'],
    ['waf.rateLimitPerIp', [10, 2_000_000_000], [9, 2_000_000_001, 10.5], 'an integer from 10 to 2000000000'],
    // minInstances up to maxInstances (2).
    ['scaling.minInstances', [0, 2], [-1, 0.5], 'an integer >= 0'],
    ['scaling.maxInstances', [1, 1e6], [0, 1.5], 'an integer >= 1'],
    ['scaling.targetInvocationsPerInstancePerMinute', [Number.MIN_VALUE, 0.5], [0], 'a number > 0'],
    ['scaling.scaleOutCooldownSeconds', [0], [-1, 0.5], 'an integer >= 0'],
    ['scaling.scaleInCooldownSeconds', [0], [-1, 0.5], 'an integer >= 0'],
    ['payload.maxBodyBytes', [1, 1e9], [0, 1.5], 'an integer >= 1'],
    ['modelServer.maxBatchSize', [1], [0, 1.5], 'an integer >= 1'],
    ['modelServer.maxEnqueuedBatches', [1], [0, 1.5], 'an integer >= 1'],
    ['modelServer.batchTimeoutMicros', [0], [-1, 0.5], 'an integer >= 0'],
    ['alarms.api5xxRate', [0, 0.5, 1], [-0.01, 1.01], 'a number from 0 to 1'],
    ['alarms.api4xxRate', [0, 0.5, 1], [-0.01, 1.01], 'a number from 0 to 1'],
    ['alarms.apiLatencyP99Ms', [Number.MIN_VALUE, 0.5], [0], 'a number > 0'],
    ['alarms.integrationLatencyP99Ms', [Number.MIN_VALUE, 0.5], [0], 'a number > 0'],
    ['alarms.throttledPerMinute', [0, 0.5], [-0.5], 'a number >= 0'],
    ['alarms.wafBlockedPerMinute', [0, 0.5], [-0.5], 'a number >= 0'],
    ['alarms.modelLatencyP99Micros', [Number.MIN_VALUE, 0.5], [0], 'a number > 0'],
    ['alarms.backend5xxPerMinute', [0, 0.5], [-0.5], 'a number >= 0'],
    ['alarms.cpuUtilizationPercent', [0, 50.5, 100], [-0.5, 100.5], 'a number from 0 to 100'],
    ['alarms.memoryUtilizationPercent', [0, 50.5, 100], [-0.5, 100.5], 'a number from 0 to 100'],
    ['alarms.gpuUtilizationPercent', [0, 50.5, 100], [-0.5, 100.5], 'a number from 0 to 100'],
    ['alarms.gpuMemoryUtilizationPercent', [0, 50.5, 100], [-0.5, 100.5], 'a number from 0 to 100'],
  ];

  test.each(table)('%s', (path, allowed, refused, text) => {
    for (const v of allowed) expect(limitsProblems(withValue(path, v))).toEqual([]);
    for (const v of refused) expect(limitsProblems(withValue(path, v))).toEqual([outOfRange(`limits.${path}`, String(v), text)]);
    // Missing, null: what it may be, and how to get it.
    for (const [v, shown] of [[undefined, 'undefined'], [null, 'null']] as const) {
      expect(limitsProblems(withValue(path, v), 'p')).toEqual([{ prop: `p.${path}`, value: shown, allowed: text, fix: `set p.${path}, ${derive}` }]);
    }
    // NaN, an infinity, a token, a string: a plain number known at synth time.
    const concrete = (value: string) => [{ prop: `limits.${path}`, value, allowed: 'a finite number known at synth time', fix: `set limits.${path} to a plain number, ${derive}` }];
    expect(limitsProblems(withValue(path, NaN))).toEqual(concrete('NaN'));
    expect(limitsProblems(withValue(path, Infinity))).toEqual(concrete('Infinity'));
    expect(limitsProblems(withValue(path, Token.asNumber({ Ref: 'X' })))).toEqual(concrete('a CDK token (only known at deploy time)'));
    expect(limitsProblems(withValue(path, '5'))).toEqual(concrete('"5"'));
  });

  test('a group missing, null or not an object: each of its numbers missing', () => {
    const missing = (path: string, shown = 'undefined') => ({ prop: `limits.${path}`, value: shown, allowed: expect.any(String), fix: `set limits.${path}, ${derive}` });
    const timeouts = ['timeouts.integrationTimeoutMs', 'timeouts.modelServerTimeoutSeconds', 'timeouts.nginxReadTimeoutSeconds'].map((p) => missing(p));
    expect(limitsProblems(edited((l) => { delete l.timeouts; }))).toEqual(timeouts);
    expect(limitsProblems(edited((l) => { l.timeouts = null; }))).toEqual(timeouts);
    expect(limitsProblems(edited((l) => { l.timeouts = 5; }))).toEqual(timeouts);
    // A function carrying the numbers is no group either.
    expect(limitsProblems(edited((l) => { l.timeouts = Object.assign(() => 0, l.timeouts); }))).toEqual(timeouts);
    // Without scaling: its five numbers, and no order check on numbers that are not there.
    expect(limitsProblems(edited((l) => { delete l.scaling; })).map((p) => p.prop)).toEqual([
      'limits.scaling.minInstances', 'limits.scaling.maxInstances', 'limits.scaling.targetInvocationsPerInstancePerMinute',
      'limits.scaling.scaleOutCooldownSeconds', 'limits.scaling.scaleInCooldownSeconds',
    ]);
  });

  test('minInstances above maxInstances, checked only when both are valid', () => {
    const order = (min: number, max: number, prefix = 'limits') => ({ prop: `${prefix}.scaling.minInstances`, value: String(min), allowed: `<= scaling.maxInstances (${max})`, fix: 'lower minInstances or raise maxInstances' });
    const scaling = (min: unknown, max: unknown) => (l: any) => { l.scaling.minInstances = min; l.scaling.maxInstances = max; };
    expect(limitsProblems(edited(scaling(3, 2)))).toEqual([order(3, 2)]);
    expect(limitsProblems(edited(scaling(3, 2)), 'p')).toEqual([order(3, 2, 'p')]);
    expect(limitsProblems(edited(scaling(2, 2)))).toEqual([]);
    // Beside a problem elsewhere, even one in scaling: both.
    expect(limitsProblems(edited((l) => { scaling(3, 2)(l); l.waf.windowSeconds = 30; }))).toEqual([
      outOfRange('limits.waf.windowSeconds', '30', '60, 120, 300, 600'), order(3, 2),
    ]);
    expect(limitsProblems(edited((l) => { scaling(3, 2)(l); l.scaling.scaleInCooldownSeconds = -1; }))).toEqual([
      outOfRange('limits.scaling.scaleInCooldownSeconds', '-1', 'an integer >= 0'), order(3, 2),
    ]);
    // A minInstances or maxInstances that is itself invalid is reported once, not compared.
    expect(limitsProblems(edited(scaling(3.5, 2)))).toEqual([outOfRange('limits.scaling.minInstances', '3.5', 'an integer >= 0')]);
    // ... also beside a problem elsewhere.
    expect(limitsProblems(edited((l) => { scaling(3.5, 2)(l); l.waf.windowSeconds = 30; }))).toEqual([
      outOfRange('limits.waf.windowSeconds', '30', '60, 120, 300, 600'), outOfRange('limits.scaling.minInstances', '3.5', 'an integer >= 0'),
    ]);
    expect(limitsProblems(edited(scaling(3, NaN))).map((p) => p.prop)).toEqual(['limits.scaling.maxInstances']);
    expect(limitsProblems(edited(scaling(NaN, 2))).map((p) => p.prop)).toEqual(['limits.scaling.minInstances']);
  });

  test('usage-plan tiers: a list (possibly empty) of named tiers with valid numbers', () => {
    const notList = (value: string) => [{ prop: 'limits.usagePlanTiers', value, allowed: 'an array of tiers (possibly empty)', fix: 'derive the limits with Limits.derive()' }];
    expect(limitsProblems(edited((l) => { delete l.usagePlanTiers; }))).toEqual(notList('undefined'));
    expect(limitsProblems(edited((l) => { l.usagePlanTiers = { name: 'a' }; }))).toEqual(notList('{"name":"a"}'));
    expect(limitsProblems(edited((l) => { l.usagePlanTiers = []; }))).toEqual([]);
    const tiers = (...t: unknown[]) => edited((l) => { l.usagePlanTiers = t; });
    const ok = { name: 'gold', rateLimit: 0, burstLimit: 0, quotaPerDay: 0 };
    expect(limitsProblems(tiers(ok, { ...ok, name: 'x', rateLimit: 0.5 }))).toEqual([]);
    const unnamed = (i: number, value: string) => ({ prop: `limits.usagePlanTiers[${i}].name`, value, allowed: 'a non-empty name', fix: 'name the tier (it names the usage plan)' });
    expect(limitsProblems(tiers({ ...ok, name: '' }, { ...ok, name: ' \t' }, { ...ok, name: 5 }, ok))).toEqual([unnamed(0, '""'), unnamed(1, '" \\t"'), unnamed(2, '5')]);
    expect(limitsProblems(tiers(ok, { ...ok, rateLimit: -0.5, burstLimit: 0.5, quotaPerDay: -1 }))).toEqual([
      outOfRange('limits.usagePlanTiers[1].rateLimit', '-0.5', 'a number >= 0'),
      outOfRange('limits.usagePlanTiers[1].burstLimit', '0.5', 'an integer >= 0'),
      outOfRange('limits.usagePlanTiers[1].quotaPerDay', '-1', 'an integer >= 0'),
    ]);
    expect(limitsProblems(tiers({ ...ok, quotaPerDay: 1.5 }))).toEqual([outOfRange('limits.usagePlanTiers[0].quotaPerDay', '1.5', 'an integer >= 0')]);
    // A tier that is null: its name and each number missing.
    const missing = (k: string, allowed: string) => ({ prop: `limits.usagePlanTiers[0].${k}`, value: 'undefined', allowed, fix: `set limits.usagePlanTiers[0].${k}, ${derive}` });
    expect(limitsProblems(tiers(null))).toEqual([
      unnamed(0, 'undefined'), missing('rateLimit', 'a number >= 0'), missing('burstLimit', 'an integer >= 0'), missing('quotaPerDay', 'an integer >= 0'),
    ]);
  });
});
