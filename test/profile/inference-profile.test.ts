import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceGuardError, InferenceProfile } from '../../lib';
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
