import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Drill } from '../../lib/drill';
import { poisson, rng } from '../../lib/drill/private/engine';
import { runKig } from '../support/cli';
import { HAND_PROFILE, handMade } from './templates';

/**
 * Hand-made templates whose outcome follows from first principles: a token bucket shared by a
 * flood hands each client its share of the offered requests; a per-key bucket holds the flooding
 * key to its own rate; a plan above the spare capacity of the backend lets one key take it; a WAF
 * per-IP rule cuts the flood after its blocking delay; with nothing, the backend's capacity is
 * split among everyone in proportion to what they send.
 */
const run = (template: Record<string, unknown>, o: Parameters<typeof Drill.runTemplate>[1] = {}) =>
  Drill.runTemplate(template, { profile: HAND_PROFILE, durationSeconds: 300, ...o });

describe('first principles', () => {
  test('a stage throttle alone: the flood takes nearly every token, legitimate clients get their share (rate x legit / total)', () => {
    // Stage 80 req/s in front of a 100 req/s endpoint; one client floods at 10,000 req/s, legitimate 20 req/s.
    const r = run(handMade({ stage: { rate: 80, burst: 160 } }), { attackRps: 10_000, legitRps: 20, legitClients: 20 });
    const share = 80 / (10_000 + 20); // of the tokens, so of the legitimate requests too
    expect(r.legit.successRate).toBeGreaterThan(share * 0.7);
    expect(r.legit.successRate).toBeLessThan(share * 1.5 + 160 / (20 * 300)); // + the initial burst
    expect(r.passed).toBe(false);
    expect(r.cause).toMatch(/stage prod default throttle \(80 req\/s\) is one bucket shared by every client/);
    expect(r.fix).toMatch(/usage plan of at most 80 req\/s per key/); // 100 req/s capacity - 20 legitimate
  });

  test('a per-key plan: the flooding key gets its own rate, every legitimate client is served', () => {
    const r = run(handMade({ stage: { rate: 80, burst: 160 }, plan: { rate: 2, burst: 4 } }), { attackRps: 10_000, legitRps: 20, legitClients: 20 });
    expect(r.legit.successRate).toBeGreaterThanOrEqual(0.995);
    // The attacker: 2 req/s (+ a burst of 4) out of 10,000.
    expect(r.attack.succeeded).toBeGreaterThan(2 * 300 * 0.9);
    expect(r.attack.succeeded).toBeLessThanOrEqual(2 * 300 + 4 + 1);
    expect(r.attack.refusedBy.plan).toBeGreaterThan(10_000 * 300 * 0.99);
    expect(r.passed).toBe(true);
  });

  test('a plan above the spare capacity: one key fills the backend, legitimate success = capacity / offered load', () => {
    // Plan 200 req/s per key, backend 100 req/s (1 instance, no scaling), legitimate 50 req/s:
    // the backend gets 250 req/s and serves 100, in proportion: 100 / 250 = 40 % of legitimate requests.
    const r = run(handMade({ stage: { rate: 1000, burst: 1000 }, plan: { rate: 200, burst: 200 } }), { attackRps: 10_000, legitRps: 50, legitClients: 25 });
    expect(r.legit.successRate).toBeGreaterThan(0.36);
    expect(r.legit.successRate).toBeLessThan(0.46);
    expect(r.legit.refusedBy.capacity).toBeGreaterThan(0);
    expect(r.cause).toMatch(/usage plan plan lets one key send 200 req\/s, above the 50 req\/s the minimum fleet \(100 req\/s\) has beside legitimate traffic/);
    expect(r.fix).toMatch(/at most 50 req\/s.*or raise minInstances to 3/);
  });

  test('a WAF per-IP rule: the flood passes only until the block, for the blocking delay', () => {
    // No plan; stage 1000 req/s; WAF 100 per 60 s per IP; one IP floods at 10,000 req/s.
    const t = handMade({ stage: { rate: 1000, burst: 1000 }, wafPerIp: { limit: 100, window: 60 } });
    const o = { attackRps: 10_000, legitRps: 25, legitClients: 50, durationSeconds: 900 }; // 0.5 req/s per client: 30 per window, under 100
    const immediate = run(t, { ...o, wafBlockDelaySeconds: 0 });
    const delayed = run(t, { ...o, wafBlockDelaySeconds: 60 });
    expect(immediate.legit.refusedBy.waf).toBe(0);
    expect(immediate.legit.successRate).toBeGreaterThan(0.99);
    // Before the block the stage passes 1000 req/s, nearly all the attacker's, to a 100 req/s backend:
    // legitimate clients lose about the delay's share of the drill (61 of 900 s).
    expect(1 - delayed.legit.successRate).toBeGreaterThan((61 / 900) * 0.85);
    expect(1 - delayed.legit.successRate).toBeLessThan((61 / 900) * 1.1);
    expect(delayed.attack.refusedBy.waf).toBeGreaterThan(10_000 * (900 - 70));
  });

  test('nothing: legitimate clients get the backend in proportion to what they send (about 0)', () => {
    const r = run(handMade({}), { attackRps: 20_000, legitRps: 20, legitClients: 20 });
    // The account bucket (10,000 req/s) passes half of everything; the 100 req/s backend serves 1 % of that.
    expect(r.legit.successRate).toBeLessThan(0.01);
    expect(r.legit.refusedBy.account / r.legit.offered).toBeCloseTo(0.5, 1);
    expect(r.cause).toMatch(/account throttle \(per Region\) \(10000 req\/s\) is one bucket shared by every client/);
    expect(r.fix).toMatch(/require API keys with a usage plan/);
  });

  test('a usage-plan quota stops a key for the rest of the day once spent', () => {
    const r = run(handMade({ stage: { rate: 1000, burst: 1000 }, plan: { rate: 50, burst: 50, quota: 3000 } }), { attackRps: 10_000, legitRps: 20, legitClients: 20 });
    expect(r.attack.succeeded).toBeLessThanOrEqual(3000);
    expect(r.attack.refusedBy.quota).toBeGreaterThan(0);
  });

  test('the same seed gives the same drill; another seed differs only by the draws', () => {
    const t = handMade({ stage: { rate: 80, burst: 160 }, plan: { rate: 2, burst: 4 } });
    const a = run(t, { seed: 7 });
    expect(run(t, { seed: 7 })).toEqual(a);
    const b = run(t, { seed: 8 });
    expect(b.legit.offered).not.toBe(a.legit.offered);
    expect(Math.abs(b.legit.offered - a.legit.offered) / a.legit.offered).toBeLessThan(0.05);
  });

  test('Poisson draws have the right mean on both sides of the normal approximation', () => {
    const rand = rng(3);
    for (const lambda of [2, 25, 500]) {
      let sum = 0;
      for (let i = 0; i < 4000; i++) sum += poisson(lambda, rand);
      expect(Math.abs(sum / 4000 - lambda) / lambda).toBeLessThan(0.03);
    }
  });
});

