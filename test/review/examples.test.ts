import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { InferenceGuardChecks } from '../../lib/nag';
import { kig } from './support';

/** Every example passes the InferenceGuard pack and `kig review` of its synthesized cdk.out. */
const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const examples = fs.readdirSync(EXAMPLES_DIR).filter((d) => fs.existsSync(path.join(EXAMPLES_DIR, d, 'app.ts')));

describe.each(examples)('example %s', (name) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require(path.join(EXAMPLES_DIR, name, 'app.ts')) as { buildApp: (app?: App) => App };
  let outdir: string;
  let app: App;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), `kig-review-example-${name}-`));
    app = buildApp(new App({ outdir }));
    app.synth();
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('the InferenceGuard pack reports no unacknowledged findings', () => {
    expect(new InferenceGuardChecks(app).validateScope(app).violations).toEqual([]);
  });

  test('kig review of the cdk.out finds every mitigation in place (warnings included)', async () => {
    const r = await kig(['review', outdir, '--format', 'json', '--fail-on', 'warning']);
    const report = JSON.parse(r.stdout);
    expect(report.templates.flatMap((t: { findings: unknown[] }) => t.findings)).toEqual([]);
    expect(r.code).toBe(0);
    const rows = report.templates.flatMap((t: { components: Array<{ label: string; mitigations: Record<string, { mark: string }> }> }) => t.components);
    expect(rows.length).toBeGreaterThan(0);
    const missing = rows.flatMap((c: { label: string; mitigations: Record<string, { mark: string }> }) =>
      Object.entries(c.mitigations).filter(([, cell]) => cell.mark === 'missing').map(([m]) => `${c.label}: ${m}`));
    expect(missing).toEqual([]);
  });
});
