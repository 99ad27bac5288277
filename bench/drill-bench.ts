/**
 * Drill-time benchmark: synthesizes the largest example (the ECS GPU app with its job queue) and
 * times a 15-minute drill of every scenario on it, reading the cdk.out each time as `kig drill`
 * does. Prints the median of several runs per scenario.
 *
 *   npm run build && node dist/bench/drill-bench.js [--runs N]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { Drill } from '../lib/drill';

function main(): void {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-drill-bench-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require('../examples/ecs-gpu/app') as { buildApp: (app?: App) => App };
    buildApp(new App({ outdir })).synth();
    console.log(`15-minute drill of examples/ecs-gpu (median of ${runs} runs; target < 2000 ms)`);
    for (const scenario of Drill.scenarios()) {
      const times: number[] = [];
      let line = '';
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = Drill.runFile(outdir, { scenario, durationSeconds: 900 });
        times.push(performance.now() - t0);
        line = `legit ${(r.legit.successRate * 100).toFixed(1)} %, attacker ${(r.attack.successRate * 100).toFixed(2)} %, peak ${r.peakInstances} instances, $${r.costPerHourUsd.peak.toFixed(2)}/h`;
      }
      times.sort((a, b) => a - b);
      console.log(`  ${scenario.padEnd(12)} ${times[Math.floor(times.length / 2)].toFixed(0).padStart(5)} ms   ${line}`);
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main();
