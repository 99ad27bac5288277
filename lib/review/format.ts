import { RuleLevel, RuleStatus } from '../nag/rule';
import { INFERENCE_GUARD_RULES } from '../nag/rules';
import { CostReport, renderCost } from './cost';
import { clip, REVIEW_LIMITS } from './review-limits';
import { MITIGATIONS, MitigationMark, ReviewFinding, ReviewReport, ReviewResult, TemplateReview } from './review';

/**
 * Text taken from a template (labels, names, messages quoting values) cut to a bounded length, so
 * a template with a huge string yields a readable report instead of running out of string length.
 */
function cut(s: string): string {
  return clip(s, REVIEW_LIMITS.maxReportTextChars);
}

/** The cost section with template-derived text (component labels, formulas) cut as above. */
function cutCost(cost: CostReport): CostReport {
  return {
    ...cost,
    components: cost.components.map((c) => ({
      ...c,
      label: cut(c.label),
      lines: c.lines.map((l) => ({ ...l, item: cut(l.item), formula: cut(l.formula) })),
    })),
  };
}

/** Output formats of `kig review`. */
export const REVIEW_FORMATS = ['table', 'json', 'markdown', 'sarif'] as const;
/** One output format. */
export type ReviewFormat = typeof REVIEW_FORMATS[number];

