/**
 * Review-time benchmark: generates CloudFormation templates of 1k to 100k resources (REST APIs,
 * queues with workers, SageMaker endpoints, ECS services, alarms and log groups, with references
 * between them as real templates have), then times `kig review` on each: reading and parsing the
 * file, checking it, running every rule, pricing every component and rendering the table.
 *
 * Each size runs in its own process (warmed up first on a small template, so no size pays for
 * compiling the code), which reports the CPU time of the process (user + system, all its
 * threads: the garbage collector's helpers and the compiler too), the wall time, the time spent
 * in garbage-collection pauses and the peak resident set size. The time per resource stays flat
 * when review time grows linearly. On a shared machine the wall time also counts whatever else
 * runs, so the load average is printed beside it and the ratios use CPU time.
 *
 * Then a 500-resource SAM template (Serverless::Api with MethodSettings and a usage plan, functions
 * with Api and SQS events, Globals), which the review expands into the resources SAM generates, is
 * timed against a plain template of the same size, the plain template the transform would produce
 * for it, and a plain template of as many resources as that one, the four alternating run by run
 * in one process so that the machine's load weighs on each alike; then, after 40 more rounds, the
 * same once the optimizing compiler has finished with the code only SAM templates reach. Beside
 * each template: the rule results and the size of the table the review produces, the work it asks.
 *
 *   npm run build:lib && node dist/bench/review-bench.js [--runs N] [--resources N[,N...]]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PerformanceObserver, performance } from 'perf_hooks';
import { DEFAULT_PRICES, loadTemplate, renderReport, reviewTemplate, summarize } from '../lib/review';
import { expandSam } from '../lib/review/sam';
import { generateSamTemplate, generateTemplate } from './review-templates';

/** What one timed review costs. */
interface Sample {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** The figures a child process reports for one template. */
interface SizeResult {
  readonly resources: number;
  readonly megabytes: number;
  readonly components: number;
  readonly findings: number;
  readonly runs: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly wallMin: number;
  readonly wallMax: number;
  readonly gcMs: number;
  readonly peakRssMb: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function reviewOnce(file: string, dir: string): { sample: Sample; components: number; findings: number; resources: number; results: number; reportKb: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const review = reviewTemplate(loadTemplate(file, dir), { prices: DEFAULT_PRICES });
  const report = renderReport(summarize([review]), 'table');
  const c = process.cpuUsage(c0);
  let results = 0;
  for (const row of review.components) for (const cell of Object.values(row.mitigations)) results += cell.results.length;
  return {
    sample: { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 },
    components: review.components.length, findings: review.findings.length, resources: review.resourceCount, results, reportKb: report.length / 1024,
  };
}

/** Total garbage-collection pause time while `f` runs (entries arrive after the synchronous work). */
async function withGcTime<T>(f: () => T): Promise<{ value: T; gcMs: number }> {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const value = f();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { value, gcMs };
}

/** Child: warm up on `warm`, then review `file` `runs` times and print the figures as JSON. */
async function child(file: string, warm: string, runs: number): Promise<void> {
  const dir = path.dirname(file);
  // Enough reviews for the optimizing compiler to finish with the hot code: its threads count in CPU time.
  for (let i = 0; i < 10; i++) reviewOnce(warm, dir);
  const { value: results, gcMs } = await withGcTime(() => Array.from({ length: runs }, () => reviewOnce(file, dir)));
  const walls = results.map((r) => r.sample.wallMs);
  const out: SizeResult = {
    resources: results[0].resources, megabytes: fs.statSync(file).size / 1024 / 1024,
    components: results[0].components, findings: results[0].findings, runs,
    cpuMs: median(results.map((r) => r.sample.cpuMs)), wallMs: median(walls), wallMin: Math.min(...walls), wallMax: Math.max(...walls),
    gcMs: gcMs / runs,
    // The process's peak (in KB on Linux): node, the warm-up reviews and the largest review.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}

/** SAM and plain templates of the same size, and the plain one SAM would produce, alternating. */
function samComparison(dir: string, runs: number): void {
  const plain = path.join(dir, 'bench-500.template.json');
  const sam = path.join(dir, 'bench-sam-500.template.json');
  const processed = path.join(dir, 'bench-sam-500-processed.template.json');
  fs.writeFileSync(plain, JSON.stringify(generateTemplate(500), null, 1));
  const samTemplate = generateSamTemplate(500);
  fs.writeFileSync(sam, JSON.stringify(samTemplate, null, 1));
  const expanded = expandSam(samTemplate as never).template;
  fs.writeFileSync(processed, JSON.stringify(expanded, null, 1));
  // A plain template with as many resources as the SAM one generates: what the same amount of
  // reviewed resources costs without SAM.
  const generated = Object.keys(expanded.Resources).length;
  const plainGenerated = path.join(dir, `bench-${generated}.template.json`);
  fs.writeFileSync(plainGenerated, JSON.stringify(generateTemplate(generated), null, 1));
  const files = { plain, sam, processed, plainGenerated };
  // The CloudFormation each review reads, compact JSON: for the SAM template, what the transform generates.
  const compactKb = (t: unknown) => JSON.stringify(t).length / 1024;
  const reviewedKb = {
    plain: compactKb(generateTemplate(500)), sam: compactKb(expanded), processed: compactKb(expanded), plainGenerated: compactKb(generateTemplate(generated)),
  };
  for (let i = 0; i < 5; i++) for (const f of Object.values(files)) reviewOnce(f, dir);
  process.stdout.write(`\nSAM against plain (median of ${runs} runs each, alternating; load average ${loadAverage()}):\n`);
  measureAlternating(files, dir, runs, generated, reviewedKb);
  // The optimizing compiler is still at work on the code only SAM templates reach (its threads
  // count in the CPU time): the same figures once it has settled.
  const settle = 40;
  for (let i = 0; i < settle; i++) for (const f of Object.values(files)) reviewOnce(f, dir);
  process.stdout.write(`\nThe same after ${settle} more alternating rounds, once the compiler has settled (load average ${loadAverage()}):\n`);
  measureAlternating(files, dir, runs, generated, reviewedKb);
}

/** Reviews the four templates alternating, `runs` times each, and prints each one's median CPU and wall time and the ratios. */
function measureAlternating(files: Record<'plain' | 'sam' | 'processed' | 'plainGenerated', string>, dir: string, runs: number, generated: number,
  reviewedKb: Record<keyof typeof files, number>): void {
  type Name = keyof typeof files;
  const samples: Record<Name, Sample[]> = { plain: [], sam: [], processed: [], plainGenerated: [] };
  const shape: Partial<Record<Name, ReturnType<typeof reviewOnce>>> = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, f] of Object.entries(files) as Array<[Name, string]>) {
      const one = reviewOnce(f, dir);
      samples[name].push(one.sample);
      shape[name] = one;
    }
  }
  const cpu = (name: Name) => median(samples[name].map((s) => s.cpuMs));
  const wall = (name: Name) => median(samples[name].map((s) => s.wallMs));
  const describe: Record<Name, string> = {
    plain: 'plain template',
    sam: 'SAM template',
    processed: 'plain template SAM would produce for it',
    plainGenerated: 'plain template of as many resources as SAM generates',
  };
  for (const name of Object.keys(files) as Name[]) {
    const s = shape[name]!;
    process.stdout.write(`  ${describe[name]}: ${s.resources} resources, ${s.components} components, ${s.results} rule results, ${s.findings} findings, `
      + `${s.reportKb.toFixed(0)} KB of table, ${reviewedKb[name].toFixed(0)} KB of CloudFormation reviewed: ${cpu(name).toFixed(1)} ms CPU, ${wall(name).toFixed(1)} ms wall, `
      + `${((cpu(name) * 1000) / reviewedKb[name]).toFixed(0)} us CPU per KB reviewed\n`);
  }
  process.stdout.write(`  SAM / plain of the same size (CPU time): ${(cpu('sam') / cpu('plain')).toFixed(2)}x (target: within 2x); `
    + `the SAM template generates ${generated} resources; `
    + `SAM / its processed plain template: ${(cpu('sam') / cpu('processed')).toFixed(2)}x; processed / plain: ${(cpu('processed') / cpu('plain')).toFixed(2)}x; `
    + `SAM / plain of ${generated} resources: ${(cpu('sam') / cpu('plainGenerated')).toFixed(2)}x; `
    + `CloudFormation reviewed, SAM / plain of the same size: ${(reviewedKb.sam / reviewedKb.plain).toFixed(2)}x; `
    + `CPU per KB reviewed, SAM / plain: ${((cpu('sam') / reviewedKb.sam) / (cpu('plain') / reviewedKb.plain)).toFixed(2)}x; `
    // The review's work grows with its rule results (each component's rules, findings and table rows):
    // the SAM template asks for more of them than a plain one of as many resources.
    + `rule results, SAM / plain of the same size: ${(shape.sam!.results / shape.plain!.results).toFixed(2)}x; `
    + `CPU per rule result, SAM / plain: ${((cpu('sam') / shape.sam!.results) / (cpu('plain') / shape.plain!.results)).toFixed(2)}x\n`);
}

function main(): void {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const childFile = arg('--child');
  if (childFile !== undefined) {
    void child(childFile, arg('--warm')!, Number(arg('--runs')));
    return;
  }
  const sizes = (arg('--resources') ?? '1000,2000,10000,20000,50000,100000').split(',').map(Number);
  const runsArg = arg('--runs') !== undefined ? Number(arg('--runs')) : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-review-bench-'));
  try {
    const warm = path.join(dir, 'warm-up.template.json');
    fs.writeFileSync(warm, JSON.stringify(generateTemplate(2000), null, 1));
    process.stdout.write(`Review of generated plain templates, one process per size (node ${process.version}, ${os.cpus().length} CPUs; load average ${loadAverage()}):\n`);
    process.stdout.write('  resources      MB  components  findings  runs   CPU ms  wall ms (min-max)        GC ms  peak RSS MB  CPU us/resource\n');
    const perResource: number[] = [];
    for (const count of sizes) {
      const file = path.join(dir, `bench-${count}.template.json`);
      fs.writeFileSync(file, JSON.stringify(generateTemplate(count), null, 1));
      // Fewer runs for the large sizes: each takes seconds.
      const runs = runsArg ?? (count >= 50_000 ? 1 : count >= 10_000 ? 3 : 15);
      const out = execFileSync(process.execPath, [__filename, '--child', file, '--warm', warm, '--runs', String(runs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      fs.rmSync(file);
      const r = JSON.parse(out.trim().split('\n').pop()!) as SizeResult;
      const us = (r.cpuMs * 1000) / r.resources;
      perResource.push(us);
      process.stdout.write(`  ${String(r.resources).padStart(9)}  ${r.megabytes.toFixed(1).padStart(6)}  ${String(r.components).padStart(10)}  ${String(r.findings).padStart(8)}  ${String(r.runs).padStart(4)}  `
        + `${r.cpuMs.toFixed(0).padStart(7)}  ${`${r.wallMs.toFixed(0)} (${r.wallMin.toFixed(0)}-${r.wallMax.toFixed(0)})`.padEnd(23)}  ${r.gcMs.toFixed(0).padStart(5)}  ${r.peakRssMb.toFixed(0).padStart(11)}  ${us.toFixed(1).padStart(15)}\n`);
    }
    if (perResource.length > 1) {
      process.stdout.write(`  CPU time per resource, largest / smallest size: ${(perResource[perResource.length - 1] / perResource[0]).toFixed(2)}x (flat is 1; load average now ${loadAverage()})\n`);
    }
    samComparison(dir, runsArg ?? 21);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
