import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import {
  DeriveLimitsOptions, EcsCapacity, EcsInferenceService, InferenceGuardError, ModelServer, ModelSource, KerasInferenceService, LimitOverrides, ModelArtifact, QueueLimitOptions,
  InferenceCompute,
} from '../../lib';
import { deriveLimits, deriveQueueLimits } from '../../lib/profile';
import { gpuProfile, newStack } from '../compute/ecs/fixtures';
import { profile } from '../support/profiles';
import { SIGNATURE } from '../support/stacks';
import { hostileNumber } from './arbitraries';

const SEED = 20260415;
const SM = { backend: { name: 'SageMaker', maxPayloadBytes: 6_291_456, invocationTimeoutMs: 60_000, synchronous: true, scalesToZero: false, scalingUnit: 'instance' } };

/** Every numeric option of deriveLimits and of its overrides. */
const LIMIT_OPTIONS = ['minInstances', 'maxInstances', 'headroom', 'timeoutFactor', 'targetUtilization', 'maxBatchSize', 'wafWindowSeconds'] as const;
const OVERRIDES: ReadonlyArray<keyof LimitOverrides> = [
  'integrationTimeoutMs', 'modelServerTimeoutSeconds', 'stageRateLimit', 'stageBurstLimit', 'targetInvocationsPerInstancePerMinute',
  'maxPayloadBytes', 'maxEnqueuedBatches', 'wafRateLimitPerIp',
];
const QUEUE_OPTIONS: ReadonlyArray<keyof QueueLimitOptions> = [
  'maxInstances', 'timeoutFactor', 'acceptableWaitSeconds', 'workerMarginSeconds', 'maxReceiveCount', 'messageRetentionSeconds',
  'admissionReservedConcurrency', 'depthCacheTtlSeconds', 'resumeFraction', 'batchSize', 'visibilityTimeoutSeconds',
];

/** Mostly absent (the default applies), sometimes a hostile number: several at once rarely all fail. */
const maybe = fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: hostileNumber, weight: 1 });
let derived = 0;
let refused = 0;

/** Every number inside a value: none may be NaN, infinite or a token. */
function numbersIn(v: unknown, path: string, out: Array<[string, number]>): Array<[string, number]> {
  if (typeof v === 'number') out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbersIn(x, `${path}[${i}]`, out));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) numbersIn(x, path ? `${path}.${k}` : k, out);
  return out;
}

const isWhole = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;

/** A clear error (InferenceGuardError naming props) or a result; never another exception. */
function outcome<T>(fn: () => T): { error: InferenceGuardError } | { value: T } {
  try {
    const value = fn();
    derived++;
    return { value };
  } catch (e) {
    if (!(e instanceof InferenceGuardError)) throw e;
    refused++;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) expect(p.prop).toMatch(/\S/);
    return { error: e };
  }
}

describe('generated numbers through every numeric prop', () => {
  test('deriveLimits: a clear error or limits whose every number is finite and within its CloudFormation range', () => {
    const options = fc.record({
      ...Object.fromEntries(LIMIT_OPTIONS.map((k) => [k, maybe])),
      overrides: fc.record(Object.fromEntries(OVERRIDES.map((k) => [k, maybe])), { requiredKeys: [] }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(options, (o) => {
      const r = outcome(() => deriveLimits(profile(), { ...SM, ...(o as DeriveLimitsOptions) }));
      if ('error' in r) return;
      const l = r.value;
      for (const [path, n] of numbersIn({ ...l, formulas: undefined }, '', [])) {
        expect({ path, finite: Number.isFinite(n) && !Token.isUnresolved(n) }).toEqual({ path, finite: true });
      }
      expect(isWhole(l.throttle.burstLimit, 1, 5_000)).toBe(true);
      expect(l.throttle.rateLimit).toBeGreaterThan(0);
      expect(isWhole(l.waf.rateLimitPerIp, 10, 2_000_000_000)).toBe(true);
      expect(isWhole(l.timeouts.integrationTimeoutMs, 50, 300_000)).toBe(true);
      expect(isWhole(l.timeouts.modelServerTimeoutSeconds, 1, 3_600)).toBe(true);
      expect(isWhole(l.payload.maxBodyBytes, 1, 10 * 1024 * 1024)).toBe(true);
      expect(isWhole(l.scaling.minInstances, 1, 10_000) && isWhole(l.scaling.maxInstances, l.scaling.minInstances, 10_000)).toBe(true);
      for (const t of l.usagePlanTiers) expect(t.rateLimit > 0 && isWhole(t.burstLimit, 1, 5_000) && isWhole(t.quotaPerDay, 1, Number.MAX_SAFE_INTEGER)).toBe(true);
    }), { seed: SEED, numRuns: 400 });
  });

  test('deriveQueueLimits: a clear error or limits whose every number is finite', () => {
    const options = fc.record(Object.fromEntries(QUEUE_OPTIONS.map((k) => [k, maybe])), { requiredKeys: [] });
    fc.assert(fc.property(options, (o) => {
      const r = outcome(() => deriveQueueLimits(profile(), o as QueueLimitOptions));
      if ('error' in r) return;
      for (const [path, n] of numbersIn({ ...r.value, formulas: undefined }, '', [])) {
        expect({ path, finite: Number.isFinite(n) && !Token.isUnresolved(n) }).toEqual({ path, finite: true });
      }
      expect(isWhole(r.value.maxReceiveCount, 1, 10)).toBe(true);
      expect(isWhole(r.value.batchSize, 1, 10)).toBe(true);
    }), { seed: SEED, numRuns: 400 });
  });

  test('KerasInferenceService: a clear error or a template without null values (a few synths)', () => {
    fc.assert(fc.property(fc.record({ maxInstances: fc.oneof(hostileNumber, fc.integer({ min: 1, max: 6 })), headroom: maybe }), (o) => {
      const stack = new Stack(new App(), 'G');
      const r = outcome(() => new KerasInferenceService(stack, 'Svc', {
        profile: profile(), compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://models-bucket/m.tar.gz') }), signature: SIGNATURE, ...o,
      }));
      if ('error' in r) return;
      const text = JSON.stringify(Template.fromStack(stack).toJSON());
      expect(text).not.toMatch(/:null[,}\]]/);
      expect(text).not.toMatch(/-1\.888\d+e\+289|\$\{Token\[/);
    }), { seed: SEED, numRuns: 6 });
  });

  test('EcsInferenceService: a clear error or a template without null values (a few synths)', () => {
    const server = () => ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'm', model: ModelSource.inImage('/opt/models/m') });
    const props = fc.record(Object.fromEntries(['cpu', 'memoryLimitMiB', 'memoryReservationMiB', 'gpuCount', 'minTasks', 'maxTasks', 'nofileLimit']
      .map((k) => [k, maybe])), { requiredKeys: [] });
    fc.assert(fc.property(props, (o) => {
      const stack = newStack();
      const r = outcome(() => new EcsInferenceService(stack, 'Svc', {
        profile: gpuProfile(), modelServer: server(), capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }), ...o,
      }));
      if ('error' in r) return;
      const text = JSON.stringify(Template.fromStack(stack).toJSON());
      expect(text).not.toMatch(/:null[,}\]]/);
      expect(text).not.toMatch(/-1\.888\d+e\+289|\$\{Token\[/);
    }), { seed: SEED, numRuns: 8 });
  });

  afterAll(() => {
    // Both outcomes happened: the properties checked real limits, not only errors.
    expect(derived).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
