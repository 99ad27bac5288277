import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Every example app synthesizes with its rule packs applied, with zero unacknowledged findings,
 * and every template passes cfn-lint.
 */
const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const examples = fs.readdirSync(EXAMPLES_DIR).filter((d) => fs.existsSync(path.join(EXAMPLES_DIR, d, 'app.ts')));

describe.each(examples)('example %s', (name) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require(path.join(EXAMPLES_DIR, name, 'app.ts')) as { buildApp: (app?: App) => App };
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `kig-example-${name}-`));
  const app = buildApp(new App({ outdir, context: { '@aws-cdk/core:validationReportJson': true } }));
  let assembly: ReturnType<App['synth']>;

  test('synthesizes with every rule pack passing', () => {
    assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'policy-validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  test('AwsSolutions and Serverless packs report no unacknowledged findings', () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    expect(new ServerlessChecks(app).validateScope(app).violations).toEqual([]);
  });

  test('every acknowledgement states a specific reason', () => {
    const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    const reasons: string[] = [];
    for (const c of app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type === 'aws:cdk:acknowledged-rules') reasons.push(...Object.values(m.data as Record<string, string>));
      }
    }
    expect(stacks.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r.length).toBeGreaterThan(40);
  });

  test('cfn-lint passes on every template', () => {
    const templates = assembly.stacks.map((s) => s.templateFullPath);
    expect(templates.length).toBeGreaterThan(0);
    execFileSync('cfn-lint', templates, { stdio: 'pipe' });
  });
});
