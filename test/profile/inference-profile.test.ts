import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceGuardError } from '../../lib/core';
import { Lazy, Token } from 'aws-cdk-lib';
import { InferenceProfile, PROFILE_METADATA_KEY, recordProfile } from '../../lib/profile';
import { BASE_PROFILE } from '../support/profiles';

function tmpFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-profile-'));
  const file = path.join(dir, 'profile.json');
  fs.writeFileSync(file, content);
  return file;
}

function errorOf(fn: () => unknown): InferenceGuardError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InferenceGuardError);
    return e as InferenceGuardError;
  }
  throw new Error('expected an error');
}

describe('InferenceProfile', () => {
  test('builds in code and round-trips through JSON', () => {
    const p = InferenceProfile.of(BASE_PROFILE);
    const again = InferenceProfile.fromJson(JSON.parse(JSON.stringify(p.toJson())));
    expect(again.toJson()).toEqual(p.toJson());
    expect(again.latencyMs.p99).toBe(41);
    expect(again.provenance.tool).toBe('manual');
  });

  test('loads a file', () => {
    const file = tmpFile(JSON.stringify({ schemaVersion: 1, ...BASE_PROFILE }));
    expect(InferenceProfile.fromFile(file).throughputPerInstanceRps).toBe(180);
  });

  test('a bad file names the field, the value and what is expected, for every problem at once', () => {
    const file = tmpFile(JSON.stringify({ ...BASE_PROFILE, throughputPerInstanceRps: -3, sustainableConcurrency: 2.5, latencyMs: { p50: 30, p90: 20, p99: 40 }, extraField: 1 }));
    const e = errorOf(() => InferenceProfile.fromFile(file));
    expect(e.code).toBe('PROFILE_INVALID');
    expect(e.path).toBe(file);
    const props = e.problems.map((p) => p.prop);
    expect(props).toEqual(expect.arrayContaining(['throughputPerInstanceRps', 'sustainableConcurrency', 'latencyMs', 'extraField']));
    expect(e.message).toContain('throughputPerInstanceRps = -3: allowed a number from 0.001');
    expect(e.message).toContain('sustainableConcurrency = 2.5: allowed an integer');
    expect(e.message).toContain('p50 <= p90 <= p99');
  });

  test('missing fields are reported', () => {
    const e = errorOf(() => InferenceProfile.fromJson({ model: 'm' }, 'x.json'));
    expect(e.problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['hardware', 'latencyMs', 'maxRequestBytes', 'coldStartSeconds']));
  });

  test('invalid JSON syntax and unreadable files give clear errors', () => {
    expect(errorOf(() => InferenceProfile.fromFile(tmpFile('{"model": '))).message).toContain('valid JSON');
    expect(errorOf(() => InferenceProfile.fromFile('/nonexistent/profile.json')).code).toBe('PROFILE_UNREADABLE');
    expect(errorOf(() => InferenceProfile.fromJson([1, 2])).problems[0].allowed).toBe('a JSON object');
  });

  test('a future schema version is refused', () => {
    expect(errorOf(() => InferenceProfile.fromJson({ ...BASE_PROFILE, schemaVersion: 2 })).problems[0].prop).toBe('schemaVersion');
  });
});

