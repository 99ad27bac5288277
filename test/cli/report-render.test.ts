/**
 * The report looked at as a user would: rendered by headless Chromium, then the plot read back
 * from the page (point positions against the axis ticks, the knee marker and its label) and
 * compared with the profile JSON the same run wrote.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BrowserContext } from 'playwright-core';
import { renderSvg, StepResult } from '../../lib/profiler';
import { runKig } from '../support/cli';
import { ChildServer, startModelServer } from '../support/servers';

/** Debian's chromium on PATH: scripts/test-env.sh (run by `npm test` and CI) installs it when it can. */
const CHROMIUM = process.env.PATH?.split(path.delimiter).map((d) => path.join(d, 'chromium')).find((f) => fs.existsSync(f));
const MISSING = 'chromium is not on PATH and scripts/test-env.sh could not install it here (it needs apt-get as root or passwordless sudo); install it with `sudo apt-get install -y chromium`';
if (!CHROMIUM && process.env.CI === 'true') throw new Error(`${MISSING}. CI must render the report.`);
// eslint-disable-next-line no-console
if (!CHROMIUM) console.warn(`report rendering skipped: ${MISSING}`);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Plot {
  points: Array<{ concurrency: number; throughput: number; latency: number; cx: number; cy: number }>;
  xTicks: Array<{ value: number; x: number }>;
  yTicks: Array<{ value: number; y: number }>;
  knee: { concurrency: number; cx: number; cy: number } | null;
  kneeLabel: string;
  kneeLabelBox: { left: number; right: number; top: number; bottom: number };
  svgBox: { left: number; right: number; top: number; bottom: number };
}

/** The little of the DOM the page function uses (the project compiles without the DOM lib). */
interface DomRect { left: number; right: number; top: number; bottom: number; width: number; height: number }
interface Element { getBoundingClientRect(): DomRect; getAttribute(name: string): string | null; textContent: string | null }

/**
 * Reads the rendered plot: screen positions come from the layout engine, not from the markup.
 * Runs in the page (Playwright sends its source), so it only uses what the browser has.
 */
function readPlot(): Plot {
  const document = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Element>; querySelector(s: string): Element | null } }).document;
  const center = (el: Element) => { const r = el.getBoundingClientRect(); return { cx: r.left + r.width / 2, cy: r.top + r.height / 2 }; };
  const box = (el: Element) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const points = [...document.querySelectorAll('#latency-throughput circle.point.p99')].map((el) => ({
    concurrency: Number(el.getAttribute('data-concurrency')), throughput: Number(el.getAttribute('data-throughput')), latency: Number(el.getAttribute('data-latency')), ...center(el),
  }));
  const xTicks = [...document.querySelectorAll('#x-axis text.tick')].map((el) => ({ value: Number(el.textContent), x: center(el).cx }));
  const yTicks = [...document.querySelectorAll('#y-axis text.tick')].map((el) => ({ value: Number(el.textContent), y: el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2 }));
  const k = document.querySelector('#knee-marker');
  const label = document.querySelector('#knee-label')!;
  return {
    points, xTicks, yTicks,
    knee: k ? { concurrency: Number(k.getAttribute('data-concurrency')), ...center(k) } : null,
    kneeLabel: label.textContent ?? '',
    kneeLabelBox: box(label),
    svgBox: box(document.querySelector('#latency-throughput')!),
  };
}

/** Where a value should land on screen, interpolated between the first and last tick. */
function at(ticks: Array<{ value: number; pos: number }>, v: number): number {
  const a = ticks[0];
  const b = ticks[ticks.length - 1];
  return a.pos + ((v - a.value) / (b.value - a.value)) * (b.pos - a.pos);
}

