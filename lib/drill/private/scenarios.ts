import { heavyRequestCost } from '../../profile/limits';
import { Flow } from './engine';
import { DrillSystem } from './system';

/** The scenarios `kig drill` knows. */
export const SCENARIOS = ['single-key', 'stolen-key', 'many-keys', 'heavy', 'surge', 'queue-flood'] as const;
export type ScenarioName = typeof SCENARIOS[number];

/** What each scenario is, for --help and the report. */
export const SCENARIO_TEXT: Record<ScenarioName, string> = {
  'single-key': 'one API key from one IP floods the predict route',
  'stolen-key': 'one API key used from many IPs, each under the WAF per-IP limit',
  'many-keys': 'many keys and IPs, each just under its plan\'s limit (a distributed flood of valid keys)',
  'heavy': 'one key and IP sends the largest valid requests at the maximum batch',
  'surge': 'legitimate traffic x5 (five times as many clients), no attacker',
  'queue-flood': 'one key floods POST /jobs; legitimate clients submit jobs too',
};

/**
 * Legitimate-success target of each scenario at its defaults: 99 % under single-key, heavy and
 * queue-flood, 95 % under stolen-key. Surge is judged against what capacity forces; many-keys has
 * no target (no per-client limit can stop a flood of valid keys that each stay under their limit).
 */
export const DEFAULT_TARGETS: Record<ScenarioName, number | undefined> = {
  'single-key': 0.99, 'stolen-key': 0.95, 'many-keys': undefined, 'heavy': 0.99, 'surge': undefined, 'queue-flood': 0.99,
};

/** Numbers a scenario is built from. */
export interface ScenarioParameters {
  readonly attackRps: number;
  readonly legitRps: number;
  readonly legitClients: number;
  readonly heavyCost: number;
}

/** Reference requests per second the minimum and maximum fleets serve. */
export function fleetCapacity(sys: DrillSystem): { min: number; max: number } {
  const b = sys.backend;
  if (!b) return { min: sys.profile.throughputPerInstanceRps, max: sys.profile.throughputPerInstanceRps };
  return { min: Math.max(1, b.minUnits) * b.unitRps, max: Math.max(1, b.maxUnits) * b.unitRps };
}

/**
 * Defaults: attacker at 100 x the fleet's maximum capacity, legitimate traffic at half the minimum
 * fleet's capacity, spread over enough clients that each uses at most half of its key's plan
 * (at least 10).
 */
export function defaultParameters(sys: DrillSystem, given: Partial<ScenarioParameters>): ScenarioParameters {
  const cap = fleetCapacity(sys);
  const legitRps = given.legitRps ?? Math.round(cap.min * 0.5 * 100) / 100;
  const top = sys.plans[0]?.perKey?.rate;
  const legitClients = given.legitClients ?? Math.max(10, top ? Math.ceil(legitRps / (0.5 * top)) : 10);
  return {
    attackRps: given.attackRps ?? Math.round(cap.max * 100),
    legitRps, legitClients,
    heavyCost: given.heavyCost ?? heavyRequestCost(sys.profile),
  };
}

/** The client groups of a scenario. */
export function scenarioFlows(sys: DrillSystem, scenario: ScenarioName, q: ScenarioParameters): Flow[] {
  const legit: Flow = { name: 'legitimate clients', role: 'legit', rps: q.legitRps, keys: q.legitClients, ips: q.legitClients, cost: 1 };
  const perIpWafRps = Math.min(...sys.waf.filter((w) => w.aggregate === 'ip').map((w) => w.limit / w.windowSeconds), Infinity);
  const topRate = sys.plans[0]?.perKey?.rate;
  switch (scenario) {
    case 'single-key':
    case 'queue-flood':
      return [legit, { name: 'attacker (1 key, 1 IP)', role: 'attack', rps: q.attackRps, keys: 1, ips: 1, cost: 1 }];
    case 'heavy':
      return [legit, { name: `attacker (1 key, 1 IP, requests of ${q.heavyCost} x the median cost)`, role: 'attack', rps: q.attackRps, keys: 1, ips: 1, cost: q.heavyCost }];
    case 'stolen-key': {
      // Enough IPs that each stays at half the WAF per-IP rate.
      const ips = Number.isFinite(perIpWafRps) ? Math.max(100, Math.ceil(q.attackRps / (0.5 * perIpWafRps))) : 100;
      return [legit, { name: `attacker (1 key, ${ips} IPs)`, role: 'attack', rps: q.attackRps, keys: 1, ips, cost: 1 }];
    }
    case 'many-keys': {
      // Each key just under its plan's rate (95 %), each IP under the WAF limit.
      const keys = topRate ? Math.max(1, Math.ceil(q.attackRps / (0.95 * topRate))) : 1_000;
      const ips = Number.isFinite(perIpWafRps) ? Math.max(keys, Math.ceil(q.attackRps / (0.95 * perIpWafRps))) : keys;
      return [legit, { name: `attacker (${keys} keys, ${ips} IPs)`, role: 'attack', rps: q.attackRps, keys, ips, cost: 1 }];
    }
    case 'surge':
      return [{ ...legit, name: 'legitimate clients x5', rps: q.legitRps * 5, keys: q.legitClients * 5, ips: q.legitClients * 5 }];
  }
}
