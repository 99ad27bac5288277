import * as path from 'path';
import { runKig } from '../support/cli';

const fixtures = path.join(__dirname, '..', 'review', 'fixtures');

describe('kig runbook', () => {
  test('--help documents the command, its options and exit codes', async () => {
    const r = await runKig(['runbook', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: kig runbook/);
    expect(r.stdout).toMatch(/--json/);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  test('reads any template, YAML included: a section per alarm with its threshold, three checks and the limit', async () => {
    const r = await runKig(['runbook', path.join(fixtures, 'verdicts-queue.yaml'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { templates: Array<{ sections: Array<{ alarmLogicalId: string; checks: unknown[]; threshold: string; limit: { command: string } }> }> };
    const sections = out.templates[0].sections;
    expect(sections.length).toBe(1);
    expect(sections[0].threshold).toMatch(/^Fires when the value is/);
    expect(sections[0].checks.length).toBeGreaterThanOrEqual(1);
    expect(sections[0].limit.command).toMatch(/^kig limits/);
  });

  test('a missing file is a usage error (exit 2) naming it', async () => {
    const r = await runKig(['runbook', path.join(fixtures, 'no-such-template.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-template\.json/);
  });

  test('no target is a usage error', async () => {
    const r = await runKig(['runbook']);
    expect(r.code).toBe(2);
  });
});
