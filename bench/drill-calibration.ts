/**
 * Calibration of the drill's backend and job-queue models against real runs on loopback. Used by
 * test/drill/calibration.test.ts (which asserts agreement within 10 %) and run on its own to print
 * the figures:
 *
 *   npm run build && node dist/bench/drill-calibration.js
 *
 * Both parts are built so that a busy, shared machine cannot dominate the figures: every service
 * time is a timer of hundreds of milliseconds (a wait, not CPU), so an event loop late by a few
 * milliseconds moves it by a few per cent at most; traffic is a few tens of requests per second
 * on few connections; latency is measured where the model places it; and the simulation is given
 * what a profile would hold, measured in the same run (the unloaded latency percentiles and the
 * throughput), so it is checked on its shape (who gets served, how long the queue makes them
 * wait), not on the machine's speed.
 *
 * Backend: a model server of P slots, each request holding one for 100-300 ms (uniform: departures
 * do not lock onto the clients' one-second sending period), answering 503 when more than N requests
 * are in it (a bounded queue of N - P, the model-server timeout), driven by autocannon: legitimate
 * clients and attacking clients, one connection each sending one request per second, their
 * seconds staggered evenly (arrivals interleave, open loop: every answer comes within the second,
 * so no request waits in its client). The latency compared is the server's own, from the whole
 * request received to the answer written: the drill's p99 is the backend's queueing plus service
 * time (what API Gateway's IntegrationLatency measures), and a client's event loop starved by the
 * machine is not part of it.
 *
 * Job queue: the real admission handler (`admit`, one `DepthGauge` per execution environment) and
 * the real worker (`processBatch`, polled as the Lambda SQS event source does) against moto_server,
 * the workers calling a model server of one 500 ms slot (the model, not the busy local peer, sets
 * the drain). The flood has already filled the queue to its budget when the measured window
 * opens; submissions then arrive at 3.25 per second, legitimate or flooding at random in the
 * proportion of their rates. Compared: the admitted fraction (202) and the p99 of the legitimate
 * jobs' time from admission to result (the job record's createdAt to its SUCCEEDED updatedAt).
 * The admitted fraction is measured on every submission: the handler treats every submitter
 * alike here, and on the few dozen legitimate jobs a local queue drains in a test's time, which
 * of two alike submissions found the room is a draw that alone moves a legitimate-only share by
 * about 8 % (binomial); the test checks the legitimate share against it within that draw's noise.
 * The drain rate given to the simulation is the one the workers achieved in the window (a profile
 * measured on this machine now would hold it; the deployed queue carries it as
 * KIG_DRAIN_RATE_PER_SECOND).
 */
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import autocannon from 'autocannon';
import { admit, AdmissionDeps, DepthGauge } from '../handlers/admission/core';
import { HttpBackend } from '../handlers/worker/backends';
import { processBatch, WorkerDeps } from '../handlers/worker/core';
import { fromItem, S as str } from '../handlers/shared/dynamo';
import { compileRequestSchema } from '../handlers/shared/schema';
import { InferenceProfile } from '../lib';
import { Flow, percentile, simulate } from '../lib/drill/private/engine';
import { BackendSpec, DrillSystem, JobQueueSpec } from '../lib/drill/private/system';
import { localClients, startMoto } from '../test/support/moto';
import { admissionConfig, counts, createFixture, lambdaContext, pollOnce, workerConfig } from '../test/support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../test/support/requests';
import { ChildServer, startModelServer } from '../test/support/servers';

type Clients = ReturnType<typeof localClients>;

/** One comparison: what the loopback run measured and what the drill's engine simulated. */
export interface Calibration {
  readonly part: 'backend' | 'queue';
  /** Share of legitimate requests served (backend) or admitted (queue). */
  readonly measuredSuccess: number;
  readonly simulatedSuccess: number;
  /** p99 of legitimate latency (backend) or time to complete (queue), ms. */
  readonly measuredP99Ms: number;
  readonly simulatedP99Ms: number;
  /** Legitimate requests measured (the sample behind the success share). */
  readonly legitSamples: number;
  /** Submissions measured in all (the queue's admitted fraction is measured on every one). */
  readonly samples: number;
  /** What the simulation was given and other figures of the run. */
  readonly details: Record<string, number>;
}

/** (simulated - measured) / measured. */
export const relativeDifference = (simulated: number, measured: number): number => (simulated - measured) / measured;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Nearest-rank percentile. */
const pct = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** What the model server notes of each predict request (test/support/model-server.ts --record). */
interface ServerRecord { readonly client: string; readonly status: number; readonly ms: number; readonly at: number }

