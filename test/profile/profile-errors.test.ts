import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceGuardError } from '../../lib/core';
import { InferenceProfile, deriveLimits } from '../../lib/profile';
import { profile } from '../support/profiles';

/** Every error of InferenceProfile.fromFile names the file it read. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-profile-errors-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

test.each([
  ['a missing file', path.join(dir, 'absent.json')],
  ['invalid JSON', write('broken.json', '{ "model": ')],
  ['a JSON array', write('array.json', '[]')],
  ['an invalid field', write('field.json', JSON.stringify({ model: 'm', hardware: 'ml.g5.xlarge', sustainableConcurrency: 0 }))],
])('%s', (_what, file) => {
  expect(() => InferenceProfile.fromFile(file)).toThrow(file);
});

describe('deriveLimits messages', () => {
  const errorOf = (f: () => unknown) => {
    try { f(); } catch (e) { return e as InferenceGuardError; }
    throw new Error('no error');
  };

  test('maxInstances 0 reports maxInstances, not an override the user never set', () => {
    const e = errorOf(() => deriveLimits(profile(), { maxInstances: 0 }));
    expect(e.problems.map((p) => p.prop)).not.toContain('overrides.stageRateLimit');
    expect(e.problems.map((p) => p.prop)).toContain('maxInstances');
  });

  test('a request above the SageMaker 6 MB hard limit says so instead of "raise the cap"', () => {
    const e = errorOf(() => deriveLimits(profile({ maxRequestBytes: 20_000_000 }), { backend: { name: 'SageMaker real-time endpoint', maxPayloadBytes: 6_291_456, synchronous: true, scalesToZero: false, scalingUnit: 'instance' } }));
    const p = e.problems.find((x) => x.prop === 'payload.maxBodyBytes')!;
    expect(p.fix).toContain("6291456 bytes is the SageMaker real-time endpoint's hard limit");
    expect(p.fix).not.toContain('raise the cap');
  });
});
