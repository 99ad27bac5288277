import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceProfile } from '../../lib';

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