// Every problem of the profile check in full (prop, value, what is allowed, the fix), each number at
// its bounds, and what the profile keeps and writes back.
describe('InferenceProfile problems, in full', () => {
  const problemsOf = (props: Record<string, unknown>) => errorOf(() => InferenceProfile.of({ ...BASE_PROFILE, ...props } as never)).problems;
  const measure = (key: string, value: string, allowed: string) => ({ prop: key, value, allowed, fix: `measure it with \`kig profile\` or set "${key}"` });

  test('in code: the error names InferenceProfile and lists every problem', () => {
    const e = errorOf(() => InferenceProfile.of({ ...BASE_PROFILE, model: '', coldStartSeconds: -1 }));
    expect([e.code, e.path]).toEqual(['PROFILE_INVALID', 'InferenceProfile']);
    expect(e.message).toBe([
      '[PROFILE_INVALID] invalid inference profile:',
      '  - model = "": allowed a non-empty string. Fix: set "model"',
      '  - coldStartSeconds = -1: allowed a number from 0 to 86400 (seconds). Fix: measure it with `kig profile` or set "coldStartSeconds"',
    ].join('\n'));
  });

  test('model and hardware: non-empty strings', () => {
    const named = (key: string, value: string) => ({ prop: key, value, allowed: 'a non-empty string', fix: `set "${key}"` });
    expect(problemsOf({ model: '', hardware: 5 })).toEqual([named('model', '""'), named('hardware', '5')]);
    expect(problemsOf({ model: undefined })).toEqual([named('model', 'undefined')]);
    expect(InferenceProfile.of({ ...BASE_PROFILE, model: 'm', hardware: 'h' }).hardware).toBe('h');
  });

  // Each measured number: its bounds allowed, one past each (or a fraction of an integer) refused.
  test.each([
    ['sustainableConcurrency', [1, 100_000], [0, 100_001, 1.5, '8', NaN], 'an integer from 1 to 100000 (concurrent requests)'],
    ['throughputPerInstanceRps', [0.001, 1_000_000, 0.5], [0.0009, 1_000_001, Infinity, '180'], 'a number from 0.001 to 1000000 (requests per second)'],
    ['peakHostMemoryMiB', [1, 4_194_304, 1.5], [0.5, 4_194_305], 'a number from 1 to 4194304 (MiB)'],
    ['peakGpuMemoryMiB', [0, 4_194_304, 0.5], [-0.5, 4_194_305], 'a number from 0 to 4194304 (MiB)'],
    ['coldStartSeconds', [0, 86_400, 0.5], [-0.5, 86_401], 'a number from 0 to 86400 (seconds)'],
    ['maxRequestBytes', [1, 1_073_741_824], [0, 1_073_741_825, 1.5], 'an integer from 1 to 1073741824 (bytes)'],
  ] as Array<[string, number[], unknown[], string]>)('%s', (key, allowed, refused, text) => {
    for (const v of allowed) expect((InferenceProfile.of({ ...BASE_PROFILE, [key]: v }) as any)[key]).toBe(v);
    for (const v of refused) expect(problemsOf({ [key]: v })).toEqual([measure(key, typeof v === 'string' ? JSON.stringify(v) : String(v), text)]);
  });

  test('a CDK token is refused by name, once, as a number or a string', () => {
    const token = (key: string, kind: string) => ({
      prop: key, value: 'a CDK token (only known at deploy time)', allowed: `a plain ${kind} known at synth time`,
      fix: `give "${key}" the measured value itself: every limit is derived from the profile at synth time`,
    });
    expect(problemsOf({ hardware: Token.asString({ Ref: 'Hw' }), maxRequestBytes: Token.asNumber({ Ref: 'Max' }) }))
      .toEqual([token('hardware', 'string'), token('maxRequestBytes', 'number')]);
    expect(problemsOf({ latencyMs: { p50: 18, p90: Token.asNumber({ Ref: 'P90' }), p99: 41 } })).toEqual([token('latencyMs.p90', 'number')]);
    // A token that is neither a number nor a string is no string either.
    const lazy = Lazy.any({ produce: () => 'm' });
    expect(problemsOf({ model: lazy })).toEqual([{ prop: 'model', value: expect.any(String), allowed: 'a non-empty string', fix: 'set "model"' }]);
  });

  test('latencyMs: an object of three percentiles above 0 ms, at most an hour, that do not decrease', () => {
    const notObject = (value: string) => [{ prop: 'latencyMs', value, allowed: 'an object {p50, p90, p99} in milliseconds', fix: 'set "latencyMs"' }];
    expect(problemsOf({ latencyMs: null })).toEqual(notObject('null'));
    expect(problemsOf({ latencyMs: 18 })).toEqual(notObject('18'));
    const pct = (p: string, value: string) => ({ prop: `latencyMs.${p}`, value, allowed: 'a number of milliseconds > 0, at most 3600000 (an hour)', fix: `set "latencyMs.${p}"` });
    expect(problemsOf({ latencyMs: { p50: 0, p90: 26, p99: 41 } })).toEqual([pct('p50', '0')]);
    // Missing p90: that problem only, not also an order that cannot be checked.
    expect(problemsOf({ latencyMs: { p50: 18, p99: 41 } })).toEqual([pct('p90', 'undefined')]);
    expect(problemsOf({ latencyMs: { p50: 18, p90: 26, p99: 3_600_001 } })).toEqual([pct('p99', '3600001')]);
    expect(problemsOf({ latencyMs: { p50: 18, p90: 26, p99: '41' } })).toEqual([pct('p99', '"41"')]);
    expect(problemsOf({ latencyMs: { p50: NaN, p90: 26, p99: 41 } })).toEqual([pct('p50', 'NaN')]);
    // Equal percentiles and an hour are allowed; a decrease anywhere is refused.
    expect(InferenceProfile.of({ ...BASE_PROFILE, latencyMs: { p50: 3_600_000, p90: 3_600_000, p99: 3_600_000 } }).latencyMs)
      .toEqual({ p50: 3_600_000, p90: 3_600_000, p99: 3_600_000 });
    const order = (value: string) => [{ prop: 'latencyMs', value, allowed: 'p50 <= p90 <= p99', fix: 'check the percentiles: they must not decrease' }];
    expect(problemsOf({ latencyMs: { p50: 27, p90: 26, p99: 41 } })).toEqual(order('{"p50":27,"p90":26,"p99":41}'));
    expect(problemsOf({ latencyMs: { p50: 18, p90: 42, p99: 41 } })).toEqual(order('{"p50":18,"p90":42,"p99":41}'));
  });

  test('payloadSizes: {bytes, p50Ms} or the profiler\'s {bytes, latencyMs: {p50}}, each above 0', () => {
    const sizes = (payloadSizes: unknown) => InferenceProfile.of({ ...BASE_PROFILE, payloadSizes } as never).payloadSizes;
    expect(sizes([])).toEqual([]);
    expect(sizes(undefined)).toEqual([]);
    // p50Ms first; the profiler's latencyMs.p50 when p50Ms is not a number.
    expect(sizes([{ bytes: 1_000, p50Ms: 12 }, { bytes: 50_000, latencyMs: { p50: 30, p99: 45 } }, { bytes: 90_000, p50Ms: null, latencyMs: { p50: 40 } }]))
      .toEqual([{ bytes: 1_000, p50Ms: 12 }, { bytes: 50_000, p50Ms: 30 }, { bytes: 90_000, p50Ms: 40 }]);
    const bad = (value: unknown) => {
      expect(problemsOf({ payloadSizes: value })).toEqual([{
        prop: 'payloadSizes', value: JSON.stringify(value) ?? 'undefined',
        allowed: 'a list of {bytes, p50Ms} (or the profiler\'s {bytes, latencyMs: {p50}}), bytes and latency > 0', fix: 'fix or remove "payloadSizes"',
      }]);
    };
    bad('x');
    bad({ bytes: 1, p50Ms: 1 });
    bad([{ bytes: 1, p50Ms: 1 }, null]);
    bad([{ bytes: 0, p50Ms: 1 }]);
    bad([{ bytes: '5', p50Ms: 1 }]);
    bad([{ p50Ms: 1 }]);
    bad([{ bytes: 1, p50Ms: 0 }]);
    bad([{ bytes: 1 }]);
    bad([{ bytes: 1, latencyMs: { p50: 0 } }]);
    bad([{ bytes: 1, p50Ms: '5' }]);
    // Infinity renders as null in JSON.
    expect(problemsOf({ payloadSizes: [{ bytes: 1, p50Ms: Infinity }] })[0].value).toBe('[{"bytes":1,"p50Ms":null}]');
    // A function carrying the fields is no record.
    expect(problemsOf({ payloadSizes: [Object.assign(() => 0, { bytes: 1, p50Ms: 1 })] }).map((p) => p.prop)).toEqual(['payloadSizes']);
  });

  test('provenance: an object when given; manual by default', () => {
    const bad = (value: string) => [{ prop: 'provenance', value, allowed: 'an object {tool, measuredAt, notes}', fix: 'fix or remove "provenance"' }];
    expect(problemsOf({ provenance: null })).toEqual(bad('null'));
    expect(problemsOf({ provenance: [] })).toEqual(bad('[]'));
    expect(problemsOf({ provenance: 'kig' })).toEqual(bad('"kig"'));
    expect(InferenceProfile.of(BASE_PROFILE).provenance).toEqual({ tool: 'manual' });
    expect(InferenceProfile.of({ ...BASE_PROFILE, provenance: { tool: 'kig profile', notes: 'n' } }).provenance).toEqual({ tool: 'kig profile', notes: 'n' });
  });

  test('toJson: every field, payloadSizes only when measured', () => {
    const { latencyMs, ...rest } = BASE_PROFILE;
    expect(InferenceProfile.of(BASE_PROFILE).toJson()).toStrictEqual({ schemaVersion: 1, ...rest, latencyMs: { p50: 18, p90: 26, p99: 41 }, provenance: { tool: 'manual' } });
    const sized = InferenceProfile.of({ ...BASE_PROFILE, payloadSizes: [{ bytes: 1_000, p50Ms: 12 }] }).toJson();
    expect(sized.payloadSizes).toEqual([{ bytes: 1_000, p50Ms: 12 }]);
  });

  test('recordProfile writes the profile\'s JSON under the metadata key', () => {
    const written: Array<[string, unknown]> = [];
    recordProfile({ addMetadata: (k, v) => written.push([k, v]) }, InferenceProfile.of(BASE_PROFILE));
    expect(PROFILE_METADATA_KEY).toBe('KerasInferenceGuard::Profile');
    expect(written).toEqual([['KerasInferenceGuard::Profile', InferenceProfile.of(BASE_PROFILE).toJson()]]);
  });
});

