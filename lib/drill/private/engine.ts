import {
  ALARM_HIGH_DATAPOINTS_ASSUMED, ALARM_LOW_DATAPOINTS_ASSUMED, ALARM_LOW_FRACTION_ASSUMED, METRIC_DELAY_ASSUMED_S, METRIC_PERIOD_S,
  WAF_BLOCK_DELAY_ASSUMED_S, WAF_CHECK_INTERVAL_S, WAF_UNBLOCK_DELAY_S,
} from './facts';
import { BucketSpec, DrillSystem, ScalingPolicySpec } from './system';

/**
 * A fluid simulation of one entry point under a flood, one second per step. Each step draws every
 * client group's arrivals (Poisson, from the seed), then passes them through the layers in the
 * order AWS applies them: WAF rate-based rules, the usage plan's per-key bucket, the stage method
 * and stage default buckets and the account bucket (shared buckets split their tokens in
 * proportion to the requests offered: arrivals interleave), then the backend (capacity from the
 * profile, a bounded queue, timeouts) or the job queue's admission bound and drain. Autoscaling
 * reads one-minute datapoints and brings capacity after the cold start.
 */

/** One group of clients that behave alike. */
export interface Flow {
  readonly name: string;
  readonly role: 'legit' | 'attack';
  /** Requests per second of the whole group. */
  readonly rps: number;
  /** Distinct API keys (each with its own usage-plan bucket). */
  readonly keys: number;
  /** Distinct source IPs. */
  readonly ips: number;
  /** Backend work of one request, in median requests. */
  readonly cost: number;
  /** Seconds after the start when the group starts sending. @default 0 */
  readonly startS?: number;
}

/** Options of one simulation. */
export interface EngineOptions {
  readonly durationS: number;
  readonly seed: number;
  readonly wafBlockDelayS?: number;
  /** Seconds per timeline row. */
  readonly timelineStepS: number;
  /** Share of the measured throughput counted as sustainable capacity for the surge check. */
  readonly sustainableShare: number;
}

/** Where requests were refused. */
export type LossLayer = 'waf' | 'plan' | 'quota' | 'method' | 'stage' | 'account' | 'admission' | 'capacity' | 'timeout';
export const LOSS_LAYERS: readonly LossLayer[] = ['waf', 'plan', 'quota', 'method', 'stage', 'account', 'admission', 'capacity', 'timeout'];

/** Totals of one role. */
export interface RoleTotals {
  offered: number;
  ok: number;
  refused: Record<LossLayer, number>;
  /** (latency ms, weight) of every success, for the percentiles. */
  latency: Array<[number, number]>;
}

/** One row of the timeline. */
export interface TimelineRow {
  /** End of the row (s from the start). */
  readonly tS: number;
  /** Legitimate requests sent and answered in the row. */
  readonly legitOffered: number;
  readonly legitOk: number;
  /** p99 latency of the row's legitimate successes (ms). */
  readonly legitP99Ms: number;
  /** Attacker requests sent and answered in the row. */
  readonly attackOffered: number;
  readonly attackOk: number;
  /** Instances (or tasks) in service. */
  readonly instances: number;
  /** Instances launched and billed but still starting. */
  readonly pendingInstances: number;
  /** Highest cost rate in the row (USD per hour). */
  readonly costPerHourUsd: number;
  /** True when WAF blocked requests in the row. */
  readonly wafBlocking: boolean;
  /** Job queue depth at the end of the row. */
  readonly queueDepth: number;
}

/** What the simulation returns. */
export interface EngineResult {
  readonly legit: RoleTotals;
  readonly attack: RoleTotals;
  readonly timeline: TimelineRow[];
  readonly peakInstances: number;
  readonly peakCostPerHourUsd: number;
  readonly meanCostPerHourUsd: number;
  /** Share of legitimate requests the capacity in service could have served at its sustainable rate (surge check). */
  readonly capacityForcedLegitSuccess: number;
  /** Seconds from the start of the flood to the first WAF block of an attacker, if any. */
  readonly wafBlockedAtS?: number;
  /** Attacker requests per second that passed the API, at the peak. */
  readonly attackAdmittedPeakRps: number;
}