async function records(server: ChildServer): Promise<ServerRecord[]> {
  return (await (await fetch(`${server.base}/records`)).json()) as ServerRecord[];
}

/** autocannon POSTing /invocations with `client` in the x-client header; resolves with its errors and timeouts. */
function drive(server: ChildServer, client: string, o: { connections: number; perConnectionRps?: number; seconds: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${server.base}/invocations`, method: 'POST', body: JSON.stringify({ instances: [[1]] }),
      headers: { 'content-type': 'application/json', 'x-client': client },
      connections: o.connections, duration: o.seconds, ...(o.perConnectionRps !== undefined ? { connectionRate: o.perConnectionRps } : {}),
    }, (err, r) => (err ? reject(err) : resolve(r.errors + r.timeouts)));
  });
}

/**
 * One step at the server's parallelism: `slots` closed-loop connections (no queue); the latencies
 * of its answers as the server timed them.
 */
async function unloadedStep(server: ChildServer, slots: number, seconds: number): Promise<number[]> {
  const client = `profile-${Date.now()}`;
  await drive(server, client, { connections: slots, seconds });
  return (await records(server)).filter((r) => r.client === client && r.status === 200).map((r) => r.ms);
}

const percentiles = (ms: readonly number[]) => ({ p50: pct(ms, 0.5), p90: pct(ms, 0.9), p99: pct(ms, 0.99) });

/**
 * The throughput of the server's plateau, where every slot is busy: slots / service time (Little's
 * law), the service time as the server timed it in unloaded steps. A closed-loop count would add
 * the load generator's own turnaround (a starved client sends its next request late) to the
 * server's time. The median stands for the mean (this server's hold is symmetric about it), so a
 * hiccup of the machine during a three-second step, which delays every request in the server at
 * once, does not decide the figure.
 */
const plateauThroughput = (slots: number, ms: readonly number[]) => (slots * 1000) / pct(ms, 0.5);

/** A profile of the loopback server (what the profiler would record). */
function loopbackProfile(latencyMs: { p50: number; p90: number; p99: number }, slots: number, throughputRps: number): InferenceProfile {
  return InferenceProfile.of({
    model: 'loopback', hardware: 'ml.m5.large', latencyMs, sustainableConcurrency: slots, throughputPerInstanceRps: throughputRps,
    peakHostMemoryMiB: 100, peakGpuMemoryMiB: 0, coldStartSeconds: 1, maxRequestBytes: 1_000,
  });
}

/** One entry point with nothing in front (no WAF, plan or stage throttle) and `backend` or `queue` behind. */
function loopbackSystem(profile: InferenceProfile, backend: BackendSpec, queue?: JobQueueSpec): DrillSystem {
  return {
    apiId: 'loopback', apiLabel: 'loopback', methodId: 'method', methodLabel: queue ? 'POST /jobs' : 'POST /invocations',
    apiKeyRequired: false, authorization: 'NONE', waf: [], plans: [], account: { label: 'none', rate: 1e9, burst: 1e9 },
    integrationTimeoutMs: 29_000, profile, backend, queue, apiRequestPricePerMillion: 0, wafPricePerMillion: 0, assumptions: [],
  };
}

function loopbackBackend(unitRps: number, modelTimeoutMs: number): BackendSpec {
  return {
    id: 'server', label: 'loopback model server', kind: 'instances', unitRps, initialUnits: 1, minUnits: 1, maxUnits: 1,
    coldStartS: 0, policies: [], modelTimeoutMs, priceFormula: '', unitPricePerHour: 0,
  };
}

/** The engine's steady state for two Poisson flows (an hour: its own draws move the shares by under 1 %). */
function simulateFlows(sys: DrillSystem, legitRps: number, attackRps: number, jobs: boolean): { success: number; p99: number } {
  const flows: Flow[] = [
    { name: 'legit', role: 'legit', rps: legitRps, keys: 1, ips: 1, cost: 1 },
    { name: 'attack', role: 'attack', rps: attackRps, keys: 1, ips: 1, cost: 1 },
  ];
  const sim = simulate(sys, flows, { durationS: 3_600, seed: 1, timelineStepS: 3_600, sustainableShare: 1 }, jobs);
  return { success: sim.legit.ok / sim.legit.offered, p99: percentile(sim.legit.latency, 0.99) };
}

/** The backend part's settings. */
export const BACKEND = {
  /** Slots of the model server, and each request's hold of one: 200 ± 100 ms. */
  slots: 8, serviceMs: 200, jitterMs: 100,
  /**
   * 503 above this many requests in the server: a queue of 24 behind the 8 slots, 600 ms of work,
   * so that clients' requests bunched by a starved event loop still find room and the server
   * stays busy (its longest answer, about 900 ms, still comes within the clients' second).
   */
  failAbove: 32,
  /** Connections sending one request per second each. */
  legitClients: 20, attackClients: 30,
  profileSeconds: 3, floodSeconds: 16,
  /** Requests of the first seconds (the queue filling) are not counted. */
  warmupSeconds: 2,
} as const;

/**
 * The backend part: 20 legitimate and 30 attacking requests per second against about 40 req/s
 * of capacity (P = 8 slots of 200 ms), a queue of 8.
 */
export async function calibrateBackend(): Promise<Calibration> {
  const c = BACKEND;
  const server = await startModelServer(['--concurrency', String(c.slots), '--service-ms', String(c.serviceMs), '--service-jitter-ms', String(c.jitterMs), '--fail-above', String(c.failAbove), '--record']);
  try {
    const before = await unloadedStep(server, c.slots, c.profileSeconds);
    const total = c.legitClients + c.attackClients;
    const start = Date.now() + 200;
    // Client i starts i / total s into the first second: legitimate ones spread evenly among the attackers.
    const roles = Array.from({ length: total }, (_x, i) => (Math.floor((i * c.legitClients) / total) !== Math.floor(((i + 1) * c.legitClients) / total) ? 'legit' : 'attack'));
    const errors = await Promise.all(roles.map(async (role, i) => {
      await sleep(start + (i / total) * 1000 - Date.now());
      return drive(server, role, { connections: 1, perConnectionRps: 1, seconds: c.floodSeconds });
    }));
    // Service times measured before and after the flood: the machine's load varies from minute to minute.
    // The flood's last queued requests hold their slots up to 900 ms after its clients stop.
    await sleep(1_500);
    const after = await unloadedStep(server, c.slots, c.profileSeconds);
    // The percentiles of the quieter step (the lower p99): a profile measures the server, not the machine's worst seconds.
    const quieter = pct(before, 0.99) <= pct(after, 0.99) ? before : after;
    const profile = loopbackProfile(percentiles(quieter), c.slots, plateauThroughput(c.slots, [...before, ...after]));
    const from = start + c.warmupSeconds * 1000;
    const to = start + c.floodSeconds * 1000;
    const window = (to - from) / 1000;
    const flood = (await records(server)).filter((r) => (r.client === 'legit' || r.client === 'attack') && r.at >= from && r.at < to);
    const legit = flood.filter((r) => r.client === 'legit');
    const attack = flood.filter((r) => r.client === 'attack');
    const legitOk = legit.filter((r) => r.status === 200);
    const capacity = profile.throughputPerInstanceRps;
    // The server's bounded queue (N - P requests) refuses what would wait longer than (N - P) / capacity.
    const sys = loopbackSystem(profile, loopbackBackend(capacity, ((c.failAbove - c.slots) / capacity) * 1000));
    const sim = simulateFlows(sys, legit.length / window, attack.length / window, false);
    return {
      part: 'backend',
      measuredSuccess: legitOk.length / legit.length, simulatedSuccess: sim.success,
      measuredP99Ms: pct(legitOk.map((r) => r.ms), 0.99), simulatedP99Ms: sim.p99,
      legitSamples: legit.length, samples: legit.length,
      details: {
        profileP50Ms: round(profile.latencyMs.p50), profileP90Ms: round(profile.latencyMs.p90), profileP99Ms: round(profile.latencyMs.p99),
        profileThroughputRps: round(capacity), plateauBeforeRps: round(plateauThroughput(c.slots, before)), plateauAfterRps: round(plateauThroughput(c.slots, after)), legitRps: round(legit.length / window), attackRps: round(attack.length / window),
        attackSuccess: round(attack.filter((r) => r.status === 200).length / attack.length, 3),
        servedRps: round(flood.filter((r) => r.status === 200).length / window), clientErrors: errors.reduce((s, x) => s + x, 0),
      },
    };
  } finally {
    await server.stop();
  }
}

/** The queue part's settings. */
export const QUEUE = {
  /**
   * Admission: the depth budget, the execution environments (the function's reserved concurrency)
   * and how long an environment reuses a depth reading (short: a reading that has not seen the
   * last half second's drain holds the queue under its budget by about one job).
   */
  depthBudget: 15, environments: 8, depthCacheTtlMs: 500,
  /**
   * The model behind the workers: one slot of 500 ms (2 jobs/s), and 4 workers polling one
   * message at a time: a worker's own calls to the local peer (about ten per job with admission's,
   * some 20-30 calls per second in all, well within what moto_server answers on a loaded machine)
   * overlap the others' model calls, so the model, not the busy peer, sets the drain.
   */
  modelSlots: 1, modelServiceMs: 500, workers: 4,
  /** Submissions per second: legitimate submitters (10 keys) and the flooding key. */
  legitRps: 2, attackRps: 1.25, legitKeys: 10,
  floodSeconds: 24, warmupSeconds: 2, profileSeconds: 2,
} as const;

/** The queue part: legitimate and flooding submitters at 3.25 jobs/s against a drain of up to 2 jobs/s. */
export async function calibrateQueue(clients: Clients): Promise<Calibration> {
  const q = QUEUE;
  const server = await startModelServer(['--concurrency', String(q.modelSlots), '--service-ms', String(q.modelServiceMs), '--record']);
  try {
    // The drain rate the simulation gets is the workers' own (below); the model's throughput only caps it.
    const profile = loopbackProfile(percentiles(await unloadedStep(server, q.modelSlots, q.profileSeconds)), q.modelSlots, (q.modelSlots * 1000) / q.modelServiceMs);
    const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    // Cost budgets out of the way: the message budget is the bound the drill models.
    const config = admissionConfig(f, {
      depthBudget: q.depthBudget, environments: q.environments, depthCacheTtlMs: q.depthCacheTtlMs, drainRatePerSecond: q.modelSlots * 1000 / q.modelServiceMs,
      costBudgetUnits: 1e6, tiers: [{ name: 'default', budgetUnits: 1e6, keyBudgetUnits: 1e6 }],
    });
    const deps: AdmissionDeps = { ...clients, validate: compileRequestSchema(TEST_SIGNATURE.toJsonSchema()), now: Date.now, log: () => undefined };
    const environments = Array.from({ length: q.environments }, () => ({ gauge: new DepthGauge(config, clients.sqs, Date.now), busy: false }));
    const body = { instances: [[1, 2, 3]] };
    // The flood's opening: the queue is at its budget when the window opens.
    for (let i = 0; i < q.depthBudget; i++) await admit(postJobs(body, {}, 'attacker'), config, deps, environments[0].gauge);

    const wcfg = workerConfig(f, { perCallDeadlineMs: 10_000 });
    const wdeps: WorkerDeps = { ...clients, backend: new HttpBackend(`${server.base}/invocations`), now: Date.now, random: Math.random, log: () => undefined };
    const completions: number[] = [];
    let working = true;
    const workers = Array.from({ length: q.workers }, async () => {
      while (working) {
        const n = await pollOnce(clients.sqs, f.queueUrl, 1, (event) => processBatch(event, lambdaContext(30_000), wcfg, wdeps));
        // Drained once the event source has deleted the message (it leaves the depth admission reads then).
        for (let i = 0; i < n; i++) completions.push(Date.now());
        if (n === 0) await sleep(50);
      }
    });

    const sent: Array<{ role: 'legit' | 'attack'; at: number; status: number; jobId?: string }> = [];
    const start = Date.now() + 100;
    const arrivals: Array<Promise<void>> = [];
    let throttled = 0;
    // One stream at the summed rate, evenly spaced and each arrival moved by up to a third of the
    // spacing, each legitimate with the legitimate share's chance: the workers drain on a steady
    // beat, and roles in a fixed pattern would lock onto it (the same places in the pattern would
    // find the room every time).
    const rate = q.legitRps + q.attackRps;
    for (let j = 0; j / rate < q.floodSeconds; j++) {
      const role = Math.random() < q.legitRps / rate ? 'legit' : 'attack';
      const at = start + ((j + (Math.random() - 0.5) * 0.67) / rate) * 1000;
      arrivals.push(sleep(at - Date.now()).then(async () => {
        // Lambda runs one request per environment; with every environment busy it throttles.
        const env = environments.find((e) => !e.busy);
        if (!env) {
          throttled++;
          return void sent.push({ role, at, status: 429 });
        }
        env.busy = true;
        try {
          const res = await admit(postJobs(body, {}, role === 'legit' ? `legit-${j % q.legitKeys}` : 'attacker'), config, deps, env.gauge);
          sent.push({ role, at, status: res.statusCode, jobId: res.statusCode === 202 ? (JSON.parse(res.body) as { jobId: string }).jobId : undefined });
        } finally {
          env.busy = false;
        }
      }));
    }
    // The backlog where the measured window opens and closes (admitted = drained + its change).
    const depthAt = async (t: number) => {
      await sleep(t - Date.now());
      return (await counts(clients.sqs, f.queueUrl)).total;
    };
    const [depthFrom, depthTo] = await Promise.all([depthAt(start + q.warmupSeconds * 1000), depthAt(start + q.floodSeconds * 1000), Promise.all(arrivals)]);
    const from = start + q.warmupSeconds * 1000;
    const to = start + q.floodSeconds * 1000;
    const window = (to - from) / 1000;
    const drainRate = completions.filter((t) => t >= from && t < to).length / window;
    // Every admitted job finishes: wait for them (the queue holds about the budget, which drains in budget / drain s).
    const admitted = sent.filter((s) => s.status === 202).length + q.depthBudget;
    const deadline = Date.now() + 60_000;
    while (completions.length < admitted && Date.now() < deadline) await sleep(100);
    working = false;
    await Promise.all(workers);

    const legit = sent.filter((s) => s.role === 'legit' && s.at >= from && s.at < to);
    const attack = sent.filter((s) => s.role === 'attack' && s.at >= from && s.at < to);
    const ids = legit.filter((s) => s.jobId !== undefined).map((s) => s.jobId!);
    const times: number[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const out = await clients.ddb.send(new BatchGetItemCommand({ RequestItems: { [f.tableName]: { Keys: ids.slice(i, i + 100).map((id) => ({ jobId: str(id) })), ConsistentRead: true } } }));
      for (const item of out.Responses?.[f.tableName] ?? []) {
        const job = fromItem(item)!;
        if (job.status === 'SUCCEEDED') times.push(job.updatedAt! - job.createdAt!);
      }
    }
    const sys = loopbackSystem(profile, loopbackBackend(profile.throughputPerInstanceRps, 5_000), {
      admissionId: 'admission', depthBudget: q.depthBudget, drainRatePerSecond: drainRate, resumeFraction: config.resumeFraction,
    });
    const sim = simulateFlows(sys, legit.length / window, attack.length / window, true);
    // Every submitter is alike to the handler here (no cost share binds): a legitimate and a flooding
    // submission have the same chance of finding room, and which of the two took a given place is a
    // draw. With the few dozen jobs a local queue drains in a test's time that draw alone moves the
    // legitimate share by about 8 % (binomial), so the admitted fraction is measured on every
    // submission; the legitimate submitters' own share is checked against it in the test.
    const admittedInWindow = ids.length + attack.filter((s) => s.status === 202).length;
    return {
      part: 'queue',
      measuredSuccess: admittedInWindow / (legit.length + attack.length), simulatedSuccess: sim.success,
      measuredP99Ms: pct(times, 0.99), simulatedP99Ms: sim.p99,
      legitSamples: legit.length, samples: legit.length + attack.length,
      details: {
        profileP50Ms: round(profile.latencyMs.p50), profileP99Ms: round(profile.latencyMs.p99), profileThroughputRps: round(profile.throughputPerInstanceRps),
        drainRate: round(drainRate, 2), legitRps: round(legit.length / window, 2), attackRps: round(attack.length / window, 2),
        legitAdmittedShare: round(ids.length / legit.length, 3), attackAdmittedShare: round(attack.filter((s) => s.status === 202).length / attack.length, 3),
        lambdaThrottled: throttled, depthFrom, depthTo,
        legitCompleted: times.length, legitAdmitted: ids.length,
      },
    };
  } finally {
    await server.stop();
  }
}

/** One line of figures. */
export function describe(c: Calibration): string {
  const rel = (a: number, b: number) => `${(relativeDifference(a, b) * 100).toFixed(1)} %`;
  const what = c.part === 'backend' ? 'legitimate success' : 'admitted fraction';
  const p99 = c.part === 'backend' ? 'legitimate p99' : 'time-to-complete p99';
  return `${c.part}: ${what} measured ${(c.measuredSuccess * 100).toFixed(1)} %, simulated ${(c.simulatedSuccess * 100).toFixed(1)} % (${rel(c.simulatedSuccess, c.measuredSuccess)}); `
    + `${p99} measured ${c.measuredP99Ms.toFixed(0)} ms, simulated ${c.simulatedP99Ms.toFixed(0)} ms (${rel(c.simulatedP99Ms, c.measuredP99Ms)}); `
    + `${c.samples} requests (${c.legitSamples} legitimate); ${JSON.stringify(c.details)}`;
}

async function main(): Promise<void> {
  const moto = await startMoto();
  try {
    // One after the other: the queue part's AWS SDK and moto_server work would delay the backend part's clients.
    const backend = await calibrateBackend();
    const queue = await calibrateQueue(localClients(moto.endpoint));
    console.log('drill calibration against loopback runs (goal: within 10 %)');
    console.log(`  ${describe(backend)}`);
    console.log(`  ${describe(queue)}`);
  } finally {
    await moto.stop();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
