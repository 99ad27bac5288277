import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..', '..');
// Built with esbuild (a fraction of a second) rather than tsc, so the test stays fast. The
// bundle sits three levels below the root, like dist/bin/kig.js, so package.json resolves the same way.
const bin = path.join(root, 'dist', 'smoke', 'bin', 'kig.js');

beforeAll(() => {
  buildSync({
    entryPoints: [path.join(root, 'bin', 'kig.ts')], bundle: true, platform: 'node', target: 'node20', outfile: bin,
    external: ['aws-cdk-lib', 'cdk-nag', 'constructs', 'yaml', 'jsonc-parser'], logLevel: 'error',
  });
});

test('the kig binary reviews a YAML template: report on stdout, exit 1 on an error-level finding', () => {
  const r = spawnSync(process.execPath, [bin, 'review', path.join('test', 'review', 'fixtures', 'no-dlq.yaml'), '--format', 'json'], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(1);
  expect(JSON.parse(r.stdout).summary).toEqual({ templates: 1, errors: 1, warnings: 0 });
});

test('the kig binary prints one line and exits 2 on a missing file', () => {
  const r = spawnSync(process.execPath, [bin, 'review', 'missing.json'], { cwd: root, encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('kig review: missing.json: no such file or directory. Fix: pass a template file (.json, .yaml, .yml) or a cdk.out directory.\n');
});
