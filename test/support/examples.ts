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
  }
  return s;
}

/** Removes the output of every example synthesized in this test file. */
export function removeSynthesizedExamples(): void {
  for (const s of synthesized.values()) fs.rmSync(s.outdir, { recursive: true, force: true });
  synthesized.clear();
}
