import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { kig } from '../review/support';
import { cfnLint } from '../support/cfn-lint';
import { randomDocument, templateCase } from './arbitraries';

// Fixed seed and a bounded number of runs: the suite stays fast and reproducible. The longer run
// is bench/generative.ts.
const SEED = 20260415;

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-generative-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
async function review(text: string, ext: string) {
  const file = `t${++n}.${ext}`;
  fs.writeFileSync(path.join(tmp, file), text);
  const r = await kig(['review', file, '--format', 'json'], { cwd: tmp });
  return { ...r, file };
}

function answered(r: { code: number; stderr: string }) {
  expect([0, 1, 2]).toContain(r.code);
  expect(r.stderr).not.toMatch(/\n\s+at |RangeError|TypeError|Maximum call stack|internal error/i);
}

describe('kig review on generated templates', () => {
  test('mutated fixtures: always an answer, exit 2 for every mutation that breaks the template; accepted ones pass cfn-lint', async () => {
    const accepted: string[] = [];
    await fc.assert(fc.asyncProperty(templateCase, async (c) => {
      const r = await review(c.text, c.ext);
      answered(r);
      if (c.mustRefuse) expect({ mutation: c.mutation, code: r.code }).toEqual({ mutation: c.mutation, code: 2 });
      if (r.code !== 2 && accepted.length < 12) accepted.push(r.file);
    }), { seed: SEED, numRuns: 120 });

    // Never exit 0/1 (a review) on a template cfn-lint rejects: one bounded cfn-lint run over a
    // sample of the accepted ones.
    expect(accepted.length).toBeGreaterThan(0);
    const lint = await cfnLint(['--format', 'parseable', ...accepted], { cwd: tmp });
    const errors = lint.stdout.split('\n').filter((l) => /:E\d{4}:/.test(l));
    expect(errors).toEqual([]);
  });

  test('random documents: always a one-line answer, never a crash', async () => {
    await fc.assert(fc.asyncProperty(randomDocument, fc.constantFrom('json', 'yaml'), async (text, ext) => {
      const r = await review(text, ext);
      answered(r);
      if (r.code === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }), { seed: SEED, numRuns: 150 });
  });
});
