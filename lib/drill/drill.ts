import { TemplateModel } from '../nag/template/template-model';
import { InferenceProfile } from '../profile/inference-profile';
import { LIMIT_DEFAULTS } from '../profile/limits';
import { DEFAULT_PRICES, PriceTable } from '../review/prices';
import { loadTemplate, templateFiles } from '../review/load';
import { prepareTemplate } from '../review/prepare';
import { CfnTemplate } from '../nag/template/template-model';
import { EngineResult, LOSS_LAYERS, LossLayer, TimelineRow, percentile, simulate } from './private/engine';
import { BASE_ASSUMPTIONS } from './private/facts';
import { DEFAULT_TARGETS, SCENARIOS, SCENARIO_TEXT, ScenarioName, defaultParameters, fleetCapacity, scenarioFlows } from './private/scenarios';
import { DrillSystem, entryMethods, readSystem, recordedProfile } from './private/system';

/** Bad input for a drill: no entry point, no profile, an unknown scenario, a bad number. */
export class DrillError extends Error {
  /** DRILL_NO_ENTRY_POINT, DRILL_NO_PROFILE, DRILL_BAD_SCENARIO or DRILL_BAD_OPTION. */
  public readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'DrillError';
    this.code = code;
  }
}

/** Options of a drill. */
export interface DrillOptions {
  /**
   * Scenario: single-key, stolen-key, many-keys, heavy, surge or queue-flood.
   * @default "single-key"
   */
  readonly scenario?: string;
  /**
   * Attacker requests per second.
   * @default - 100 x the fleet's maximum capacity
   */
  readonly attackRps?: number;
  /**
   * Legitimate requests per second, all clients together.
   * @default - half the minimum fleet's capacity
   */
  readonly legitRps?: number;
  /**
   * Legitimate clients, each with its own API key and IP.
   * @default - enough that each uses at most half its plan's rate, at least 10
   */
  readonly legitClients?: number;
  /**
   * Simulated seconds.
   * @default 900
   */
  readonly durationSeconds?: number;
  /**
   * Seed of the arrival draws: the same seed gives the same result.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Legitimate success rate below which the drill fails.
   * @default - 0.99 (single-key, heavy, queue-flood), 0.95 (stolen-key), what capacity forces (surge), none (many-keys)
   */
  readonly target?: number;
  /**
   * The profile of the model behind the API.
   * @default - the profile the library's constructs record in the template metadata
   */
  readonly profile?: InferenceProfile;
  /**
   * Logical id of the REST API to drill.
   * @default - the first API with an entry point for the scenario
   */
  readonly apiId?: string;
  /**
   * Backend cost of a heavy request, in median requests.
   * @default - p99 / p50 of the profile
   */
  readonly heavyCost?: number;
  /**
   * Seconds from the WAF check that finds an IP over its limit to the first blocked request.
   * @default 30 (an assumption: AWS documents "up to several minutes")
   */
  readonly wafBlockDelaySeconds?: number;
  /**
   * Seconds per timeline row.
   * @default 10
   */
  readonly timelineStepSeconds?: number;
}

/** Requests of one role (legitimate or attacker). */
export interface DrillRoleResult {
  /** Requests sent. */
  readonly offered: number;
  /** Requests answered successfully. */
  readonly succeeded: number;
  /** succeeded / offered (1 when nothing was sent). */
  readonly successRate: number;
  /** Median latency of the successes (ms). */
  readonly p50Ms: number;
  /** 99th percentile latency of the successes (ms). */
  readonly p99Ms: number;
  /** Requests refused, by layer: waf, plan, quota, method, stage, account, admission, capacity, timeout. */
  readonly refusedBy: { [layer: string]: number };
}

/** Cost per hour over the drill. */
export interface DrillCost {
  /** The highest rate reached (USD per hour). */
  readonly peak: number;
  /** The mean rate (USD per hour). */
  readonly mean: number;
}

/** One row of the timeline (fields documented on the engine's row). */
export interface DrillTimelineRow extends TimelineRow {}

/** The numbers the drill ran with. */
export interface DrillParameters {
  readonly attackRps: number;
  readonly legitRps: number;
  readonly legitClients: number;
  readonly durationSeconds: number;
  readonly seed: number;
  readonly heavyCost: number;
}