/** A template shaped like the library's: WAF per IP, keys required, a plan, scaling, a job queue. */
const FULL = handMade({
  stage: { rate: 320, burst: 64 }, plan: { rate: 20, burst: 20, quota: 900_000 }, wafPerIp: { limit: 7200, window: 300 },
  instances: { min: 1, max: 4, targetPerMinute: 4200 }, jobs: { depthBudget: 10_000, drainRate: 70 },
});

describe('kig drill, one test per scenario', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-drill-'));
    fs.writeFileSync(path.join(dir, 'full.json'), JSON.stringify(FULL));
    fs.writeFileSync(path.join(dir, 'stage-only.json'), JSON.stringify(handMade({ stage: { rate: 80, burst: 160 } })));
    fs.writeFileSync(path.join(dir, 'profile.json'), JSON.stringify(HAND_PROFILE.toJson()));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const drill = async (scenario: string, extra: string[] = []) => {
    const r = await runKig(['drill', 'full.json', '--profile', 'profile.json', '--scenario', scenario, '--duration', '600', '--json', ...extra], { cwd: dir });
    return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
  };
  const names = (j: Record<string, any>) => {
    for (const v of [j.legit.successRate, j.legit.p99Ms, j.attack.successRate, j.peakInstances, j.costPerHourUsd.peak]) expect(typeof v).toBe('number');
    expect(Array.isArray(j.timeline) && j.timeline.length).toBe(60);
    expect(j.assumptions.length).toBeGreaterThan(5);
  };

  test('single-key: the plan holds the key to 20 req/s, WAF blocks its IP; legitimate clients keep >= 99 %', async () => {
    const r = await drill('single-key');
    expect(r.code).toBe(0);
    names(r.json);
    expect(r.json.parameters.attackRps).toBe(40_000); // 100 x 4 instances x 100 req/s
    expect(r.json.parameters.legitRps).toBe(50); // half of 1 x 100 req/s
    expect(r.json.legit.successRate).toBeGreaterThanOrEqual(0.99);
    expect(r.json.attack.refusedBy.waf).toBeGreaterThan(0);
    expect(r.json.timeline.some((row: { wafBlocking: boolean }) => row.wafBlocking)).toBe(true);
  });

  test('stolen-key: many IPs under the WAF limit, held by the key\'s plan; >= 95 %', async () => {
    const r = await drill('stolen-key');
    expect(r.code).toBe(0);
    names(r.json);
    expect(r.json.attack.refusedBy.waf).toBe(0);
    expect(r.json.attack.refusedBy.plan).toBeGreaterThan(0);
    expect(r.json.legit.successRate).toBeGreaterThanOrEqual(0.95);
  });

  test('many-keys: only the shared stage throttle stands; no target, the figure is reported', async () => {
    const r = await drill('many-keys');
    expect(r.code).toBe(0);
    names(r.json);
    expect(r.json.target).toBeUndefined();
    expect(r.json.legit.successRate).toBeLessThan(0.05);
    expect(r.json.verdict).toMatch(/no target/);
    expect(r.json.fix).toMatch(/no per-client limit stops many valid keys/);
  });

  test('heavy: requests of p99/p50 = 2 median requests; the plan still leaves room', async () => {
    const r = await drill('heavy');
    expect(r.code).toBe(0);
    expect(r.json.parameters.heavyCost).toBe(2);
    expect(r.json.legit.successRate).toBeGreaterThanOrEqual(0.99);
    // A heavier request than the plan allows for: exit 1 naming the plan.
    const worse = await drill('heavy', ['--heavy-cost', '5', '--waf-delay', '600']);
    expect(worse.code).toBe(1);
    expect(worse.json.passed).toBe(false);
    expect(worse.stderr).toMatch(/below the target 0.99: .*usage plan plan lets one key send 20 req\/s of 5x requests.*Fix: lower the top tier's per-key rate to at most 10 req\/s/);
  });

  test('surge: x5 legitimate clients, the fleet scales out; nothing refused beyond what capacity forces', async () => {
    const r = await drill('surge');
    expect(r.code).toBe(0);
    expect(r.json.attack.offered).toBe(0);
    expect(r.json.peakInstances).toBeGreaterThan(1);
    expect(r.json.legit.refusedBy.stage + r.json.legit.refusedBy.plan + r.json.legit.refusedBy.waf).toBe(0);
    expect(r.json.legit.successRate).toBeGreaterThanOrEqual(r.json.target);
  });

  test('queue-flood: the key floods POST /jobs; admission and drain keep legitimate jobs in', async () => {
    const r = await drill('queue-flood');
    expect(r.code).toBe(0);
    names(r.json);
    expect(r.json.entryPoint).toMatch(/POST \/jobs/);
    expect(r.json.legit.successRate).toBeGreaterThanOrEqual(0.99);
    // A budget the flood fills: legitimate jobs are refused by admission.
    fs.writeFileSync(path.join(dir, 'small-queue.json'), JSON.stringify(handMade({ stage: { rate: 320, burst: 64 }, jobs: { depthBudget: 500, drainRate: 70 } })));
    const full = await runKig(['drill', 'small-queue.json', '--profile', 'profile.json', '--scenario', 'queue-flood', '--duration', '300', '--json'], { cwd: dir });
    expect(full.code).toBe(1);
    expect(JSON.parse(full.stdout).legit.refusedBy.admission).toBeGreaterThan(0);
  });

  test('table output, --report SVG and HTML, exit 1 with the cause on the stage-only API', async () => {
    const r = await runKig(['drill', 'stage-only.json', '--profile', 'profile.json', '--duration', '120', '--report', 'out.svg'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL: legitimate success \d+\.\d % < target 99\.0 %/);
    expect(r.stdout).toMatch(/cause: .*stage prod default throttle/);
    const svg = fs.readFileSync(path.join(dir, 'out.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(6);
    const html = await runKig(['drill', 'full.json', '--profile', 'profile.json', '--duration', '60', '--report', 'out.html'], { cwd: dir });
    expect(html.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out.html'), 'utf8')).toMatch(/<!DOCTYPE html>[\s\S]*<svg[\s\S]*kig drill single-key/);
  });

  test('kig review shows the single-key drill as a "flood" line per REST API', async () => {
    // The stage-only API: review marks rate limiting present, the drill shows it does not protect users.
    const weak = await runKig(['review', 'stage-only.json', '--profile', 'profile.json'], { cwd: dir });
    expect(weak.stdout).toMatch(/\n {4}flood {13}FAILS {4}single-key flood: legitimate \d+\.\d %, .*stage prod default throttle \(80 req\/s\) is one bucket shared by every client/);
    const strong = await runKig(['review', 'full.json', '--profile', 'profile.json', '--format', 'json'], { cwd: dir });
    const api = JSON.parse(strong.stdout).templates[0].components.find((c: { id: string }) => c.id === 'Api');
    expect(api.flood.passed).toBe(true);
    expect(api.flood.legitSuccessRate).toBeGreaterThanOrEqual(0.99);
    const none = await runKig(['review', 'full.json', '--format', 'markdown'], { cwd: dir });
    expect(none.stdout).toContain('- **flood**: not simulated: no profile: pass one (--profile FILE)');
  });

  test('bad usage and input exit 2 with the reason', async () => {
    const bad = async (args: string[]) => runKig(['drill', ...args], { cwd: dir });
    expect((await bad(['full.json', '--profile', 'profile.json', '--scenario', 'nope'])).stderr).toMatch(/--scenario "nope": allowed single-key/);
    expect((await bad(['full.json', '--profile', 'profile.json', '--legit-rps', '-3'])).code).toBe(2);
    expect((await bad(['full.json', '--profile', 'profile.json', '--target', '2'])).code).toBe(2);
    const noProfile = await bad(['full.json']);
    expect(noProfile.code).toBe(2);
    expect(noProfile.stderr).toMatch(/no profile: pass one \(--profile FILE\)/);
    const noJobs = await bad(['stage-only.json', '--profile', 'profile.json', '--scenario', 'queue-flood']);
    expect(noJobs.code).toBe(2);
    expect(noJobs.stderr).toMatch(/no POST \/jobs/);
    expect((await bad(['missing.json'])).code).toBe(2);
    expect((await runKig(['drill', '--help'])).stdout).toMatch(/--attack-rps N/);
  });
});

test('a usage plan does not throttle a method that requires no API key', () => {
  const t = handMade({ stage: { rate: 80, burst: 160 }, plan: { rate: 2, burst: 4 }, apiKeyRequired: false });
  const r = run(t, { attackRps: 10_000, legitRps: 20, legitClients: 20 });
  expect(r.attack.refusedBy.plan).toBe(0);
  expect(r.legit.successRate).toBeLessThan(0.05);
  expect(r.assumptions.join('\n')).toMatch(/does not require an API key/);
});
