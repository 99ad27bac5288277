#!/usr/bin/env node
// Prints where `cdk synth` wrote the templates and what the rule packs reported.
import * as fs from 'fs';
import * as path from 'path';

const out = path.resolve(process.argv[2] ?? 'cdk.out');
const templates = fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.endsWith('.template.json')) : [];
if (templates.length === 0) {
  process.stderr.write(`No templates in ${out}: did cdk synth run?\n`);
  process.exit(1);
}
process.stdout.write(`Synthesized ${templates.length} template(s) into ${out}:\n`);
for (const t of templates) {
  const json = JSON.parse(fs.readFileSync(path.join(out, t), 'utf8')) as { Resources?: Record<string, unknown> };
  process.stdout.write(`  ${path.join(out, t)}  (${Object.keys(json.Resources ?? {}).length} resources)\n`);
}
const report = path.join(out, 'policy-validation-report.json');
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8')) as { pluginReports?: Array<{ summary?: { pluginName?: string; status?: string }; violations?: unknown[] }> };
  if ((r.pluginReports ?? []).length === 0) process.stdout.write('Rule packs: every pack passed, no unacknowledged findings.\n');
  for (const p of r.pluginReports ?? []) {
    process.stdout.write(`Rule pack ${p.summary?.pluginName}: ${p.summary?.status} (${p.violations?.length ?? 0} unacknowledged findings)\n`);
  }
  process.stdout.write(`Rule pack report: ${report}\n`);
}
