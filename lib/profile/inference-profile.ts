import * as fs from 'fs';
import { Token } from 'aws-cdk-lib';
import { InferenceGuardError, ProblemCollector, show } from '../core';

/** Latency percentiles in milliseconds, measured at the sustainable concurrency. */
export interface LatencyPercentiles {
  /** Median latency (ms). */
  readonly p50: number;
  /** 90th percentile latency (ms). */
  readonly p90: number;
  /** 99th percentile latency (ms). */
  readonly p99: number;
}

/** Where a profile's numbers came from. */
export interface ProfileProvenance {
  /**
   * The tool or method that produced the numbers, e.g. `kig profile`, `sagemaker-inference-recommender`, `manual`.
   * @default "manual"
   */
  readonly tool?: string;
  /**
   * ISO-8601 time of the measurement.
   * @default - unknown
   */
  readonly measuredAt?: string;
  /**
   * Free-form notes: the model version, the payload used, the server flags.
   * @default - none
   */
  readonly notes?: string;
}

/** Latency of one request size alone (concurrency 1): one point of the input-size sensitivity. */
export interface PayloadSizeLatency {
  /** Request body size (bytes). */
  readonly bytes: number;
  /** Median latency of that request alone (ms). */
  readonly p50Ms: number;
}

/**
 * Measured facts about one model on one hardware type. Every limit the library sets is
 * derived from these numbers by `deriveLimits()`.
 */
export interface InferenceProfileProps {
  /** Name of the model the profile was measured for. */
  readonly model: string;
  /** Hardware the numbers were measured on, e.g. `ml.g5.xlarge` or `g5.xlarge`. One instance (or task). */
  readonly hardware: string;
  /** Latency percentiles (ms) at `sustainableConcurrency`. */
  readonly latencyMs: LatencyPercentiles;
  /** Concurrent requests one instance serves while latency stays within its bound (the knee). */
  readonly sustainableConcurrency: number;
  /** Requests per second one instance sustains at `sustainableConcurrency`. */
  readonly throughputPerInstanceRps: number;
  /** Peak resident host memory of the model server (MiB). */
  readonly peakHostMemoryMiB: number;
  /** Peak GPU memory used by the model server (MiB). 0 for CPU-only models. */
  readonly peakGpuMemoryMiB: number;
  /** Seconds from container start to the first good response. */
  readonly coldStartSeconds: number;
  /** Largest request body the model is expected to receive (bytes). */
  readonly maxRequestBytes: number;
  /**
   * Where the numbers came from.
   * @default - manual, time unknown
   */
  readonly provenance?: ProfileProvenance;
  /**
   * Input-size sensitivity: the latency of several request sizes, each sent alone (`kig profile`
   * with several `--payload` files writes them). With two sizes or more, the job queue's cost units
   * are calibrated by them (the share of a call's time that does not grow with its size).
   * @default - not measured: cost units assume a fixed share of 0.1
   */
  readonly payloadSizes?: PayloadSizeLatency[];
}

/** Version of the profile file format written by the profiler and read by `InferenceProfile.fromFile`. */
export const PROFILE_SCHEMA_VERSION = 1;

const NUMERIC_FIELDS: ReadonlyArray<[keyof InferenceProfileProps, string, number, number, boolean]> = [
  // field, unit/what, min, max, integer
  ['sustainableConcurrency', 'concurrent requests', 1, 100_000, true],
  ['throughputPerInstanceRps', 'requests per second', 0.001, 1_000_000, false],
  ['peakHostMemoryMiB', 'MiB', 1, 4_194_304, false],
  ['peakGpuMemoryMiB', 'MiB', 0, 4_194_304, false],
  ['coldStartSeconds', 'seconds', 0, 86_400, false],
  ['maxRequestBytes', 'bytes', 1, 1_073_741_824, true],
];

/**
 * A measured inference profile: latency, throughput, memory and cold start of one model on
 * one hardware type. Build it in code with `InferenceProfile.of()` or load the JSON file the
 * profiler writes with `InferenceProfile.fromFile()`.
 */
export class InferenceProfile {
  /** Builds a profile from numbers in code. Throws one error listing every invalid field. */
  public static of(props: InferenceProfileProps): InferenceProfile {
    const problems = InferenceProfile.check(props as unknown as Record<string, unknown>, 'InferenceProfile');
    problems.throwIfAny('invalid inference profile');
    return new InferenceProfile(props);
  }

