import autocannon from 'autocannon';
import { InferenceProfile } from '../lib';
import { Flow, percentile, simulate } from '../lib/drill/private/engine';
import { DrillSystem } from '../lib/drill/private/system';
import { DEFAULT_PRICES } from '../lib/review/prices';
import { startModelServer } from '../test/support/servers';

/**
 * Calibration benchmark: the drill's backend model against a real server on loopback: a model server of P slots holding
 * each request S ms, refusing (503) when more than N requests are in it (a bounded queue of N - P),
 * driven by autocannon with legitimate and attacking clients at once. The simulation gets what a
 * profile would hold (the latency percentiles measured unloaded, the throughput measured in the
 * run: a busy machine slows the server, and the model is checked on its shape, not on the
 * machine's speed). Prints the measured and simulated legitimate success and p99, and their
 * relative differences (the goal is within 10 %). Each client connection sends at most 1 req/s,
 * so arrivals do not wait on answers (open loop, as a flood is). On a shared, overloaded machine
 * the p99 measures CPU contention of 360 connections more than the server's queue: run it quiet.
 *
 *   npm run build && node dist/bench/drill-calibration.js
 */
const P = 4;
const S = 20;
const N = 8;

interface Measured { ok: number; sent: number; latencies: number[] }

function drive(url: string, rate: number, connections: number, seconds: number, into: Measured): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ instances: [[1]] });
    const instance = autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, overallRate: rate, duration: seconds }, (err) => (err ? reject(err) : resolve()));
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      into.sent++;
      if (status === 200) {
        into.ok++;
        into.latencies.push(ms);
      }
    });
  });
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function main(): Promise<void> {
  const server = await startModelServer(['--concurrency', String(P), '--service-ms', String(S), '--fail-above', String(N)]);
  try {
    const url = `${server.base}/invocations`;
    // Unloaded: the profile's latency percentiles.
    const base: Measured = { ok: 0, sent: 0, latencies: [] };
    await drive(url, 40, 4, 4, base);
    const profile = InferenceProfile.of({
      model: 'known', hardware: 'ml.m5.large', latencyMs: { p50: pct(base.latencies, 0.5), p90: pct(base.latencies, 0.9), p99: pct(base.latencies, 0.99) },
      sustainableConcurrency: P, throughputPerInstanceRps: (P * 1000) / S, peakHostMemoryMiB: 100, peakGpuMemoryMiB: 0, coldStartSeconds: 1, maxRequestBytes: 1000,
    });
    // Flood: legitimate 60 req/s and an attacker at 300 req/s against ~200 req/s of capacity.
    const seconds = 10;
    const legit: Measured = { ok: 0, sent: 0, latencies: [] };
    const attack: Measured = { ok: 0, sent: 0, latencies: [] };
    await Promise.all([drive(url, 60, 60, seconds, legit), drive(url, 300, 300, seconds, attack)]);
    const capacity = (legit.ok + attack.ok) / seconds;
    const measuredSuccess = legit.ok / legit.sent;
    const measuredP99 = pct(legit.latencies, 0.99);

    const sys: DrillSystem = {
      apiId: 'a', apiLabel: 'loopback', methodId: 'm', methodLabel: 'POST /invocations', apiKeyRequired: false, authorization: 'NONE',
      waf: [], plans: [], account: { label: 'none', rate: 1e9, burst: 1e9 }, integrationTimeoutMs: 29_000, profile,
      backend: {
        id: 'server', label: 'loopback server', kind: 'instances', unitRps: capacity, initialUnits: 1, minUnits: 1, maxUnits: 1, coldStartS: 0, policies: [],
        // The server's bounded queue: N - P requests, which wait (N - P) / capacity at most.
        modelTimeoutMs: ((N - P) / capacity) * 1000, priceFormula: '', unitPricePerHour: 0,
      },
      apiRequestPricePerMillion: DEFAULT_PRICES.apiGatewayRestPerMillion, wafPricePerMillion: 0, assumptions: [],
    };
    const flows: Flow[] = [
      { name: 'legit', role: 'legit', rps: legit.sent / seconds, keys: 10, ips: 10, cost: 1 },
      { name: 'attack', role: 'attack', rps: attack.sent / seconds, keys: 1, ips: 1, cost: 1 },
    ];
    const sim = simulate(sys, flows, { durationS: 60, seed: 1, timelineStepS: 60, sustainableShare: 1 }, false);
    const simSuccess = sim.legit.ok / sim.legit.offered;
    const simP99 = percentile(sim.legit.latency, 0.99);
    const figures = { measuredSuccess, simSuccess, measuredP99, simP99, capacity, legitSent: legit.sent, attackSent: attack.sent, baseP99: profile.latencyMs.p99 };
    const rel = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)} %`;
    console.log(`drill calibration against a loopback server (P=${P} slots x ${S} ms, 503 above ${N} in the server; measured capacity ${capacity.toFixed(1)} req/s)`);
    console.log(`  legitimate success: measured ${(measuredSuccess * 100).toFixed(1)} %, simulated ${(simSuccess * 100).toFixed(1)} % (difference ${rel(simSuccess, measuredSuccess)})`);
    console.log(`  legitimate p99:     measured ${measuredP99.toFixed(0)} ms, simulated ${simP99.toFixed(0)} ms (difference ${rel(simP99, measuredP99)}; unloaded p99 ${profile.latencyMs.p99.toFixed(0)} ms)`);
    console.log(`  figures: ${JSON.stringify(figures)}`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
