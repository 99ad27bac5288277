import {
  APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, APIGW_MIN_INTEGRATION_TIMEOUT_MS, WAF_RATE_LIMIT_MAX, WAF_RATE_LIMIT_MIN,
  WAF_RATE_WINDOWS_SECONDS,
} from '../../core/aws-limits';
import { ValidationProblem } from '../../core/errors';
import { ProblemCollector } from '../../core/validation';
import type { InferenceLimits } from '../limits';

/** How one number of a limits object may look. */
interface NumberRule {
  readonly min: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly oneOf?: readonly number[];
}

const INT0: NumberRule = { min: 0, integer: true };
const INT1: NumberRule = { min: 1, integer: true };
const POSITIVE: NumberRule = { min: Number.MIN_VALUE };
const SHARE: NumberRule = { min: 0, max: 1 };
const PERCENT: NumberRule = { min: 0, max: 100 };

/** Every number of `InferenceLimits`, by path, with what the template and AWS accept. */
const RULES: ReadonlyArray<[string, NumberRule]> = [
  ['timeouts.integrationTimeoutMs', { min: APIGW_MIN_INTEGRATION_TIMEOUT_MS, max: APIGW_EXTENDED_INTEGRATION_TIMEOUT_CEILING_MS, integer: true }],
  ['timeouts.modelServerTimeoutSeconds', POSITIVE],
  ['timeouts.nginxReadTimeoutSeconds', INT1],
  ['throttle.rateLimit', { min: 0 }],
  ['throttle.burstLimit', INT0],
  ['waf.windowSeconds', { min: 0, oneOf: WAF_RATE_WINDOWS_SECONDS }],
  ['waf.rateLimitPerIp', { min: WAF_RATE_LIMIT_MIN, max: WAF_RATE_LIMIT_MAX, integer: true }],
  ['scaling.minInstances', INT0],
  ['scaling.maxInstances', INT1],
  ['scaling.targetInvocationsPerInstancePerMinute', POSITIVE],
  ['scaling.scaleOutCooldownSeconds', INT0],
  ['scaling.scaleInCooldownSeconds', INT0],
  // No API Gateway ceiling here: an asynchronous backend takes bodies far larger (through S3), and
  // the API caps its own payload at 10 MB.
  ['payload.maxBodyBytes', INT1],
  ['modelServer.maxBatchSize', INT1],
  ['modelServer.maxEnqueuedBatches', INT1],
  ['modelServer.batchTimeoutMicros', INT0],
  ['alarms.api5xxRate', SHARE],
  ['alarms.api4xxRate', SHARE],
  ['alarms.apiLatencyP99Ms', POSITIVE],
  ['alarms.integrationLatencyP99Ms', POSITIVE],
  ['alarms.throttledPerMinute', { min: 0 }],
  ['alarms.wafBlockedPerMinute', { min: 0 }],
  ['alarms.modelLatencyP99Micros', POSITIVE],
  ['alarms.backend5xxPerMinute', { min: 0 }],
  ['alarms.cpuUtilizationPercent', PERCENT],
  ['alarms.memoryUtilizationPercent', PERCENT],
  ['alarms.gpuUtilizationPercent', PERCENT],
  ['alarms.gpuMemoryUtilizationPercent', PERCENT],
];

const TIER_RULES: ReadonlyArray<[string, NumberRule]> = [['rateLimit', { min: 0 }], ['burstLimit', INT0], ['quotaPerDay', INT0]];

function allowedText(r: NumberRule): string {
  if (r.oneOf) return r.oneOf.join(', ');
  const kind = r.integer ? 'an integer' : 'a number';
  if (r.max !== undefined) return `${kind} from ${r.min} to ${r.max}`;
  return r.min === Number.MIN_VALUE ? `${kind} > 0` : `${kind} >= ${r.min}`;
}

function checkNumber(c: ProblemCollector, prop: string, value: unknown, r: NumberRule): void {
  if (value === undefined || value === null) {
    c.add(prop, value, allowedText(r), `set ${prop}, or derive the limits with Limits.derive()`);
    return;
  }
  // NaN, infinities and CDK tokens: every limit is computed with at synth time.
  if (!c.concreteNumber(prop, value, `set ${prop} to a plain number, or derive the limits with Limits.derive()`)) return;
  const v = value as number;
  const ok = r.oneOf ? r.oneOf.includes(v) : v >= r.min && (r.max === undefined || v <= r.max) && (!r.integer || Number.isInteger(v));
  if (!ok) c.add(prop, v, allowedText(r), `set ${prop} to ${allowedText(r)}, or derive the limits with Limits.derive()`);
}

const at = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

/**
 * Problems of a limits object a construct receives, which may have been built or edited by hand
 * rather than derived: every number finite, known at synth time and in the range the template
 * and AWS accept, minInstances <= maxInstances, usage-plan tiers named. Each problem once, with
 * the prop path under `prefix`.
 */
export function limitsProblems(limits: InferenceLimits, prefix = 'limits'): ValidationProblem[] {
  const c = new ProblemCollector('LIMITS_INVALID', prefix);
  if (limits === null || typeof limits !== 'object') {
    c.add(prefix, limits, 'an InferenceLimits object', 'derive the limits with Limits.derive()');
    return [...c.list];
  }
  for (const [path, rule] of RULES) checkNumber(c, `${prefix}.${path}`, at(limits, path), rule);
  const { minInstances, maxInstances } = limits.scaling ?? ({} as Record<string, unknown>);
  if (c.empty || !c.list.some((p) => p.prop.startsWith(`${prefix}.scaling.m`))) {
    c.require(typeof minInstances !== 'number' || typeof maxInstances !== 'number' || minInstances <= maxInstances, `${prefix}.scaling.minInstances`, minInstances,
      `<= scaling.maxInstances (${maxInstances})`, 'lower minInstances or raise maxInstances');
  }
  const tiers = limits.usagePlanTiers;
  if (!Array.isArray(tiers)) {
    c.add(`${prefix}.usagePlanTiers`, tiers, 'an array of tiers (possibly empty)', 'derive the limits with Limits.derive()');
  } else {
    tiers.forEach((t, i) => {
      c.require(typeof t?.name === 'string' && t.name.trim().length > 0, `${prefix}.usagePlanTiers[${i}].name`, t?.name, 'a non-empty name', 'name the tier (it names the usage plan)');
      for (const [k, rule] of TIER_RULES) checkNumber(c, `${prefix}.usagePlanTiers[${i}].${k}`, (t as unknown as Record<string, unknown>)?.[k], rule);
    });
  }
  return [...c.list];
}
