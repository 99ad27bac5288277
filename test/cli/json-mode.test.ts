import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runKig } from '../support/cli';

/**
 * One spelling of machine output on every command: `--json` (kept: `kig review --format json`),
 * and in JSON mode a failure is a JSON document on stdout, the message staying on stderr.
 */
const root = path.join(__dirname, '..', '..');
const reviewFixture = path.join(root, 'test', 'review', 'fixtures', 'empty-usage-plan.json');
const profileFile = path.join(root, 'examples', 'sagemaker-realtime-gpu', 'profile.json');
/** A path that does not exist. */
const missing = path.join(os.tmpdir(), 'kig-json-no-such-dir');
const COMMANDS = ['profile', 'recommend', 'limits', 'review', 'inspect'];

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-json-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The error document of a failed run in JSON mode. */
function errorOf(r: { stdout: string }) {
  return (JSON.parse(r.stdout) as { error: { command: string | null; exitCode: number; code: string; message: string; problems?: unknown[] } }).error;
}

describe('kig --json', () => {
  test('every command documents --json in its --help, and the top help says what JSON mode does', async () => {
    for (const c of COMMANDS) expect((await runKig([c, '--help'])).stdout).toContain('--json');
    expect((await runKig(['--help'])).stdout).toMatch(/--json .*machine-readable/);
  });

  test('kig review --json is the json format, the same report as --format json', async () => {
    const a = await runKig(['review', reviewFixture, '--json']);
    const b = await runKig(['review', reviewFixture, '--format', 'json']);
    expect(a.code).toBe(1);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    expect(JSON.parse(a.stdout).summary).toEqual({ templates: 1, errors: 4, warnings: 0 });
  });

  test('--json with another --format is a usage error, as JSON', async () => {
    const r = await runKig(['review', reviewFixture, '--json', '--format', 'sarif']);
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ command: 'review', exitCode: 2, code: 'USAGE', message: expect.stringContaining('pass one of them') });
  });

  test.each([
    ['an unknown option', ['limits', '--profile', 'x.json', '--bogus', '--json'], 'limits', 2, 'USAGE', /Unknown option '--bogus'/],
    ['a missing file (review)', ['review', path.join(missing, 'none.json'), '--json'], 'review', 2, 'USAGE', /none\.json/],
    ['a missing file (review, --format json)', ['review', path.join(missing, 'none.json'), '--format', 'json'], 'review', 2, 'USAGE', /none\.json/],
    ['a missing required option', ['profile', '--json'], 'profile', 2, 'CLI_USAGE', /--url/],
    ['an unknown command', ['nope', '--json'], null, 2, 'USAGE', /unknown command "nope"/],
    ['an unreadable model path', ['inspect', path.join(missing, 'no-model'), '--json'], 'inspect', 2, expect.any(String), /no-model/],
  ] as const)('%s: a JSON error on stdout, the message on stderr, the same exit code', async (_, argv, command, exitCode, code, message) => {
    const r = await runKig([...argv]);
    expect(r.code).toBe(exitCode);
    expect(r.stderr).not.toBe('');
    const e = errorOf(r);
    expect(e).toMatchObject({ command, exitCode, code });
    expect(e.message).toMatch(message);
  });

  test('a validation error carries every problem (prop, value, allowed, fix)', async () => {
    const bad = path.join(tmp, 'bad-profile.json');
    fs.writeFileSync(bad, JSON.stringify({ schemaVersion: 1, model: 'm', hardware: 'ml.g5.xlarge', latencyMs: { p50: -1, p90: 2, p99: 3 } }));
    const r = await runKig(['limits', '--profile', bad, '--json']);
    expect(r.code).toBe(2);
    const e = errorOf(r);
    expect(e.problems!.length).toBeGreaterThan(1);
    expect(e.problems![0]).toEqual({ prop: expect.any(String), value: expect.any(String), allowed: expect.any(String), fix: expect.any(String) });
  });

  test('without --json, errors stay on stderr only', async () => {
    const r = await runKig(['limits', '--profile', path.join(tmp, 'none.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/none\.json/);
  });

  test('a success prints the command result, not an error document', async () => {
    const r = await runKig(['limits', '--profile', profileFile, '--max-instances', '4', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('limits.throttle.rateLimit');
  });
});
