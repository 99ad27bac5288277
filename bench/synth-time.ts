/**
 * Synth-time benchmark: the default app, and apps with 1, 10 and 25 KerasInferenceService
 * stacks, plus the backend builders registered in bench/builders.ts. Prints two figures per app:
 *
 * - cold: a fresh node process that loads the library and aws-cdk-lib, builds and synthesizes the
 *   app once (what `cdk synth` pays, minus the CLI's own start-up);
 * - warm: the same build + synth repeated inside one process (construct code only).
 *
 *   npm run build && node dist/bench/synth-time.js [--runs N]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';

type Builder = () => App;

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kig-bench-'));
}

/** The apps, looked up by name so a child process can build one of them. */
function cases(): Array<[string, Builder]> {
  // Loaded lazily: a cold child measures these requires too.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { buildApp } = require('../examples/sagemaker-realtime-gpu/app') as typeof import('../examples/sagemaker-realtime-gpu/app');
  const lib = require('../lib') as typeof import('../lib');
  const { EXTRA_BUILDERS } = require('./builders') as typeof import('./builders');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const profileJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'sagemaker-realtime-gpu', 'profile.json'), 'utf8'));
  const serviceApp = (n: number): App => {
    const app = new App({ outdir: outdir() });
    const profile = lib.InferenceProfile.fromJson(profileJson);
    const signature = lib.ModelSignature.singleTensor({ dtype: lib.TensorDType.FLOAT32, shape: [28, 28, 1], maxBatchSize: 8 });
    for (let i = 0; i < n; i++) {
      const stack = new Stack(app, `Service${i}`);
      new lib.KerasInferenceService(stack, 'Svc', { profile, compute: lib.InferenceCompute.sageMakerRealtime({ model: lib.ModelArtifact.fromS3Uri(`s3://models-bucket/m${i}/model.tar.gz`) }), signature, maxInstances: 4 });
    }
    return app;
  };
  return [
    ['default app (with all rule packs)', () => buildApp(new App({ outdir: outdir() }))],
    ['1 KerasInferenceService stack', () => serviceApp(1)],
    ['10 KerasInferenceService stacks', () => serviceApp(10)],
    ['25 KerasInferenceService stacks', () => serviceApp(25)],
    ...EXTRA_BUILDERS,
  ];
}

function synthOnce(build: Builder): { ms: number; resources: number } {
  const t0 = performance.now();
  const assembly = build().synth();
  const ms = performance.now() - t0;
  const resources = assembly.stacks.reduce((n, s) => n + Object.keys((s.template as { Resources?: object }).Resources ?? {}).length, 0);
  return { ms, resources };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const childIdx = process.argv.indexOf('--child');
  if (childIdx > 0) {
    // Cold: time from process start (library loading included) to the synthesized assembly.
    const label = process.argv[childIdx + 1];
    const build = cases().find(([l]) => l === label)![1];
    const { resources } = synthOnce(build);
    process.stdout.write(JSON.stringify({ ms: performance.now(), resources }));
    return;
  }
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
  process.stdout.write(`Synth time on ${os.cpus().length} CPU(s), node ${process.version}; median of ${runs} runs\n`);
  process.stdout.write(`${'app'.padEnd(36)} ${'cold'.padStart(8)} ${'warm'.padStart(8)}  resources\n`);
  for (const [label, build] of cases()) {
    const cold: number[] = [];
    let resources = 0;
    for (let r = 0; r < runs; r++) {
      const out = JSON.parse(execFileSync(process.execPath, [__filename, '--child', label], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } }));
      cold.push(out.ms);
      resources = out.resources;
    }
    synthOnce(build); // warm-up
    const warm = Array.from({ length: runs }, () => synthOnce(build).ms);
    process.stdout.write(`${label.padEnd(36)} ${(median(cold) / 1000).toFixed(2).padStart(6)} s ${(median(warm) / 1000).toFixed(2).padStart(6)} s  ${resources}\n`);
  }
}

main();
