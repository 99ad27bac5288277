import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { groupLines, limitLines } from '../../lib/cli/limits';
import { SageMakerRealtimeBackend } from '../../lib/compute';
import { deriveLimits, deriveQueueLimits, InferenceProfile } from '../../lib/profile';
import { runKig } from '../support/cli';

const PROFILE = {
  schemaVersion: 1, model: 'mnist', hardware: 'ml.g5.xlarge',
  latencyMs: { p50: 20, p90: 30, p99: 45 }, sustainableConcurrency: 4, throughputPerInstanceRps: 150,
  peakHostMemoryMiB: 2048, peakGpuMemoryMiB: 3000, coldStartSeconds: 40, maxRequestBytes: 65536,
  provenance: { tool: 'kig profile', measuredAt: '2026-01-01T00:00:00Z' },
};

describe('kig limits', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-limits-'));
    fs.writeFileSync(path.join(dir, 'p.json'), JSON.stringify(PROFILE));
    fs.writeFileSync(path.join(dir, 'slow.json'), JSON.stringify({ ...PROFILE, latencyMs: { p50: 20_000, p90: 40_000, p99: 60_000 } }));
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...PROFILE, sustainableConcurrency: 0 }));
  });

  test('every derived number is printed with its formula, grouped by construct', async () => {
    const r = await runKig(['limits', '--profile', 'p.json', '--max-instances', '3'], { cwd: dir });
    expect(r.code).toBe(0);
    // An ml.* profile is derived for a SageMaker real-time endpoint (6 MB, 60 s), as the service does.
    const limits = deriveLimits(InferenceProfile.fromJson(PROFILE), { maxInstances: 3, backend: SageMakerRealtimeBackend.capabilitiesFor(InferenceProfile.fromJson(PROFILE)) });
    const lines = limitLines(limits);
    for (const l of lines) expect(r.stdout).toContain(`  ${l.path} = ${l.value}\n      ${l.formula}\n`);
    // every formula deriveLimits reports is shown
    for (const formula of Object.values(limits.formulas)) expect(r.stdout).toContain(formula);
    expect(r.stdout).toMatch(/InferenceApi: API Gateway stage[^\n]*\n  timeouts.integrationTimeoutMs = \d+/);
    expect(r.stdout).toContain('  throttle.rateLimit = 360\n      min(account 10000, maxInstances 3 x throughput 150 req/s per instance x headroom 0.8) = 360 req/s');
    // The top tier under the per-key ceiling: 1 x 150 req/s x 0.8 x 0.5 / heavy cost (45 / 20 = 2.25).
    expect(r.stdout).toContain('usagePlanTiers.premium.rateLimit = 26.67');
    expect(r.stdout).toMatch(/Backend scaling[^\n]*\n  scaling.minInstances = 1/);
    expect(r.stdout).not.toContain('\nOther\n');
    expect(r.stdout).toContain('SageMaker real-time endpoint limit 6291456');
    expect(r.stdout).not.toContain('backend limit none');
    // The job queue's limits, from the same instance ceiling.
    const queue = deriveQueueLimits(InferenceProfile.fromJson(PROFILE), { maxInstances: 3 });
    expect(r.stdout).toMatch(/InferenceQueue: SQS, admission, workers[^\n]*\n/);
    expect(r.stdout).toContain(`  queue.depthBudget = ${queue.depthBudget}\n      ${queue.formulas.depthBudget}\n`);
  });

  test('groups claim every line exactly once', () => {
    const lines = limitLines(deriveLimits(InferenceProfile.fromJson(PROFILE)));
    const grouped = groupLines(lines);
    expect(grouped.map((g) => g.title)).toHaveLength(4);
    expect(grouped.flatMap((g) => g.lines).map((l) => l.path).sort()).toEqual(lines.map((l) => l.path).sort());
  });

  test('--json', async () => {
    const r = await runKig(['limits', '--profile', 'p.json', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.limits.throttle.rateLimit).toBe(240);
    expect(j.groups[0].lines[0]).toEqual({ path: 'timeouts.integrationTimeoutMs', value: j.limits.timeouts.integrationTimeoutMs, formula: expect.stringMatching(/^min\(/) });
  });

  test('the worst-case cost per hour: the API at its throttle, instances at their maximum, with the prices used', async () => {
    const r = await runKig(['limits', '--profile', 'p.json', '--max-instances', '3'], { cwd: dir });
    // 360 rps x 3600 s x $3.50/M = $4.536/h; 3 x ml.g5.xlarge at $1.408/h = $4.224/h.
    expect(r.stdout).toContain('API requests at the stage throttle: $4.54/h = 360 rps x 3600 s x $3.5/M');
    expect(r.stdout).toContain('instances at their maximum: $4.22/h = 3 (scaling.maxInstances) x ml.g5.xlarge $1.408/h');
    expect(r.stdout).toMatch(/Worst-case cost per hour \(us-east-1 on-demand prices as of \d{4}-\d{2}-\d{2}; override with --prices FILE\): \$\d+\.\d\d\/h/);
    fs.writeFileSync(path.join(dir, 'prices.json'), JSON.stringify({ region: 'eu-west-1', asOf: '2026-10-01', sageMakerInstancePerHour: { 'ml.g5.xlarge': 1.5 } }));
    const j = JSON.parse((await runKig(['limits', '--profile', 'p.json', '--max-instances', '3', '--prices', 'prices.json', '--json'], { cwd: dir })).stdout);
    expect(j.cost.region).toBe('eu-west-1');
    expect(j.cost.components[1].perHour).toBeCloseTo(4.5, 10);
    fs.writeFileSync(path.join(dir, 'badprices.json'), '{"sqsPerMillionRequests": "cheap"}');
    const bad = await runKig(['limits', '--profile', 'p.json', '--prices', 'badprices.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('kig limits: --prices badprices.json: sqsPerMillionRequests = "cheap" (allowed: a price >= 0). Fix: correct those entries.\n');
  });

  test('a profile whose limits break an invariant: exit 1 with the problems', async () => {
    const r = await runKig(['limits', '--profile', 'slow.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/profile.latencyMs.p99 = 60000: allowed at most the model-server timeout/);
  });

  test('missing or invalid profile file: exit 2 naming the file and field', async () => {
    const missing = await runKig(['limits', '--profile', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read inference profile/);
    const bad = await runKig(['limits', '--profile', 'bad.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sustainableConcurrency = 0: allowed an integer from 1 to 100000/);
    const usage = await runKig(['limits', '--max-instances', '0'], { cwd: dir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--profile = undefined/);
    expect(usage.stderr).toMatch(/--max-instances = "0": allowed an integer from 1 to 10000/);
  });
});