/** mulberry32: a small, fast, seeded generator (deterministic for a seed). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw of mean `lambda`: exact below 30 (Knuth), normal approximation above. */
export function poisson(lambda: number, rand: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= rand();
    } while (p > l);
    return k - 1;
  }
  const u = Math.max(rand(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
}

interface Bucket { spec: BucketSpec; tokens: number }

/** Takes up to `offered` tokens from a bucket refilled for one second; returns how many passed. */
function take(b: Bucket, offered: number, scale = 1): number {
  const avail = b.tokens + b.spec.rate * scale;
  const passed = Math.min(offered, avail);
  b.tokens = Math.min(b.spec.burst * scale, avail - passed);
  return passed;
}

/** Splits what a shared bucket passes among flows in proportion to what each offered. */
function shared(b: Bucket | undefined, offered: number[], refused: number[][], layer: number): number[] {
  if (!b) return offered;
  const total = offered.reduce((s, x) => s + x, 0);
  const passed = take(b, total);
  const share = total > 0 ? passed / total : 1;
  return offered.map((x, i) => {
    refused[i][layer] += x * (1 - share);
    return x * share;
  });
}

/** The latency percentiles of weighted samples. */
export function percentile(samples: ReadonlyArray<[number, number]>, q: number): number {
  const total = samples.reduce((s, [, w]) => s + w, 0);
  if (total <= 0) return 0;
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  let acc = 0;
  for (const [v, w] of sorted) {
    acc += w;
    if (acc >= q * total - 1e-9) return v;
  }
  return sorted[sorted.length - 1][0];
}

/** The served requests of one second as weighted latency points: 50 % at p50, 40 % at p90, 9 % at p99, 1 % at 1.25 x p99. */
function latencyPoints(waitMs: number, p: { p50: number; p90: number; p99: number }, cost: number): Array<[number, number]> {
  return [[waitMs + p.p50 * cost, 0.5], [waitMs + p.p90 * cost, 0.4], [waitMs + p.p99 * cost, 0.09], [waitMs + p.p99 * 1.25 * cost, 0.01]];
}

/** Slices of a second's job admissions, each with its own wait in the queue. */
const QUEUE_SLICES = 10;

/**
 * The latency points of jobs admitted in one second: waits spread evenly from `waitMs` to
 * `waitMs + spanMs` (each slice at its middle), each followed by the service time.
 */
function queuedPoints(waitMs: number, spanMs: number, p: { p50: number; p90: number; p99: number }): Array<[number, number]> {
  if (spanMs <= 0) return latencyPoints(waitMs, p, 1);
  const out: Array<[number, number]> = [];
  for (let k = 0; k < QUEUE_SLICES; k++) {
    for (const [v, w] of latencyPoints(waitMs + (spanMs * (k + 0.5)) / QUEUE_SLICES, p, 1)) out.push([v, w / QUEUE_SLICES]);
  }
  return out;
}

const emptyTotals = (): RoleTotals => ({ offered: 0, ok: 0, refused: Object.fromEntries(LOSS_LAYERS.map((l) => [l, 0])) as Record<LossLayer, number>, latency: [] });

/** Runs the simulation. */
export function simulate(sys: DrillSystem, flows: readonly Flow[], options: EngineOptions, jobs: boolean): EngineResult {
  const rand = rng(options.seed);
  const wafDelay = options.wafBlockDelayS ?? WAF_BLOCK_DELAY_ASSUMED_S;
  // Usage plans throttle requests by their API key: a method that requires none is not throttled per key
  // (api-gateway-api-usage-plans.html: keys are matched against the plan, then throttled).
  const plan = sys.apiKeyRequired ? sys.plans[0] : undefined;
  const backend = sys.backend;
  const p = sys.profile.latencyMs;
  // Per flow: usage-plan bucket (all its keys together: keys are alike), quota used per key, backlog.
  const planBuckets: Array<Bucket | undefined> = flows.map(() => (plan?.perKey ? { spec: plan.perKey, tokens: plan.perKey.burst } : undefined));
  const quotaUsed = flows.map(() => 0);
  const methodBucket: Bucket | undefined = sys.method ? { spec: sys.method, tokens: sys.method.burst } : undefined;
  const stageBucket: Bucket | undefined = sys.stage ? { spec: sys.stage, tokens: sys.stage.burst } : undefined;
  const accountBucket: Bucket = { spec: sys.account, tokens: sys.account.burst };
  // WAF: per rule, per flow (or one shared instance for 'all'), a ring of per-second counts of one instance.
  const wafWindows = sys.waf.map((r) => flows.map(() => new Float64Array(r.windowSeconds)));
  const wafSums = sys.waf.map(() => flows.map(() => 0));
  const wafState = sys.waf.map(() => flows.map(() => ({ blocked: false, blockAt: Infinity, unblockAt: Infinity })));
  let wafBlockedAtS: number | undefined;

  const backlog = flows.map(() => 0);
  const queueDepth = flows.map(() => 0);
  let units = backend ? backend.initialUnits : 0;
  let desired = units;
  const pending: Array<{ at: number; count: number }> = [];
  let lastScaleIn = -Infinity;
  const datapoints: Array<Map<string, number>> = [];
  let minuteInvocations = 0;
  let minuteBusy = 0;
  let minuteUnitSeconds = 0;

  const totals = { legit: emptyTotals(), attack: emptyTotals() };
  const timeline: TimelineRow[] = [];
  let row = { legitOffered: 0, legitOk: 0, attackOffered: 0, attackOk: 0, lat: [] as Array<[number, number]>, cost: 0, blocking: false };
  let peakInstances = units;
  let peakCost = 0;
  let costSum = 0;
  let legitCapacityForced = 0;
  let legitOfferedAll = 0;
  let attackAdmittedPeak = 0;

  for (let t = 0; t < options.durationS; t++) {
    // Capacity that finished its cold start.
    for (let i = pending.length - 1; i >= 0; i--) {
      if (pending[i].at <= t) {
        units += pending[i].count;
        pending.splice(i, 1);
      }
    }
    const refused = flows.map(() => LOSS_LAYERS.map(() => 0));
    const arrivals = flows.map((f) => (t >= (f.startS ?? 0) ? poisson(f.rps, rand) : 0));

    // 1. WAF rate-based rules: count every request of an instance; block while the instance is over its limit.
    let offered = arrivals.slice();
    sys.waf.forEach((rule, r) => {
      const perInstance = flows.map((f, i) => arrivals[i] / (rule.aggregate === 'ip' ? f.ips : rule.aggregate === 'key' ? f.keys : 1));
      const allCount = arrivals.reduce((s, x) => s + x, 0);
      flows.forEach((_f, i) => {
        const w = wafWindows[r][i];
        const slot = t % rule.windowSeconds;
        const count = rule.aggregate === 'all' ? allCount : perInstance[i];
        wafSums[r][i] += count - w[slot];
        w[slot] = count;
        const st = wafState[r][i];
        if (t % WAF_CHECK_INTERVAL_S === 0) {
          const over = wafSums[r][i] > rule.limit;
          if (over && !st.blocked && st.blockAt === Infinity) st.blockAt = t + wafDelay;
          if (!over && st.blocked && st.unblockAt === Infinity) st.unblockAt = t + WAF_UNBLOCK_DELAY_S;
          if (over) st.unblockAt = Infinity;
        }
        if (!st.blocked && t >= st.blockAt) {
          st.blocked = true;
          st.blockAt = Infinity;
          if (flows[i].role === 'attack' && wafBlockedAtS === undefined) wafBlockedAtS = t;
        }
        if (st.blocked && t >= st.unblockAt) {
          st.blocked = false;
          st.unblockAt = Infinity;
        }
        if (st.blocked) {
          refused[i][0] += offered[i];
          offered[i] = 0;
          row.blocking = true;
        }
      });
    });

    // 2. Usage plan: the per-key bucket and the daily quota of each key.
    offered = offered.map((x, i) => {
      const b = planBuckets[i];
      if (!b) return x;
      const byBucket = take(b, x, flows[i].keys);
      refused[i][1] += x - byBucket;
      let passed = byBucket;
      if (plan?.quotaPerDay !== undefined) {
        const left = Math.max(0, plan.quotaPerDay * flows[i].keys - quotaUsed[i]);
        passed = Math.min(byBucket, left);
        refused[i][2] += byBucket - passed;
        quotaUsed[i] += passed;
      }
      return passed;
    });
    // 3-5. Stage method, stage default and account buckets, shared by every client.
    offered = shared(methodBucket, offered, refused, 3);
    offered = shared(stageBucket, offered, refused, 4);
    offered = shared(accountBucket, offered, refused, 5);

    const served = flows.map(() => 0);
    let waitMs = 0;
    /** Job queue: the waits of the second's admissions run from waitMs to waitMs + this. */
    let queueWaitSpanMs = 0;
    const capacity = backend ? units * backend.unitRps : Infinity;
    if (jobs && sys.queue) {
      // 6a. Admission as the admission handler does it (handlers/admission/core.ts, DepthGauge): a job
      // is admitted whenever the backlog is under the budget, and refused (429) while it is at it.
      // There is no closed state: KIG_RESUME_FRACTION only sets the Retry-After of a refusal.
      const depth = queueDepth.reduce((s, x) => s + x, 0);
      const room = Math.max(0, sys.queue.depthBudget - depth);
      const want = offered.reduce((s, x) => s + x, 0);
      const share = want > 0 ? Math.min(1, room / want) : 1;
      offered.forEach((x, i) => {
        refused[i][6] += x * (1 - share);
        served[i] = x * share; // accepted: an accepted job is never dropped (result or DLQ)
        queueDepth[i] += x * share;
      });
      // The second's admissions join the queue one behind the other (SQS standard queues deliver
      // roughly in order): the first waits behind the backlog, the last behind the backlog and the
      // other admissions of the second (all but itself), each until they have drained.
      const rate = Math.max(1e-9, Math.min(sys.queue.drainRatePerSecond, capacity));
      waitMs = (depth / rate) * 1000;
      queueWaitSpanMs = (Math.max(0, want * share - 1) / rate) * 1000;
      // Drain at the worker rate, within the backend's capacity.
      const drain = Math.min(depth + want * share, sys.queue.drainRatePerSecond, capacity);
      const total = queueDepth.reduce((s, x) => s + x, 0);
      queueDepth.forEach((d, i) => { queueDepth[i] = total > 0 ? d - (d / total) * drain : 0; });
      minuteInvocations += drain;
      minuteBusy += Math.min(drain, capacity);
    } else if (backend) {
      // 6b. Backend: serve up to capacity; work that cannot start before the model-server timeout is refused.
      const work = offered.map((x, i) => x * flows[i].cost);
      const prev = backlog.reduce((s, x) => s + x, 0);
      const total = prev + work.reduce((s, x) => s + x, 0);
      const done = Math.min(total, capacity);
      const s = total > 0 ? done / total : 1;
      const left = total - done;
      const qmax = backend.kind === 'serverless' ? 0 : capacity * (backend.modelTimeoutMs / 1000);
      const d = left > qmax ? (left - qmax) / left : 0;
      waitMs = capacity > 0 ? (prev / capacity) * 1000 : Infinity;
      offered.forEach((_x, i) => {
        const mine = backlog[i] + work[i];
        const doneMine = mine * s;
        const leftMine = mine - doneMine;
        backlog[i] = leftMine * (1 - d);
        refused[i][7] += (leftMine * d) / flows[i].cost;
        served[i] = doneMine / flows[i].cost;
      });
      minuteInvocations += offered.reduce((s2, x) => s2 + x, 0);
      minuteBusy += done;
    }
    minuteUnitSeconds += units;
    if (!(jobs && sys.queue) && backend) {
      // A request whose wait plus service time passes the integration timeout is a 504 (its share of the points).
      flows.forEach((f, i) => {
        const pts = latencyPoints(waitMs, p, f.cost);
        const late = pts.filter(([v]) => v > sys.integrationTimeoutMs).reduce((s2, [, w]) => s2 + w, 0);
        refused[i][8] += served[i] * late;
        served[i] *= 1 - late;
      });
    }

    // Totals, latency points, capacity-forced share.
    let legitArr = 0;
    flows.forEach((f, i) => {
      const tot = f.role === 'legit' ? totals.legit : totals.attack;
      tot.offered += arrivals[i];
      tot.ok += served[i];
      LOSS_LAYERS.forEach((l, k) => { tot.refused[l] += refused[i][k]; });
      if (f.role === 'legit') {
        legitArr += arrivals[i];
        row.legitOffered += arrivals[i];
        row.legitOk += served[i];
        if (served[i] > 0) {
          const pts = jobs && sys.queue ? queuedPoints(waitMs, queueWaitSpanMs, p) : latencyPoints(waitMs, p, f.cost).filter(([v]) => v <= sys.integrationTimeoutMs);
          const wsum = pts.reduce((s2, [, w]) => s2 + w, 0) || 1;
          for (const [v, w] of pts) {
            tot.latency.push([v, (served[i] * w) / wsum]);
            row.lat.push([v, (served[i] * w) / wsum]);
          }
        }
      } else {
        row.attackOffered += arrivals[i];
        row.attackOk += served[i];
      }
    });
    const attackAdmitted = flows.reduce((s2, f, i) => s2 + (f.role === 'attack' ? arrivals[i] - refused[i].slice(0, 6).reduce((a, b) => a + b, 0) : 0), 0);
    attackAdmittedPeak = Math.max(attackAdmittedPeak, attackAdmitted);
    legitOfferedAll += legitArr;
    legitCapacityForced += Math.min(legitArr, backend ? units * backend.unitRps * options.sustainableShare : legitArr);

    // Cost of this second, as a rate per hour.
    const apiRequests = arrivals.reduce((s2, x, i) => s2 + x - refused[i][0], 0) - flows.reduce((s2, _f, i) => s2 + refused[i][1] + refused[i][2] + refused[i][3] + refused[i][4] + refused[i][5], 0);
    const wafRequests = sys.waf.length > 0 ? arrivals.reduce((s2, x) => s2 + x, 0) : 0;
    const billedUnits = units + pending.reduce((s2, x) => s2 + x.count, 0);
    const costPerHour = billedUnits * (backend?.unitPricePerHour ?? 0) + ((apiRequests * sys.apiRequestPricePerMillion + wafRequests * sys.wafPricePerMillion) * 3600) / 1e6;
    peakCost = Math.max(peakCost, costPerHour);
    costSum += costPerHour;
    row.cost = Math.max(row.cost, costPerHour);
    peakInstances = Math.max(peakInstances, billedUnits);

    // Autoscaling: a datapoint per minute, visible to the alarm after the metric delay.
    if (backend && (t + 1) % METRIC_PERIOD_S === 0) {
      const avgUnits = Math.max(1e-9, minuteUnitSeconds / METRIC_PERIOD_S);
      const point = new Map<string, number>();
      for (const pol of backend.policies) {
        point.set(pol.id, pol.metric === 'invocations'
          ? (avgUnits > 1e-6 ? minuteInvocations / avgUnits : minuteInvocations)
          : Math.min(100, (minuteBusy / Math.max(1e-9, avgUnits * backend.unitRps * METRIC_PERIOD_S)) * 100));
      }
      datapoints.push(point);
      minuteInvocations = 0;
      minuteBusy = 0;
      minuteUnitSeconds = 0;
    }
    if (backend && backend.policies.length > 0 && t >= METRIC_DELAY_ASSUMED_S && (t - METRIC_DELAY_ASSUMED_S + 1) % METRIC_PERIOD_S === 0) {
      // Datapoint k covers the minute ending at 60 (k + 1) s and reaches the alarm the metric delay later.
      const visible = Math.min(datapoints.length, Math.floor((t + 1 - METRIC_DELAY_ASSUMED_S) / METRIC_PERIOD_S));
      const outs: number[] = [];
      const ins: number[] = [];
      for (const pol of backend.policies) {
        const last = (k: number) => datapoints.slice(Math.max(0, visible - k), visible).map((dp) => dp.get(pol.id) ?? 0);
        const hi = last(ALARM_HIGH_DATAPOINTS_ASSUMED);
        const lo = last(ALARM_LOW_DATAPOINTS_ASSUMED);
        const metric = hi[hi.length - 1] ?? 0;
        const want = Math.ceil(Math.max(units, 1) * (metric / pol.target));
        if (hi.length === ALARM_HIGH_DATAPOINTS_ASSUMED && hi.every((v) => v > pol.target)) outs.push(want);
        if (!pol.disableScaleIn && lo.length === ALARM_LOW_DATAPOINTS_ASSUMED && lo.every((v) => v < pol.target * ALARM_LOW_FRACTION_ASSUMED) && t - lastScaleIn >= pol.scaleInCooldownS) ins.push(want);
        else ins.push(Infinity);
      }
      // Scale out when any policy asks; scale in only when every policy agrees.
      const out = Math.min(backend.maxUnits, Math.max(0, ...outs));
      if (outs.length > 0 && out > desired) {
        pending.push({ at: t + backend.coldStartS, count: out - desired });
        desired = out;
      } else if (ins.every((x) => x !== Infinity) && pending.length === 0) {
        const to = Math.max(backend.minUnits, Math.max(...ins));
        if (to < units) {
          units = to;
          desired = to;
          lastScaleIn = t;
        }
      }
    }

    if ((t + 1) % options.timelineStepS === 0 || t === options.durationS - 1) {
      timeline.push({
        tS: t + 1, legitOffered: Math.round(row.legitOffered), legitOk: Math.round(row.legitOk), legitP99Ms: Math.round(percentile(row.lat, 0.99)),
        attackOffered: Math.round(row.attackOffered), attackOk: Math.round(row.attackOk), instances: units, pendingInstances: billedUnits - units,
        costPerHourUsd: Math.round(row.cost * 100) / 100, wafBlocking: row.blocking, queueDepth: Math.round(queueDepth.reduce((s2, x) => s2 + x, 0)),
      });
      row = { legitOffered: 0, legitOk: 0, attackOffered: 0, attackOk: 0, lat: [], cost: 0, blocking: false };
    }
  }
  return {
    legit: totals.legit, attack: totals.attack, timeline, peakInstances,
    peakCostPerHourUsd: peakCost, meanCostPerHourUsd: costSum / Math.max(1, options.durationS),
    capacityForcedLegitSuccess: legitOfferedAll > 0 ? legitCapacityForced / legitOfferedAll : 1,
    ...(wafBlockedAtS !== undefined ? { wafBlockedAtS } : {}),
    attackAdmittedPeakRps: attackAdmittedPeak,
  };
}

/** The policies' scaling targets in requests per second per unit, for messages. */
export function targetRpsPerUnit(pol: ScalingPolicySpec, unitRps: number): number {
  return pol.metric === 'invocations' ? pol.target / 60 : (pol.target / 100) * unitRps;
}