describe('InferenceProfile.fromJson and fromFile problems, in full', () => {
  test('a root that is not an object', () => {
    for (const [json, shown] of [['x', '"x"'], [null, 'null'], [[1], '[1]'], [5, '5']] as const) {
      const e = errorOf(() => InferenceProfile.fromJson(json));
      expect([e.code, e.path]).toEqual(['PROFILE_INVALID', 'profile JSON']);
      expect(e.message).toBe(`[PROFILE_INVALID] invalid inference profile in profile JSON:\n  - (root) = ${shown}: allowed a JSON object. Fix: write the profile as a JSON object; see \`kig limits --help\``);
    }
    expect(errorOf(() => InferenceProfile.fromJson([], 'p.json')).path).toBe('p.json');
  });

  test('schemaVersion 1 or none; every field the profiler writes is known', () => {
    const full = { schemaVersion: 1, ...BASE_PROFILE, provenance: { tool: 'kig profile' }, steps: [], knee: {}, resources: {}, payloadSizes: [], extra: {} };
    expect(InferenceProfile.fromJson(full).model).toBe('mnist-cnn');
    // Without schemaVersion: read as version 1.
    expect(InferenceProfile.fromJson({ ...BASE_PROFILE }).toJson()).toEqual(InferenceProfile.of(BASE_PROFILE).toJson());
    const e = errorOf(() => InferenceProfile.fromJson({ ...BASE_PROFILE, schemaVersion: 2, extraField: 1 }, 'p.json'));
    expect(e.message).toBe([
      '[PROFILE_INVALID] invalid inference profile in p.json:',
      '  - schemaVersion = 2: allowed 1. Fix: regenerate the profile with this version of the profiler, or set "schemaVersion": 1',
      '  - extraField = 1: allowed one of schemaVersion, model, hardware, latencyMs, provenance, sustainableConcurrency, throughputPerInstanceRps, '
        + 'peakHostMemoryMiB, peakGpuMemoryMiB, coldStartSeconds, maxRequestBytes, steps, knee, resources, payloadSizes, extra. Fix: remove "extraField" or check its spelling',
    ].join('\n'));
  });

  test('a file that cannot be read, or is not JSON (the start of the text, cut after 40 characters)', () => {
    const absent = path.join(os.tmpdir(), 'kig-no-such-dir', 'profile.json');
    const e = errorOf(() => InferenceProfile.fromFile(absent));
    expect([e.code, e.path]).toEqual(['PROFILE_UNREADABLE', absent]);
    expect(e.message).toBe(`[PROFILE_UNREADABLE] cannot read inference profile ${absent}:\n  - (file) = ${JSON.stringify(absent)}: allowed a readable JSON file. Fix: check the path (ENOENT: no such file or directory, open '${absent}')`);
    const syntax = (text: string) => { try { JSON.parse(text); } catch (x) { return (x as Error).message; } throw new Error('valid JSON'); };
    for (const [text, shown] of [
      ['{"model": ', '{"model": '],
      // 40 characters: shown whole; 41: the first 40 and "...".
      ['{"model": "' + 'x'.repeat(29), '{"model": "' + 'x'.repeat(29)],
      ['{"model": "' + 'x'.repeat(30), '{"model": "' + 'x'.repeat(29) + '...'],
      // Cut by characters, not bytes: 40 characters of which 29 take two bytes each in UTF-8 (69 bytes).
      ['{"model": "' + 'é'.repeat(29), '{"model": "' + 'é'.repeat(29)],
    ]) {
      const file = tmpFile(text);
      const bad = errorOf(() => InferenceProfile.fromFile(file));
      expect([bad.code, bad.path]).toEqual(['PROFILE_INVALID', file]);
      expect(bad.message).toBe(`[PROFILE_INVALID] invalid inference profile in ${file}:\n  - (file) = ${shown}: allowed valid JSON. Fix: fix the JSON syntax (${syntax(text)})`);
    }
  });
});
