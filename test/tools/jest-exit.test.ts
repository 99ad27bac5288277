import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * A failing jest run must exit non-zero under the suite's own configuration, global setup and
 * teardown included (the shared cfn-lint process they start and stop): otherwise `npm test`, and CI
 * with it, passes whatever fails. The teardown once awaited the cfn-lint process with nothing
 * holding node's event loop, and node exited 0 before jest set the failure status.
 */
test('a jest run with a failing test exits 1 under the suite\'s configuration', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--testMatch', '**/exit-status/*.fixture.ts', path.join('test', 'tools', 'fixtures', 'exit-status')], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KIG_HANDLER_BUNDLES_BUILT: '1' },
  });
  expect(r.stderr).toMatch(/Tests:\s+1 failed, 1 total/);
  expect(r.status).toBe(1);
  // What the test wrote to the temporary directory was in the run's directory, and went with it.
  const written = /fixture temporary directory: (\S+)/.exec(r.stdout)?.[1];
  expect(written).toBeDefined();
  expect(path.basename(path.dirname(path.dirname(written!)))).toMatch(/^kig-test-run-/);
  expect(fs.existsSync(path.dirname(path.dirname(written!)))).toBe(false);
}, 150_000);
