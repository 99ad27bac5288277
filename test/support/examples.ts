import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** The example apps: every folder of examples/ with an app.ts. */
export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
export const EXAMPLES = fs.readdirSync(EXAMPLES_DIR).filter((d) => fs.existsSync(path.join(EXAMPLES_DIR, d, 'app.ts')));

/** One synthesized example: the construct tree (for the rule packs) and its cloud assembly. */
export interface SynthesizedExample {
  readonly app: App;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
}

const synthesized = new Map<string, SynthesizedExample>();

/**
 * Builds and synthesizes an example once (synthesis is the slow part of the example tests: every
 * check of an example reads this one result), with the policy validation report written as JSON.
 */
export function synthesizeExample(name: string): SynthesizedExample {
  let s = synthesized.get(name);
  if (!s) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require(path.join(EXAMPLES_DIR, name, 'app.ts')) as { buildApp: (app?: App) => App };
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `kig-example-${name}-`));
    const app = buildApp(new App({ outdir, context: { '@aws-cdk/core:validationReportJson': true } }));
    // With aws-cdk-lib's built-in CloudFormation validation, as `cdk synth` runs it (the jest
    // global setup turns it off for the unit tests).
    const before = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'true';
    try {
      s = { app, assembly: app.synth(), outdir };
    } finally {
      if (before === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = before;
    }
    synthesized.set(name, s);
    share(name, outdir);
  }
  return s;
}

/** Removes the output of every example synthesized in this test file. */
export function removeSynthesizedExamples(): void {
  for (const s of synthesized.values()) fs.rmSync(s.outdir, { recursive: true, force: true });
  synthesized.clear();
}

/** Where this run shares an example's assembly (KIG_TEST_RUN_DIR from the jest global setup), if it does. */
function sharedDir(name: string): string | undefined {
  const run = process.env.KIG_TEST_RUN_DIR;
  return run && fs.existsSync(run) ? path.join(run, 'examples', name) : undefined;
}

/**
 * Puts a copy of a freshly synthesized assembly where the run shares it, before any test writes
 * into its own output. Two workers that synthesize the same example at once both try; the first
 * rename wins and the other copy is discarded, so a reader never sees a partial assembly.
 */
function share(name: string, outdir: string): void {
  const target = sharedDir(name);
  if (!target || fs.existsSync(target)) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staged = fs.mkdtempSync(`${target}-staging-`);
  fs.cpSync(outdir, staged, { recursive: true });
  try {
    fs.renameSync(staged, target);
  } catch (e) {
    // Another worker's copy is in place: the same app, synthesized the same way.
    if (!fs.existsSync(target)) throw e;
    fs.rmSync(staged, { recursive: true, force: true });
  }
}

/**
 * The cloud assembly directory of an example, synthesized once per test run and shared by every
 * test file and jest worker that only reads its templates (the drill, the cost model): the first
 * file that synthesizes the example (synthesizeExample) shares it. The jest global teardown
 * removes the run's directory; without one (a file run by another runner) the example is
 * synthesized for this file. Readers must not write into it.
 */
export function exampleAssemblyDir(name: string): string {
  const target = sharedDir(name);
  if (target && fs.existsSync(target)) return target;
  const own = synthesizeExample(name).outdir;
  return target && fs.existsSync(target) ? target : own;
}
