/**
 * Review-time benchmark: generates CloudFormation templates of 1k, 10k and 100k resources (REST APIs,
 * queues with workers, SageMaker endpoints, ECS services, alarms and log groups, with references
 * between them as real templates have), then times `kig review` on it: reading and parsing the
 * file, running every rule, pricing every component and rendering the table. Prints the median
 * of several runs per size and the time per resource, which stays flat when review time grows
 * linearly. Then does the same for a 500-resource SAM template (Serverless::Api with
 * MethodSettings and a usage plan, functions with Api and SQS events, Globals), which the review
 * expands into the resources SAM generates first, and prints the ratio to a plain one.
 *
 *   npm run build && node dist/bench/review-bench.js [--runs N] [--resources N[,N...]]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { DEFAULT_PRICES, loadTemplate, renderReport, reviewTemplate, summarize } from '../lib/review';
import { expandSam } from '../lib/review/sam';
import { generateSamTemplate, generateTemplate } from './review-templates';

function main(): void {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const sizes = arg('--resources', '1000,10000,100000').split(',').map(Number);
  const runsArg = process.argv.includes('--runs') ? Number(arg('--runs', '3')) : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-review-bench-'));
  try {
    const time = (name: string, template: unknown, kind: string, runs: number): number => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(template, null, 1));
      const megabytes = fs.statSync(file).size / 1024 / 1024;
      const samples: number[] = [];
      const cpuSamples: number[] = [];
      let findings = 0;
      let components = 0;
      let resources = 0;
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const loaded = loadTemplate(file, dir);
        const review = reviewTemplate(loaded, { prices: DEFAULT_PRICES });
        renderReport(summarize([review]), 'table');
        samples.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpuSamples.push((c.user + c.system) / 1000);
        findings = review.findings.length;
        components = review.components.length;
        resources = review.resourceCount;
      }
      samples.sort((a, b) => a - b);
      cpuSamples.sort((a, b) => a - b);
      const median = samples[Math.floor(samples.length / 2)];
      // CPU time (user + system of this process) is what the review costs; wall time on a shared
      // machine adds whatever else runs, so both are printed and the ratios use CPU time.
      const cpu = cpuSamples[Math.floor(cpuSamples.length / 2)];
      process.stdout.write(`review of a ${resources}-resource ${kind} template (${megabytes.toFixed(1)} MB, ${components} components, ${findings} findings): `
        + `median ${median.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU over ${runs} run(s) (wall min ${samples[0].toFixed(1)}, max ${samples[samples.length - 1].toFixed(1)}); ${((cpu * 1000) / resources).toFixed(1)} us CPU per resource\n`);
      return cpu;
    };
    // One untimed review first, so the first size is not charged for compiling the code.
    const warm = path.join(dir, 'warm-up.template.json');
    fs.writeFileSync(warm, JSON.stringify(generateTemplate(2000)));
    reviewTemplate(loadTemplate(warm, dir), { prices: DEFAULT_PRICES });
    for (const count of sizes) {
      // Fewer runs for the large sizes: each takes seconds.
      const runs = runsArg ?? (count >= 100_000 ? 1 : count >= 10_000 ? 3 : 9);
      time(`bench-${count}.template.json`, generateTemplate(count), 'plain', runs);
    }
    // Many short runs each: the medians are steady even on a busy machine.
    const plain = time('bench-500.template.json', generateTemplate(500), 'plain', runsArg ?? 21);
    const sam = time('bench-sam-500.template.json', generateSamTemplate(500), 'SAM', runsArg ?? 21);
    // The same application written out as the plain template the SAM transform would produce: the
    // ratio to it is what reading SAM costs; the ratio above also counts the resources SAM generates.
    const samTemplate = generateSamTemplate(500);
    const expanded = expandSam(samTemplate as never).template;
    const processed = time('bench-sam-500-processed.template.json', expanded, 'plain (the SAM one as processed by the transform)', runsArg ?? 21);
    process.stdout.write(`SAM / plain at 500 resources (CPU time): ${(sam / plain).toFixed(2)}x (target: within 2x); the SAM template generates ${Object.keys(expanded.Resources).length} resources: `
      + `SAM / its processed plain template: ${(sam / processed).toFixed(2)}x\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
