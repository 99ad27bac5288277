import type { DrillReport } from '../drill';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;

/** The drill as text: verdict, figures, cause and fix, limits read, assumptions. */
export function renderDrillTable(r: DrillReport): string {
  const refused = (m: { [k: string]: number }) => Object.entries(m).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const lines = [
    `kig drill ${r.scenario}: ${r.description}`,
    `  template     ${r.template}`,
    `  entry point  ${r.entryPoint} -> ${r.backend}`,
    `  traffic      attacker ${r.parameters.attackRps} req/s, legitimate ${r.parameters.legitRps} req/s from ${r.parameters.legitClients} clients, ${r.parameters.durationSeconds} s, seed ${r.parameters.seed}`,
    '',
    `  ${r.verdict}`,
    '',
    '  role         sent        ok          success   p50 ms  p99 ms  refused by',
    `  legitimate   ${String(r.legit.offered).padEnd(11)} ${String(r.legit.succeeded).padEnd(11)} ${pct(r.legit.successRate).padEnd(9)} ${String(r.legit.p50Ms).padEnd(7)} ${String(r.legit.p99Ms).padEnd(7)} ${refused(r.legit.refusedBy)}`,
    `  attacker     ${String(r.attack.offered).padEnd(11)} ${String(r.attack.succeeded).padEnd(11)} ${pct(r.attack.successRate).padEnd(9)} ${''.padEnd(7)} ${''.padEnd(7)} ${refused(r.attack.refusedBy)}`,
    '',
    `  peak instances ${r.peakInstances}; cost per hour: peak $${r.costPerHourUsd.peak.toFixed(2)}, mean $${r.costPerHourUsd.mean.toFixed(2)}`,
  ];
  if (r.cause) lines.push('', `  cause: ${r.cause}`, `  fix:   ${r.fix}`);
  lines.push('', '  limits read from the template:', ...r.limits.map((l) => `    - ${l}`));
  lines.push('', '  assumptions:', ...r.assumptions.map((a) => `    - ${a}`), '');
  return lines.join('\n');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]!));
}

const W = 820;
const PANEL_H = 130;
const M = { left: 70, right: 20, top: 50, gap: 40 };

/**
 * The timeline as a standalone SVG: four panels over time (legitimate and attacker success,
 * legitimate p99, instances in service and billed, cost per hour). Each polyline point carries
 * data-t and data-v attributes with the number it was drawn from.
 */
export function renderDrillSvg(r: DrillReport): string {
  const rows = r.timeline;
  const maxT = Math.max(1, ...rows.map((x) => x.tS));
  const x = (t: number) => M.left + (t / maxT) * (W - M.left - M.right);
  const panels: Array<{ title: string; unit: string; series: Array<{ name: string; color: string; values: number[] }> }> = [
    {
      title: 'success rate', unit: '%', series: [
        { name: 'legitimate', color: '#1a7f37', values: rows.map((w) => (w.legitOffered > 0 ? (100 * w.legitOk) / w.legitOffered : 100)) },
        { name: 'attacker', color: '#cf222e', values: rows.map((w) => (w.attackOffered > 0 ? (100 * w.attackOk) / w.attackOffered : 0)) },
      ],
    },
    { title: 'legitimate p99 latency', unit: 'ms', series: [{ name: 'p99', color: '#0969da', values: rows.map((w) => w.legitP99Ms) }] },
    {
      title: 'instances', unit: '', series: [
        { name: 'in service', color: '#8250df', values: rows.map((w) => w.instances) },
        { name: 'billed', color: '#bf8700', values: rows.map((w) => w.instances + w.pendingInstances) },
      ],
    },
    { title: 'cost per hour', unit: 'USD', series: [{ name: 'cost', color: '#57606a', values: rows.map((w) => w.costPerHourUsd) }] },
  ];
  const H = M.top + panels.length * (PANEL_H + M.gap) + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="22" font-size="14" font-weight="bold">${esc(`kig drill ${r.scenario}: ${r.entryPoint}`)}</text>`,
    `<text x="${M.left}" y="38">${esc(r.verdict)}</text>`,
  ];
  panels.forEach((p, i) => {
    const top = M.top + i * (PANEL_H + M.gap) + 15;
    const maxV = Math.max(p.unit === '%' ? 100 : 1, ...p.series.flatMap((s) => s.values)) * 1.05;
    const y = (v: number) => top + PANEL_H - (v / maxV) * PANEL_H;
    out.push(`<g class="panel" data-title="${esc(p.title)}">`);
    out.push(`<text x="${M.left}" y="${top - 4}" font-weight="bold">${esc(p.title)}${p.unit ? ` (${p.unit})` : ''}</text>`);
    out.push(`<line x1="${M.left}" y1="${top + PANEL_H}" x2="${W - M.right}" y2="${top + PANEL_H}" stroke="#888"/>`);
    out.push(`<line x1="${M.left}" y1="${top}" x2="${M.left}" y2="${top + PANEL_H}" stroke="#888"/>`);
    out.push(`<text x="${M.left - 6}" y="${top + 4}" text-anchor="end">${Math.round(maxV / 1.05 * 100) / 100}</text>`);
    out.push(`<text x="${M.left - 6}" y="${top + PANEL_H}" text-anchor="end">0</text>`);
    out.push(`<text x="${W - M.right}" y="${top + PANEL_H + 14}" text-anchor="end">${maxT} s</text>`);
    p.series.forEach((s, k) => {
      const pts = rows.map((w, j) => `${x(w.tS).toFixed(1)},${y(s.values[j]).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}" data-series="${esc(s.name)}" data-values="${s.values.map((v) => Math.round(v * 100) / 100).join(' ')}"/>`);
      out.push(`<text x="${W - M.right - 120 * (k + 1)}" y="${top - 4}" fill="${s.color}">${esc(s.name)}</text>`);
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The SVG in an HTML page with the report's text. */
export function renderDrillHtml(r: DrillReport): string {
  return [
    '<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${esc(`kig drill ${r.scenario}`)}</title>`,
    '<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}pre{white-space:pre-wrap;font-size:12px}</style></head><body>',
    renderDrillSvg(r), `<pre>${esc(renderDrillTable(r))}</pre>`, '</body></html>', '',
  ].join('\n');
}