/** Renders a report in the given format. */
export function renderReport(report: ReviewReport, format: ReviewFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case 'markdown': return renderMarkdown(report);
    case 'sarif': return `${JSON.stringify(toSarif(report), null, 2)}\n`;
    default: return renderTable(report);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function counts(report: ReviewReport): string {
  return `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`;
}

/** Appends the lines of one result to `out`. */
function addResultLines(r: ReviewResult, out: string[]): void {
  const prefix = r.status !== RuleStatus.NON_COMPLIANT ? `ok ${r.ruleId}` : r.acknowledged !== undefined ? `acknowledged ${r.ruleId}` : `${r.level.toUpperCase()} ${r.ruleId}`;
  const suffix = r.acknowledged !== undefined ? ` (acknowledged: ${cut(r.acknowledged)})` : '';
  if (r.messages.length === 0) out.push(`${prefix}: ${r.resource}${suffix}`);
  for (const m of r.messages) out.push(`${prefix}: ${cut(m)}${suffix}`);
}

/** The lines of the results behind one cell. */
function cellLines(results: readonly ReviewResult[]): string[] {
  const out: string[] = [];
  for (const r of results) addResultLines(r, out);
  return out;
}

// ---- table -----------------------------------------------------------------------------------

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Plain-text report: a grid of marks per template, then the results behind each mark. */
export function renderTable(report: ReviewReport): string {
  const out: string[] = [];
  for (const t of report.templates) {
    out.push(`${t.path}: ${plural(t.resourceCount, 'resource')}, ${plural(t.components.length, 'component')}, ${plural(t.findings.length, 'finding')}`);
    for (const n of t.notes) out.push(`  note: ${cut(n)}`);
    if (t.components.length === 0) {
      out.push('  no APIs, queues, endpoints or services to review', '');
      continue;
    }
    const headers = ['COMPONENT', ...MITIGATIONS.map((m) => m.toUpperCase())];
    const rows = t.components.map((c) => [cut(c.label), ...MITIGATIONS.map((m) => markText(c.mitigations[m].mark))]);
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    out.push(`  ${headers.map((h, i) => pad(h, widths[i])).join('  ').trimEnd()}`);
    for (const r of rows) out.push(`  ${r.map((v, i) => pad(v, widths[i])).join('  ').trimEnd()}`);
    out.push('');
    const w = Math.max(...MITIGATIONS.map((m) => m.length));
    const heads = MITIGATIONS.map((m) => `    ${pad(m, w)}  `);
    const indent = `    ${' '.repeat(w)}  ${' '.repeat(7)}  `;
    for (const c of t.components) {
      out.push(`  ${cut(c.label)}`);
      for (let i = 0; i < MITIGATIONS.length; i++) {
        const cell = c.mitigations[MITIGATIONS[i]];
        const lines = cellLines(cell.results);
        out.push(`${heads[i]}${pad(markText(cell.mark), 7)}  ${lines[0] ?? ''}`.trimEnd());
        for (let j = 1; j < lines.length; j++) out.push(indent + lines[j]);
      }
      if (c.flood) out.push(`    ${pad('flood', w)}  ${pad(c.flood.passed === undefined ? 'n/a' : c.flood.passed ? 'holds' : 'FAILS', 7)}  ${cut(c.flood.text)}`);
      out.push('');
    }
    if (t.cost) out.push(...renderCost(cutCost(t.cost)));
  }
  out.push(`Summary: ${report.templates.length} template${report.templates.length === 1 ? '' : 's'}, ${counts(report)}.`);
  return `${out.join('\n')}\n`;
}

function markText(mark: MitigationMark): string {
  return mark === MitigationMark.MISSING || mark === MitigationMark.WRONG ? mark.toUpperCase() : mark;
}

// ---- markdown --------------------------------------------------------------------------------

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Markdown report: one table per template and the results behind each mark. */
export function renderMarkdown(report: ReviewReport): string {
  const out: string[] = ['# DoS-readiness review', '', `${report.templates.length} template(s): ${counts(report)}.`, ''];
  for (const t of report.templates) {
    out.push(`## ${md(t.path)}`, '');
    for (const n of t.notes) out.push(`> Note: ${md(cut(n))}`, '');
    if (t.components.length === 0) {
      out.push('No APIs, queues, endpoints or services to review.', '');
      continue;
    }
    out.push(`| Component | ${MITIGATIONS.join(' | ')} |`, `|---|${MITIGATIONS.map(() => '---').join('|')}|`);
    for (const c of t.components) {
      out.push(`| ${md(cut(c.label))} | ${MITIGATIONS.map((m) => (c.mitigations[m].mark === MitigationMark.MISSING || c.mitigations[m].mark === MitigationMark.WRONG ? `**${c.mitigations[m].mark}**` : c.mitigations[m].mark)).join(' | ')} |`);
    }
    out.push('');
    for (const c of t.components) {
      out.push(`### ${md(cut(c.label))}`, '');
      for (const m of MITIGATIONS) {
        const cell = c.mitigations[m];
        out.push(`- **${m}**: ${cell.mark}`);
        for (const l of cellLines(cell.results)) out.push(`  - ${md(l)}`);
      }
      if (c.flood) out.push(`- **flood**: ${md(cut(c.flood.text))}`);
      out.push('');
    }
    if (t.cost) out.push(...renderCost(cutCost(t.cost), true));
  }
  return `${out.join('\n')}\n`;
}

// ---- json ------------------------------------------------------------------------------------

function cutFinding(f: ReviewFinding): ReviewFinding {
  return { ...f, message: cut(f.message), components: f.components.map(cut), ...(f.acknowledged !== undefined ? { acknowledged: cut(f.acknowledged) } : {}) };
}

function toJson(report: ReviewReport): unknown {
  return {
    summary: { templates: report.templates.length, errors: report.errors, warnings: report.warnings },
    templates: report.templates.map((t: TemplateReview) => ({
      path: t.path,
      resourceCount: t.resourceCount,
      notes: t.notes.map(cut),
      components: t.components.map((c) => ({
        kind: c.kind,
        id: c.id,
        label: cut(c.label),
        mitigations: Object.fromEntries(MITIGATIONS.map((m) => [m, {
          mark: c.mitigations[m].mark,
          results: c.mitigations[m].results.map((r) => ({ ruleId: r.ruleId, level: r.level, status: r.status, resource: r.resource, messages: r.messages.map(cut), ...(r.acknowledged !== undefined ? { acknowledged: r.acknowledged } : {}) })),
        }])),
        ...(c.flood ? { flood: c.flood } : {}),
      })),
      findings: t.findings.map(cutFinding),
      acknowledged: t.acknowledged.map(cutFinding),
      ...(t.cost ? { cost: cutCost(t.cost) } : {}),
    })),
  };
}

// ---- SARIF 2.1.0 -----------------------------------------------------------------------------

/** SARIF 2.1.0 log for code-scanning UIs: one result per finding, located at the resource. */
export function toSarif(report: ReviewReport): unknown {
  const rules = INFERENCE_GUARD_RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.info },
    fullDescription: { text: r.explanation },
    help: { text: r.fix, markdown: r.fix },
    defaultConfiguration: { level: r.level === RuleLevel.ERROR ? 'error' : 'warning' },
    properties: { mitigation: r.mitigation, resourceTypes: r.resourceTypes, levelReason: r.levelReason },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.templates.flatMap((t) => [...t.findings, ...t.acknowledged].map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId),
    level: f.level,
    message: { text: cut(f.message) },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: t.path.split('\\').join('/') },
        ...(f.line !== undefined ? { region: { startLine: f.line } } : {}),
      },
      logicalLocations: [{ name: f.resource, fullyQualifiedName: `Resources.${f.resource}`, kind: 'resource' }],
    }],
    partialFingerprints: { logicalResource: `${f.ruleId}/${f.resource}` },
    ...(f.acknowledged !== undefined ? { suppressions: [{ kind: 'inSource', status: 'accepted', justification: f.acknowledged }] } : {}),
  })));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'keras-inference-guard review', rules } },
      results,
    }],
  };
}
