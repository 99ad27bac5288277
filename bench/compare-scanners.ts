/**
 * Side-by-side comparison of `kig review` with the scanners people already run on CloudFormation:
 * checkov and cfn-lint, each only when it is installed (found on PATH). Runs all of them on the
 * project's own fixture templates and prints, per template, the denial-of-service-relevant findings
 * of each tool: kig review's findings, checkov's failed checks from the list below, and every
 * cfn-lint finding (cfn-lint checks validity, so what it reports is printed in full). A report for
 * reading: nothing here gates a test.
 *
 *   npm run build && node dist/bench/compare-scanners.js [template ...]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadTemplate, reviewTemplate } from '../lib/review';

/**
 * checkov checks that bear on denial of service (rate limits, capacity caps, queues, logs that a
 * flood is investigated with, alarms), by id, from checkov's CloudFormation check catalogue.
 */
const CHECKOV_DOS_CHECKS: Readonly<Record<string, string>> = {
  CKV_AWS_66: 'log group retention',
  CKV_AWS_76: 'REST API stage access logging',
  CKV_AWS_91: 'ELBv2 access logging',
  CKV_AWS_95: 'HTTP API stage access logging',
  CKV_AWS_115: 'Lambda function-level concurrency limit',
  CKV_AWS_116: 'Lambda dead-letter queue',
  CKV_AWS_120: 'API Gateway caching',
  CKV_AWS_59: 'API Gateway authorization',
  CKV2_AWS_29: 'REST API stage WAF',
  CKV2_AWS_31: 'WAF logging',
  CKV2_AWS_51: 'API Gateway client certificate',
};

interface Row { tool: string; finding: string }

function onPath(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
}

function kigFindings(file: string): Row[] {
  try {
    const r = reviewTemplate(loadTemplate(file, path.dirname(file)));
    return r.findings.map((f) => ({ tool: 'kig review', finding: `${f.ruleId.replace('InferenceGuard-', '')} ${f.resource}` }));
  } catch (e) {
    return [{ tool: 'kig review', finding: `refused: ${(e as Error).message}` }];
  }
}

function checkovFindings(file: string): Row[] {
  const r = spawnSync('checkov', ['-f', file, '--framework', 'cloudformation', '-o', 'json', '--quiet', '--compact'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    const parsed = JSON.parse(r.stdout);
    const reports = Array.isArray(parsed) ? parsed : [parsed];
    return reports.flatMap((rep: { results?: { failed_checks?: Array<{ check_id: string; resource: string }> } }) => rep.results?.failed_checks ?? [])
      .filter((c) => Object.hasOwn(CHECKOV_DOS_CHECKS, c.check_id))
      .map((c) => ({ tool: 'checkov', finding: `${c.check_id} (${CHECKOV_DOS_CHECKS[c.check_id]}) ${c.resource}` }));
  } catch {
    return [{ tool: 'checkov', finding: `no JSON output (exit ${r.status})` }];
  }
}

function cfnLintFindings(file: string): Row[] {
  const r = spawnSync('cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    return (JSON.parse(r.stdout || '[]') as Array<{ Rule: { Id: string }; Message: string; Location?: { Path?: unknown[] } }>)
      .map((m) => ({ tool: 'cfn-lint', finding: `${m.Rule.Id} ${m.Message.split('\n')[0].slice(0, 120)}` }));
  } catch {
    return [{ tool: 'cfn-lint', finding: `no JSON output (exit ${r.status})` }];
  }
}

function main(): void {
  const fixtures = path.join(__dirname, '..', '..', 'test', 'review', 'fixtures');
  const root = fs.existsSync(fixtures) ? fixtures : path.join(__dirname, '..', 'test', 'review', 'fixtures');
  const given = process.argv.slice(2);
  const files = given.length > 0 ? given.map((f) => path.resolve(f)) : [
    ...fs.readdirSync(root).filter((f) => /\.(json|ya?ml)$/.test(f)).map((f) => path.join(root, f)),
    ...fs.readdirSync(path.join(root, 'sam')).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(root, 'sam', f)),
  ];
  const tools: Array<[string, (f: string) => Row[]]> = [['kig review', kigFindings]];
  for (const [name, fn] of [['checkov', checkovFindings], ['cfn-lint', cfnLintFindings]] as const) {
    if (onPath(name)) tools.push([name, fn]);
    else process.stdout.write(`${name}: not installed (not on PATH), left out\n`);
  }
  const totals = new Map<string, number>();
  for (const file of files) {
    process.stdout.write(`\n${path.relative(process.cwd(), file)}\n`);
    for (const [name, fn] of tools) {
      const rows = fn(file);
      totals.set(name, (totals.get(name) ?? 0) + rows.filter((r) => !/^(refused|no JSON)/.test(r.finding)).length);
      process.stdout.write(`  ${name}: ${rows.length === 0 ? 'nothing DoS-relevant' : `${rows.length} finding(s)`}\n`);
      for (const r of rows) process.stdout.write(`    ${r.finding}\n`);
    }
  }
  process.stdout.write(`\nDoS-relevant findings over ${files.length} templates: ${[...totals].map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
}

main();
