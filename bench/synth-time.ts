/**
 * Synth-time benchmark: the default app, and apps with 1, 10 and 25 KerasInferenceService
 * stacks (plus any backend builders registered in bench/builders.ts). Prints the figures.
 *
 *   npm run build && node dist/bench/synth-time.js [--runs N]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { buildApp } from '../examples/sagemaker-realtime-gpu/app';
import { InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, TensorDType } from '../lib';
import { EXTRA_BUILDERS } from './builders';

const profileJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'sagemaker-realtime-gpu', 'profile.json'), 'utf8').toString());

function serviceApp(n: number): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kig-bench-')) });
  const profile = InferenceProfile.fromJson(profileJson);
  const signature = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [28, 28, 1], maxBatchSize: 8 });
  for (let i = 0; i < n; i++) {
    const stack = new Stack(app, `Service${i}`);
    new KerasInferenceService(stack, 'Svc', { profile, model: ModelArtifact.fromS3Uri(`s3://models-bucket/m${i}/model.tar.gz`), signature, maxInstances: 4 });
  }
  return app;
}

function time(label: string, build: () => App, runs: number): void {
  const samples: number[] = [];
  let resources = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const app = build();
    const assembly = app.synth();
    samples.push(performance.now() - t0);
    resources = assembly.stacks.reduce((n, s) => n + Object.keys((s.template as { Resources?: object }).Resources ?? {}).length, 0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  process.stdout.write(`${label.padEnd(34)} median ${(median / 1000).toFixed(2).padStart(6)} s  min ${(samples[0] / 1000).toFixed(2).padStart(6)} s  (${runs} runs, ${resources} resources)\n`);
}

function main(): void {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
  process.stdout.write(`Synth time on ${os.cpus().length} CPU(s), node ${process.version}\n`);
  time('default app (with nag packs)', () => buildApp(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kig-bench-')) })), runs);
  for (const n of [1, 10, 25]) time(`${n} KerasInferenceService stack(s)`, () => serviceApp(n), n >= 25 ? Math.min(runs, 2) : runs);
  for (const [label, build] of EXTRA_BUILDERS) time(label, build, runs);
}

main();
