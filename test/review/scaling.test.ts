import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateSamTemplate, generateTemplate } from '../../bench/review-templates';
import { DEFAULT_PRICES, loadTemplate, renderReport, reviewTemplate, summarize } from '../../lib/review';

/**
 * Review time must grow linearly with the template: every rule and the cost model index the
 * template once instead of scanning it per resource. Ten times the resources may cost at most twelve
 * times the CPU time (a quadratic step would cost a hundred times). CPU time of this process, not
 * wall time, so other work on the machine does not count; both sizes are measured in this one run.
 */
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-scaling-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cpuMs(template: unknown, name: string): number {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(template));
  const c0 = process.cpuUsage();
  const review = reviewTemplate(loadTemplate(file, tmp), { prices: DEFAULT_PRICES });
  renderReport(summarize([review]), 'table');
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

describe('review time grows linearly with the template', () => {
  test.each([
    ['plain', generateTemplate],
    ['SAM', generateSamTemplate],
  ])('%s: 20k resources cost less than 12 times 2k', (name, generate) => {
    // The first review compiles the code paths; the median of three steadies the small size.
    const small = [0, 1, 2, 3].map((i) => cpuMs(generate(2_000), `small-${name}-${i}.json`)).slice(1).sort((a, b) => a - b)[1];
    const large = cpuMs(generate(20_000), `large-${name}.json`);
    process.stdout.write(`${name}: 2k ${small.toFixed(0)} ms, 20k ${large.toFixed(0)} ms CPU\n`);
    expect(large / small).toBeLessThan(12);
  });
});