(CHROMIUM ? describe : describe.skip)(CHROMIUM ? 'profile report rendered in headless Chromium' : `profile report rendered in headless Chromium (skipped: ${MISSING})`, () => {
  let server: ChildServer;
  let context: BrowserContext;
  let dir: string;
  let doc: { steps: StepResult[]; knee: { concurrency: number; throughputRps: number; latencyBoundMs: number } };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-report-'));
    fs.writeFileSync(path.join(dir, 'req.json'), '{"instances": [[1]]}');
    server = await startModelServer(['--concurrency', '3', '--service-ms', '30']);
    const r = await runKig(['profile', '--url', `${server.base}/invocations`, '--payload', 'req.json', '--concurrency', '1,2,3,6,12',
      '--step-seconds', '0.8', '--model', 'report-check', '--out', 'profile.json', '--report', 'report.html'], { cwd: dir });
    expect(r.code).toBe(0);
    doc = JSON.parse(fs.readFileSync(path.join(dir, 'profile.json'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'kig-chromium-profile-')), {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1000, height: 1400 },
    });
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  test('the HTML report plots every step where the JSON says, and marks the knee the JSON names', async () => {
    const page = await context.newPage();
    await page.goto(`file://${path.join(dir, 'report.html')}`);
    const plot = await page.evaluate(readPlot);
    await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
    // eslint-disable-next-line no-console
    console.log(`report screenshot: ${path.join(dir, 'report.png')}`);

    const measured = doc.steps.filter((s) => s.ok > 0);
    expect(plot.points.map((p) => [p.concurrency, p.throughput, p.latency])).toEqual(measured.map((s) => [s.concurrency, s.throughputRps, s.latencyMs.p99]));
    const xt = plot.xTicks.map((t) => ({ value: t.value, pos: t.x }));
    const yt = plot.yTicks.map((t) => ({ value: t.value, pos: t.y }));
    for (const p of plot.points) {
      expect(Math.abs(p.cx - at(xt, p.throughput))).toBeLessThan(2);
      expect(Math.abs(p.cy - at(yt, p.latency))).toBeLessThan(2);
    }
    // more throughput is further right, more latency is higher up
    // (points less than a pixel apart may be drawn in either order: steps at the knee can differ by 0.01 req/s)
    const byX = [...plot.points].sort((a, b) => a.cx - b.cx);
    for (let i = 0; i + 1 < byX.length; i++) {
      if (byX[i + 1].cx - byX[i].cx >= 1) expect(byX[i + 1].throughput).toBeGreaterThan(byX[i].throughput);
    }
    // the knee marker rings the knee's point, and its label says what the JSON says
    const kneePoint = plot.points.find((p) => p.concurrency === doc.knee.concurrency)!;
    expect(plot.knee!.concurrency).toBe(doc.knee.concurrency);
    expect(Math.hypot(plot.knee!.cx - kneePoint.cx, plot.knee!.cy - kneePoint.cy)).toBeLessThan(1);
    const label = /knee: concurrency (\d+), ([\d.]+) req\/s, p99 ([\d.]+) ms/.exec(plot.kneeLabel)!;
    expect(Number(label[1])).toBe(doc.knee.concurrency);
    expect(Number(label[2])).toBeCloseTo(doc.knee.throughputRps, 0);
    expect(Number(label[3])).toBeCloseTo(kneePoint.latency, 0);
    // the label is inside the picture, not cut off
    expect(plot.kneeLabelBox.left).toBeGreaterThanOrEqual(plot.svgBox.left);
    expect(plot.kneeLabelBox.right).toBeLessThanOrEqual(plot.svgBox.right);
    expect(plot.kneeLabelBox.top).toBeGreaterThanOrEqual(plot.svgBox.top);
    // the table row of the knee is highlighted
    expect(await page.textContent('#steps tr.knee td')).toBe(String(doc.knee.concurrency));
    await page.close();
  });

  test('the standalone SVG report renders the same knee', async () => {
    const svgFile = path.join(dir, 'report.svg');
    const d = doc as unknown as { model: string; hardware: string; extra: { target: string }; provenance: { measuredAt: string } };
    fs.writeFileSync(svgFile, renderSvg({ model: d.model, hardware: d.hardware, target: d.extra.target, measuredAt: d.provenance.measuredAt, steps: doc.steps, knee: doc.knee as never, status: 'complete' }));
    const page = await context.newPage();
    await page.goto(`file://${svgFile}`);
    const plot = await page.evaluate(readPlot);
    expect(plot.points).toHaveLength(doc.steps.length);
    expect(plot.knee!.concurrency).toBe(doc.knee.concurrency);
    expect(plot.svgBox.right - plot.svgBox.left).toBeGreaterThan(800);
    await page.close();
  });
});
