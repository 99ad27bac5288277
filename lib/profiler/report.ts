import { KneeResult, PayloadSizeResult, StepResult } from './types';

/** What the report shows. */
export interface ReportData {
  readonly model: string;
  readonly hardware: string;
  readonly target: string;
  readonly measuredAt: string;
  readonly steps: readonly StepResult[];
  readonly knee?: KneeResult;
  readonly payloadSizes?: readonly PayloadSizeResult[];
  readonly notes?: readonly string[];
  /** Status of the run: complete, interrupted, ... */
  readonly status: string;
}

const W = 820;
const H = 500;
const M = { left: 80, right: 30, top: 60, bottom: 70 };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]!));
}

/** 0, a "nice" step (1, 2 or 5 x 10^n) and the ticks up to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Math.round(n * 100) / 100);
}

/**
 * The latency-vs-throughput plot as a standalone SVG document. Each measured step is a point at
 * (throughput, p99 latency), with p50 points under it; the knee is ringed and labelled. Points
 * carry data-* attributes with the numbers they were drawn from, so the plot can be checked
 * against the profile JSON.
 */
export function renderSvg(data: ReportData): string {
  const steps = [...data.steps].filter((s) => s.ok > 0).sort((a, b) => a.concurrency - b.concurrency);
  const maxX = Math.max(1, ...steps.map((s) => s.throughputRps));
  const bound = data.knee?.latencyBoundMs;
  const maxY = Math.max(1, ...steps.map((s) => s.latencyMs.p99), bound ?? 0);
  const xt = niceTicks(maxX);
  const yt = niceTicks(maxY);
  const xMax = xt[xt.length - 1];
  const yMax = yt[yt.length - 1];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + (v / xMax) * pw;
  const y = (v: number) => M.top + ph - (v / yMax) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" id="latency-throughput" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(`${data.model} on ${data.hardware}: latency vs throughput`)}</text>`);
  out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(`${data.target} - ${data.measuredAt}${data.status !== 'complete' ? ` - ${data.status}` : ''}`)}</text>`);
  // grid and axes
  out.push('<g id="x-axis">');
  for (const t of xt) {
    out.push(`<line x1="${x(t)}" y1="${M.top}" x2="${x(t)}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text class="tick" x="${x(t)}" y="${M.top + ph + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<text x="${M.left + pw / 2}" y="${H - 22}" text-anchor="middle">throughput (good responses per second)</text></g>`);
  out.push('<g id="y-axis">');
  for (const t of yt) {
    out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${M.left + pw}" y2="${y(t)}" stroke="#eee"/>`);
    out.push(`<text class="tick" x="${M.left - 8}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(`<text transform="translate(22 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">latency (ms)</text></g>`);
  out.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  if (bound !== undefined) {
    out.push(`<line id="latency-bound" data-latency="${bound}" x1="${M.left}" y1="${y(bound)}" x2="${M.left + pw}" y2="${y(bound)}" stroke="#c62828" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${M.left + pw - 4}" y="${y(bound) - 6}" text-anchor="end" fill="#c62828">latency bound ${fmt(bound)} ms</text>`);
  }
  for (const [cls, color, pick] of [['p50', '#90a4ae', (s: StepResult) => s.latencyMs.p50], ['p99', '#1565c0', (s: StepResult) => s.latencyMs.p99]] as const) {
    if (steps.length > 1) {
      out.push(`<polyline class="line ${cls}" fill="none" stroke="${color}" stroke-width="2" points="${steps.map((s) => `${x(s.throughputRps).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const s of steps) {
      // A step cut short by Ctrl-C is drawn hollow: it is kept, but not used for the knee.
      const fill = s.partial ? '#ffffff' : s.errorRate > 0 ? '#ef6c00' : color;
      out.push(`<circle class="point ${cls}${s.partial ? ' partial' : ''}" data-concurrency="${s.concurrency}" data-throughput="${s.throughputRps}" data-latency="${pick(s)}" data-error-rate="${s.errorRate}" cx="${x(s.throughputRps).toFixed(1)}" cy="${y(pick(s)).toFixed(1)}" r="${cls === 'p99' ? 5 : 3.5}" fill="${fill}" stroke="${color}"><title>${esc(`concurrency ${s.concurrency}: ${s.throughputRps} req/s, ${cls} ${pick(s)} ms, errors ${Math.round(s.errorRate * 1000) / 10} %${s.partial ? ' (partial step)' : ''}`)}</title></circle>`);
      // The knee's own point is named by the knee label; a second label would sit on its ring.
      if (cls === 'p99' && s.concurrency !== data.knee?.concurrency) out.push(`<text class="point-label" x="${x(s.throughputRps) + 7}" y="${y(s.latencyMs.p99) - 7}" fill="#333">c=${s.concurrency}${s.partial ? ' (partial)' : ''}</text>`);
    }
  }
  const k = data.knee;
  const kStep = k ? steps.find((s) => s.concurrency === k.concurrency) : undefined;
  if (k && kStep) {
    const kx = x(kStep.throughputRps);
    const ky = y(kStep.latencyMs.p99);
    const label = `knee: concurrency ${k.concurrency}, ${fmt(k.throughputRps)} req/s, p99 ${fmt(kStep.latencyMs.p99)} ms`;
    const lx = Math.min(kx, M.left + pw - 330);
    const ly = ky > M.top + 60 ? ky - 30 : ky + 40;
    out.push(`<circle id="knee-marker" data-concurrency="${k.concurrency}" data-throughput="${k.throughputRps}" data-latency="${kStep.latencyMs.p99}" cx="${kx.toFixed(1)}" cy="${ky.toFixed(1)}" r="11" fill="none" stroke="#2e7d32" stroke-width="3"/>`);
    out.push(`<text id="knee-label" x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" fill="#2e7d32" font-weight="bold">${esc(label)}</text>`);
  } else {
    out.push(`<text id="knee-label" x="${M.left + 10}" y="${M.top + 16}" fill="#c62828" font-weight="bold">no knee: ${esc(steps.length ? 'the least loaded step already failed the bound or had errors' : 'no step completed')}</text>`);
  }
  // legend
  out.push(`<g id="legend" transform="translate(${M.left + 12} ${M.top + 30})"><circle cx="0" cy="0" r="5" fill="#1565c0"/><text x="10" y="4">p99</text><circle cx="50" cy="0" r="3.5" fill="#90a4ae"/><text x="60" y="4">p50</text><circle cx="100" cy="0" r="5" fill="#ef6c00"/><text x="110" y="4">step with errors</text></g>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** An HTML page with the plot inline and tables of every step and payload size. */
export function renderHtml(data: ReportData): string {
  const rows = data.steps.map((s) => `<tr${data.knee?.concurrency === s.concurrency ? ' class="knee"' : ''}><td>${s.concurrency}</td><td>${s.throughputRps}</td><td>${s.latencyMs.p50}</td><td>${s.latencyMs.p90}</td><td>${s.latencyMs.p99}</td><td>${s.latencyMs.max}</td><td>${Math.round(s.errorRate * 10000) / 100} %</td><td>${s.resources?.cpuCores ?? ''}</td><td>${s.resources?.peakRssMiB ?? ''}</td><td>${s.resources?.gpuUtilizationPercent ?? ''}</td></tr>`).join('\n');
  const sizes = (data.payloadSizes ?? []).map((p) => `<tr><td>${esc(p.file)}</td><td>${p.bytes}</td><td>${p.latencyMs.p50}</td><td>${p.latencyMs.p99}</td><td>${Math.round(p.errorRate * 10000) / 100} %</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`Inference profile: ${data.model} on ${data.hardware}`)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}tr.knee{background:#e8f5e9;font-weight:bold}p.rule{max-width:820px}</style></head>
<body>
<h1>${esc(`Inference profile: ${data.model} on ${data.hardware}`)}</h1>
<p>Target: ${esc(data.target)}. Measured ${esc(data.measuredAt)}. Status: <span id="status">${esc(data.status)}</span>.</p>
${renderSvg(data)}
<p class="rule">${data.knee ? `Knee rule: ${esc(data.knee.rule)}. Stopped because ${esc(data.knee.stoppedBecause)}. Estimated parallelism (saturation throughput x lowest p50 up to the knee): ${data.knee.estimatedParallelism}.` : 'No knee was found.'}</p>
<h2>Steps</h2>
<table id="steps"><tr><th>concurrency</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>errors</th><th>CPU cores</th><th>RSS MiB</th><th>GPU %</th></tr>
${rows}
</table>
${sizes ? `<h2>Input size</h2><table id="payload-sizes"><tr><th>payload</th><th>bytes</th><th>p50 ms</th><th>p99 ms</th><th>errors</th></tr>\n${sizes}\n</table>` : ''}
${(data.notes ?? []).length ? `<h2>Notes</h2><ul>${(data.notes ?? []).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