  /**
   * Parses a profile object as found in a profile JSON file (`schemaVersion` 1).
   * @param source names the origin in error messages (a file path)
   */
  public static fromJson(json: unknown, source = 'profile JSON'): InferenceProfile {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new InferenceGuardError('PROFILE_INVALID', source, [{
        prop: '(root)', value: show(json), allowed: 'a JSON object', fix: 'write the profile as a JSON object; see `kig limits --help`',
      }], `invalid inference profile in ${source}`);
    }
    const obj = json as Record<string, unknown>;
    const problems = InferenceProfile.check(obj, source);
    if (obj.schemaVersion !== undefined && obj.schemaVersion !== PROFILE_SCHEMA_VERSION) {
      problems.add('schemaVersion', obj.schemaVersion, `${PROFILE_SCHEMA_VERSION}`, `regenerate the profile with this version of the profiler, or set "schemaVersion": ${PROFILE_SCHEMA_VERSION}`);
    }
    const known = new Set(['schemaVersion', 'model', 'hardware', 'latencyMs', 'provenance', ...NUMERIC_FIELDS.map((f) => f[0]), 'steps', 'knee', 'resources', 'payloadSizes', 'extra']);
    for (const key of Object.keys(obj)) {
      if (!known.has(key)) problems.add(key, obj[key], `one of ${[...known].join(', ')}`, `remove "${key}" or check its spelling`);
    }
    problems.throwIfAny(`invalid inference profile in ${source}`);
    return new InferenceProfile(obj as unknown as InferenceProfileProps);
  }

  /** Reads and validates a profile JSON file. Errors name the file, the field, the value and what is expected. */
  public static fromFile(path: string): InferenceProfile {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (e) {
      throw new InferenceGuardError('PROFILE_UNREADABLE', path, [{
        prop: '(file)', value: JSON.stringify(path), allowed: 'a readable JSON file', fix: `check the path (${(e as Error).message})`,
      }], `cannot read inference profile ${path}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new InferenceGuardError('PROFILE_INVALID', path, [{
        prop: '(file)', value: `${text.slice(0, 40)}${text.length > 40 ? '...' : ''}`, allowed: 'valid JSON', fix: `fix the JSON syntax (${(e as Error).message})`,
      }], `invalid inference profile in ${path}`);
    }
    return InferenceProfile.fromJson(json, path);
  }

  private static check(obj: Record<string, unknown>, source: string): ProblemCollector {
    const c = new ProblemCollector('PROFILE_INVALID', source);
    // A CDK token is only known at deploy time, but every limit is derived from the profile at
    // synth time: a token number (encoded as about -1.9e289) would become a burst limit or a
    // thread count of 1. Refused by name instead of skipped.
    const token = (key: string, v: unknown): boolean => {
      if (!((typeof v === 'number' || typeof v === 'string') && Token.isUnresolved(v))) return false;
      c.addAll([{
        prop: key, value: 'a CDK token (only known at deploy time)', allowed: `a plain ${typeof v === 'number' ? 'number' : 'string'} known at synth time`,
        fix: `give "${key}" the measured value itself: every limit is derived from the profile at synth time`,
      }]);
      return true;
    };
    for (const key of ['model', 'hardware'] as const) {
      const v = obj[key];
      if (token(key, v)) continue;
      c.require(typeof v === 'string' && v.length > 0, key, v, 'a non-empty string', `set "${key}"`);
    }
    for (const [key, unit, min, max, integer] of NUMERIC_FIELDS) {
      const v = obj[key];
      if (token(key, v)) continue;
      const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
      c.require(ok, key, v, `${integer ? 'an integer' : 'a number'} from ${min} to ${max} (${unit})`, `measure it with \`kig profile\` or set "${key}"`);
    }
    const lat = obj.latencyMs as Record<string, unknown> | undefined;
    if (typeof lat !== 'object' || lat === null) {
      c.add('latencyMs', lat, 'an object {p50, p90, p99} in milliseconds', 'set "latencyMs"');
    } else {
      // The order is checked only when each percentile is valid itself: a token (about -1.9e289)
      // or NaN is reported once, by its own problem, not also as a decrease.
      const valid = (['p50', 'p90', 'p99'] as const).filter((p) => {
        const v = lat[p];
        if (token(`latencyMs.${p}`, v)) return false;
        const ok = typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 3_600_000;
        c.require(ok, `latencyMs.${p}`, v, 'a number of milliseconds > 0, at most 3600000 (an hour)', `set "latencyMs.${p}"`);
        return ok;
      });
      if (valid.length === 3) {
        const { p50, p90, p99 } = lat as Record<string, number>;
        c.require(p50 <= p90 && p90 <= p99, 'latencyMs', lat, 'p50 <= p90 <= p99', 'check the percentiles: they must not decrease');
      }
    }
    const sizes = obj.payloadSizes;
    if (sizes !== undefined) {
      const ok = Array.isArray(sizes) && sizes.every((e) => {
        const x = e as Record<string, unknown>;
        const p50 = typeof x?.p50Ms === 'number' ? x.p50Ms : (x?.latencyMs as Record<string, unknown> | undefined)?.p50;
        return typeof x === 'object' && x !== null && typeof x.bytes === 'number' && x.bytes > 0 && typeof p50 === 'number' && Number.isFinite(p50) && p50 > 0;
      });
      c.require(ok, 'payloadSizes', sizes, 'a list of {bytes, p50Ms} (or the profiler\'s {bytes, latencyMs: {p50}}), bytes and latency > 0', 'fix or remove "payloadSizes"');
    }
    const prov = obj.provenance;
    if (prov !== undefined) c.require(typeof prov === 'object' && prov !== null && !Array.isArray(prov), 'provenance', prov, 'an object {tool, measuredAt, notes}', 'fix or remove "provenance"');
    return c;
  }

  public readonly model: string;
  public readonly hardware: string;
  public readonly latencyMs: LatencyPercentiles;
  public readonly sustainableConcurrency: number;
  public readonly throughputPerInstanceRps: number;
  public readonly peakHostMemoryMiB: number;
  public readonly peakGpuMemoryMiB: number;
  public readonly coldStartSeconds: number;
  public readonly maxRequestBytes: number;
  public readonly provenance: ProfileProvenance;
  /** Input-size sensitivity (empty when not measured). */
  public readonly payloadSizes: PayloadSizeLatency[];

  private constructor(props: InferenceProfileProps) {
    this.model = props.model;
    this.hardware = props.hardware;
    this.latencyMs = { p50: props.latencyMs.p50, p90: props.latencyMs.p90, p99: props.latencyMs.p99 };
    this.sustainableConcurrency = props.sustainableConcurrency;
    this.throughputPerInstanceRps = props.throughputPerInstanceRps;
    this.peakHostMemoryMiB = props.peakHostMemoryMiB;
    this.peakGpuMemoryMiB = props.peakGpuMemoryMiB;
    this.coldStartSeconds = props.coldStartSeconds;
    this.maxRequestBytes = props.maxRequestBytes;
    this.provenance = props.provenance ?? { tool: 'manual' };
    // A profile file carries the profiler's records ({bytes, latencyMs: {p50, p99}, ...}).
    this.payloadSizes = (props.payloadSizes ?? []).map((e) => {
      const x = e as unknown as { bytes: number; p50Ms?: number; latencyMs?: { p50: number } };
      return { bytes: x.bytes, p50Ms: x.p50Ms ?? x.latencyMs!.p50 };
    });
  }

  /** The profile as the JSON object written to a profile file. */
  public toJson(): Record<string, unknown> {
    return {
      schemaVersion: PROFILE_SCHEMA_VERSION,
      model: this.model,
      hardware: this.hardware,
      latencyMs: { ...this.latencyMs },
      sustainableConcurrency: this.sustainableConcurrency,
      throughputPerInstanceRps: this.throughputPerInstanceRps,
      peakHostMemoryMiB: this.peakHostMemoryMiB,
      peakGpuMemoryMiB: this.peakGpuMemoryMiB,
      coldStartSeconds: this.coldStartSeconds,
      maxRequestBytes: this.maxRequestBytes,
      provenance: { ...this.provenance },
      ...(this.payloadSizes.length > 0 ? { payloadSizes: this.payloadSizes.map((e) => ({ ...e })) } : {}),
    };
  }
}

/**
 * Metadata key under which the library's backends record the profile their limits come from, on
 * the endpoint or service resource, so that `kig drill` reads a synthesized template without a
 * separate profile file.
 */
export const PROFILE_METADATA_KEY = 'KerasInferenceGuard::Profile';

/** Records the profile on a backend's resource (see PROFILE_METADATA_KEY). */
export function recordProfile(resource: { addMetadata(key: string, value: unknown): void }, profile: InferenceProfile): void {
  resource.addMetadata(PROFILE_METADATA_KEY, profile.toJson());
}