/** The result of one drill. */
export interface DrillReport {
  /** Scenario name. */
  readonly scenario: string;
  /** What the scenario does. */
  readonly description: string;
  /** Template path. */
  readonly template: string;
  /** The entry point drilled, e.g. `API "x" POST /predict`. */
  readonly entryPoint: string;
  /** The backend behind it. */
  readonly backend: string;
  readonly parameters: DrillParameters;
  readonly legit: DrillRoleResult;
  readonly attack: DrillRoleResult;
  /** Most instances (or tasks) billed at once. */
  readonly peakInstances: number;
  readonly costPerHourUsd: DrillCost;
  /** Legitimate success target; undefined when the scenario has none. */
  readonly target?: number;
  /** False when legitimate success is below the target. */
  readonly passed: boolean;
  /** One line: the outcome. */
  readonly verdict: string;
  /** The limit that let the loss happen, when it failed or lost more than 1 %. */
  readonly cause?: string;
  /** The change that fixes it. */
  readonly fix?: string;
  /** Every limit read from the template, one line each. */
  readonly limits: string[];
  readonly timeline: DrillTimelineRow[];
  /** What the drill assumed (what the template does not say, and what AWS does not document). */
  readonly assumptions: string[];
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * A flood simulator over a synthesized template: finds the entry point, reads every limit in
 * front of and behind it (WAF rate rules, usage plans, stage and method throttles, the backend's
 * instances and scaling, the job queue's admission bound) and simulates a scenario second by
 * second (see docs/drill.md).
 */
export class Drill {
  /** The scenario names. */
  public static scenarios(): string[] {
    return [...SCENARIOS];
  }

  /**
   * Drills a template file (JSON or YAML, SAM included) or a cdk.out directory.
   * @throws when the file cannot be read, has no entry point, or no profile is given or recorded
   */
  public static runFile(path: string, options: DrillOptions = {}): DrillReport {
    const files = templateFiles(path, process.cwd());
    const errors: string[] = [];
    for (const file of files) {
      const loaded = loadTemplate(file, process.cwd());
      try {
        return Drill.runTemplate(loaded.template, options, loaded.path);
      } catch (e) {
        if (!(e instanceof DrillError) || e.code !== 'DRILL_NO_ENTRY_POINT') throw e;
        errors.push(e.message);
      }
    }
    throw new DrillError('DRILL_NO_ENTRY_POINT', errors.join('; '));
  }

  /**
   * Drills a template given as a JSON object.
   * @throws when it has no entry point for the scenario, or no profile is given or recorded
   */
  public static runTemplate(template: any, options: DrillOptions = {}, label: string = 'template'): DrillReport {
    return runDrill(template as CfnTemplate, options, label, DEFAULT_PRICES);
  }

  private constructor() {}
}

/** The systems (entry points) of a template that a scenario can drill. */
export function drillSystems(template: CfnTemplate, profile: InferenceProfile | undefined, jobs: boolean, prices: PriceTable = DEFAULT_PRICES, apiId?: string): { systems: DrillSystem[]; why?: string } {
  const { model } = prepareTemplate(template);
  const prof = profile ?? recordedProfile(model);
  const entries = entryMethods(model).filter((e) => e.jobs === jobs && (apiId === undefined || e.apiId === apiId));
  if (entries.length === 0) return { systems: [], why: `no ${jobs ? 'POST /jobs (job admission)' : 'synchronous POST'} method of a REST API${apiId ? ` ${apiId}` : ''} in the template` };
  if (!prof) return { systems: [], why: 'no profile: pass one (--profile FILE), or drill a template synthesized by this library (its backends record their profile)' };
  return { systems: entries.map((e) => readSystem(model as TemplateModel, e.apiId, e.methodId, prof, prices)) };
}

function runDrill(template: CfnTemplate, options: DrillOptions, label: string, prices: PriceTable): DrillReport {
  const scenario = (options.scenario ?? 'single-key') as ScenarioName;
  if (!SCENARIOS.includes(scenario)) {
    throw new DrillError('DRILL_BAD_SCENARIO', `scenario ${JSON.stringify(options.scenario)}: allowed ${SCENARIOS.join(', ')}`);
  }
  const { systems, why } = drillSystems(template, options.profile, scenario === 'queue-flood', prices, options.apiId);
  if (systems.length === 0) {
    const code = /no profile/.test(why ?? '') ? 'DRILL_NO_PROFILE' : 'DRILL_NO_ENTRY_POINT';
    throw new DrillError(code, `${label}: ${why}`);
  }
  return drillSystem(systems[0], scenario, options, label);
}

/** Drills one system with one scenario. */
export function drillSystem(sys: DrillSystem, scenario: ScenarioName, options: DrillOptions, label: string): DrillReport {
  const params = defaultParameters(sys, options);
  const durationSeconds = options.durationSeconds ?? 900;
  const seed = options.seed ?? 1;
  for (const [k, v] of Object.entries({ attackRps: params.attackRps, legitRps: params.legitRps, legitClients: params.legitClients, durationSeconds, heavyCost: params.heavyCost })) {
    if (!Number.isFinite(v) || v < 0 || (k !== 'attackRps' && k !== 'legitRps' && v <= 0)) throw new DrillError('DRILL_BAD_OPTION', `${k} = ${v}: a positive number is needed`);
  }
  const flows = scenarioFlows(sys, scenario, params);
  const result = simulate(sys, flows, { durationS: Math.round(durationSeconds), seed, wafBlockDelayS: options.wafBlockDelaySeconds, timelineStepS: options.timelineStepSeconds ?? 10, sustainableShare: LIMIT_DEFAULTS.headroom }, scenario === 'queue-flood');
  const legit = role(result.legit);
  const attack = role(result.attack);
  const target = options.target ?? (scenario === 'surge' ? Math.max(0, round(result.capacityForcedLegitSuccess - 0.01)) : DEFAULT_TARGETS[scenario]);
  const passed = target === undefined || legit.successRate >= target;
  const diag = diagnose(sys, scenario, params, legit);
  const limits = limitLines(sys);
  const verdict = target === undefined
    ? `legitimate success ${pct(legit.successRate)} (no target: ${scenario === 'many-keys' ? 'a flood of valid keys, each under its limit, is stopped only by the stage throttle, which it shares with everyone' : 'informational'})`
    : `${passed ? 'PASS' : 'FAIL'}: legitimate success ${pct(legit.successRate)} ${passed ? '>=' : '<'} target ${pct(target)}${scenario === 'surge' ? ` (what the capacity in service serves at ${LIMIT_DEFAULTS.headroom * 100} % of the measured throughput, less 1 %)` : ''}`;
  return {
    scenario, description: SCENARIO_TEXT[scenario], template: label,
    entryPoint: `API ${sys.apiLabel} ${sys.methodLabel}`, backend: sys.backend?.label ?? 'not modelled',
    parameters: { ...params, durationSeconds, seed },
    legit, attack, peakInstances: result.peakInstances,
    costPerHourUsd: { peak: round(result.peakCostPerHourUsd, 2), mean: round(result.meanCostPerHourUsd, 2) },
    ...(target !== undefined ? { target } : {}), passed, verdict,
    ...((!passed || legit.successRate < 0.99) && diag ? { cause: diag.cause, fix: diag.fix } : {}),
    limits, timeline: result.timeline,
    assumptions: [...BASE_ASSUMPTIONS, ...sys.assumptions, ...(scenario === 'stolen-key' ? ['the stolen key belongs to a client outside the drill\'s legitimate traffic'] : [])],
  };
}

function role(t: EngineResult['legit']): DrillRoleResult {
  return {
    offered: Math.round(t.offered), succeeded: Math.round(t.ok), successRate: t.offered > 0 ? round(t.ok / t.offered) : 1,
    p50Ms: Math.round(percentile(t.latency, 0.5)), p99Ms: Math.round(percentile(t.latency, 0.99)),
    refusedBy: Object.fromEntries(LOSS_LAYERS.map((l) => [l, Math.round(t.refused[l])])),
  };
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
const r2 = (x: number) => Math.round(x * 100) / 100;

function limitLines(sys: DrillSystem): string[] {
  const out: string[] = [];
  for (const w of sys.waf) out.push(`WAF ${w.name}: ${w.limit} requests per ${w.windowSeconds} s per ${w.aggregate === 'ip' ? 'IP' : w.aggregate === 'key' ? 'API key' : 'web ACL'} (${r2(w.limit / w.windowSeconds)} req/s)`);
  out.push(`API key ${sys.apiKeyRequired ? 'required' : 'not required'}; authorization ${sys.authorization}`);
  for (const p of sys.plans) out.push(`usage plan ${p.name}: ${p.perKey ? `${p.perKey.rate} req/s, burst ${p.perKey.burst} per key` : 'no throttle'}${p.quotaPerDay !== undefined ? `, ${p.quotaPerDay}/day` : ''}`);
  for (const b of [sys.method, sys.stage]) if (b) out.push(`${b.label}: ${b.rate} req/s, burst ${b.burst}`);
  out.push(`${sys.account.label}: ${sys.account.rate} req/s, burst ${sys.account.burst}`);
  out.push(`integration timeout ${sys.integrationTimeoutMs} ms`);
  const b = sys.backend;
  if (b) {
    out.push(`${b.label}: ${r2(b.unitRps)} req/s per unit, ${b.minUnits}..${b.maxUnits} units (start ${b.initialUnits}), cold start ${b.coldStartS} s, ${b.priceFormula}`);
    for (const p of b.policies) out.push(`scaling ${p.id}: target ${p.target} ${p.metric === 'invocations' ? 'requests per unit per minute' : '% utilization'}, cooldowns out ${p.scaleOutCooldownS} s / in ${p.scaleInCooldownS} s`);
  }
  if (sys.queue) out.push(`job admission ${sys.queue.admissionId}: budget ${sys.queue.depthBudget} jobs, drain ${sys.queue.drainRatePerSecond}/s, a refusal's Retry-After is the time to drain to ${sys.queue.resumeFraction * 100} %`);
  return out;
}

/** Names the layer where legitimate requests were lost, the limit that let it happen, and the fix. */
function diagnose(sys: DrillSystem, scenario: ScenarioName, q: ReturnType<typeof defaultParameters>, legit: DrillRoleResult): { cause: string; fix: string } | undefined {
  const lost = Object.entries(legit.refusedBy).sort((a, b) => b[1] - a[1])[0] as [LossLayer, number] | undefined;
  if (!lost || lost[1] <= 0) return undefined;
  const [layer, count] = lost;
  const cap = fleetCapacity(sys);
  const plan = sys.apiKeyRequired ? sys.plans[0] : undefined;
  const heavy = scenario === 'heavy' ? q.heavyCost : 1;
  const spare = Math.max(0, cap.min - q.legitRps);
  const keyCeiling = r2(spare / heavy);
  const share = `${count} legitimate requests (${pct(count / Math.max(1, legit.offered))}) refused by ${layer}`;
  const unitRps = sys.backend?.unitRps ?? cap.min;
  if (layer === 'capacity' || layer === 'timeout') {
    if (plan?.perKey && scenario !== 'many-keys' && scenario !== 'surge') {
      const minUnits = Math.ceil((q.legitRps + plan.perKey.rate * heavy) / unitRps);
      return {
        cause: `${share}: usage plan ${plan.name} lets one key send ${plan.perKey.rate} req/s${heavy > 1 ? ` of ${heavy}x requests` : ''}, above the ${r2(spare)} req/s the minimum fleet (${r2(cap.min)} req/s) has beside legitimate traffic, for as long as scaling takes (metric period, alarm datapoints and a ${sys.backend?.coldStartS ?? 0} s cold start)`,
        fix: `lower the top tier's per-key rate to at most ${keyCeiling} req/s (Limits.derive caps tiers at the minimum fleet's spare capacity), or raise minInstances to ${minUnits}`,
      };
    }
    if (!plan?.perKey && scenario !== 'surge') {
      return {
        cause: `${share}: nothing limits one client below the ${sys.stage ? `stage throttle (${sys.stage.rate} req/s)` : 'account throttle'}, above the minimum fleet's ${r2(cap.min)} req/s`,
        fix: `require API keys with a usage plan of at most ${keyCeiling} req/s per key, and a WAF per-IP rate rule`,
      };
    }
    return { cause: `${share}: the fleet (${r2(cap.min)}..${r2(cap.max)} req/s) is below the offered load until scaling adds capacity`, fix: 'raise minInstances, or lower the scaling target so scaling starts earlier' };
  }
  if (layer === 'stage' || layer === 'method' || layer === 'account') {
    const b = layer === 'stage' ? sys.stage : layer === 'method' ? sys.method : sys.account;
    return {
      cause: `${share}: the ${b?.label ?? layer} (${b?.rate} req/s) is one bucket shared by every client; the flood takes ${pct(q.attackRps / (q.attackRps + q.legitRps))} of its tokens`,
      fix: scenario === 'many-keys'
        ? `no per-client limit stops many valid keys that each stay under their limit; revoke keys (usage-plan quotas bound the total per key per day), or add a WAF rule on a client attribute the flood shares`
        : `require API keys with a usage plan of at most ${keyCeiling} req/s per key, and add a WAF per-IP rate rule (${Math.max(10, Math.ceil(keyCeiling * 1.2 * 300))} per 5 minutes)`,
    };
  }
  if (layer === 'waf') return { cause: `${share}: a WAF rate rule blocks legitimate clients`, fix: 'raise the rule\'s limit above one legitimate client\'s rate per window' };
  if (layer === 'plan' || layer === 'quota') return { cause: `${share}: legitimate clients exceed their own plan`, fix: 'give legitimate clients a higher tier, or spread them over more keys (--legit-clients)' };
  return {
    cause: `${share}: the job admission budget (${sys.queue?.depthBudget} jobs) fills faster than workers drain (${sys.queue?.drainRatePerSecond}/s)`,
    fix: `lower the per-key rate of POST /jobs to at most ${r2(Math.max(0, (sys.queue?.drainRatePerSecond ?? 0) - q.legitRps))} req/s`,
  };
}
