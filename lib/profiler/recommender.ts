import { InferenceGuardError, ProblemCollector } from '../core';
import { InferenceProfile } from '../profile';
import { instanceMemoryMiB } from '../core/instance-memory';

/** The parts of an Inference Recommender recommendation the profile is built from (SDK shape). */
export interface RecommendationInput {
  readonly RecommendationId?: string;
  readonly Metrics?: {
    readonly CostPerHour?: number;
    readonly CostPerInference?: number;
    /** Requests per minute at which the endpoint was saturated (whole endpoint). */
    readonly MaxInvocations?: number;
    /** Model latency at MaxInvocations (ms). */
    readonly ModelLatency?: number;
    readonly CpuUtilization?: number;
    readonly MemoryUtilization?: number;
    /** Seconds to launch new compute (serverless); NaN when not available. */
    readonly ModelSetupTime?: number;
  };
  readonly EndpointConfiguration?: {
    readonly InstanceType?: string;
    readonly InitialInstanceCount?: number;
    readonly ServerlessConfig?: { readonly MemorySizeInMB?: number; readonly MaxConcurrency?: number };
  };
}

/** How the best recommendation is picked. */
export type RecommendationRank = 'cost' | 'throughput' | 'latency';

const finite = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** Per-instance throughput (req/s) of a recommendation, or undefined when not reported. */
function perInstanceRps(r: RecommendationInput): number | undefined {
  const max = r.Metrics?.MaxInvocations;
  if (!finite(max) || max <= 0) return undefined;
  return max / 60 / Math.max(1, r.EndpointConfiguration?.InitialInstanceCount ?? 1);
}

/**
 * Picks the best usable recommendation: one with MaxInvocations and ModelLatency reported, then
 * by `rank`: lowest CostPerInference (Inference Recommender's own ordering; falls back to
 * throughput when cost is missing), highest per-instance throughput, or lowest latency.
 */
export function pickRecommendation(recs: readonly RecommendationInput[], rank: RecommendationRank = 'cost', instanceType?: string): RecommendationInput | undefined {
  const usable = recs.filter((r) => perInstanceRps(r) !== undefined && finite(r.Metrics?.ModelLatency) && r.Metrics!.ModelLatency! > 0)
    .filter((r) => instanceType === undefined || r.EndpointConfiguration?.InstanceType === instanceType);
  const by: Record<RecommendationRank, (a: RecommendationInput, b: RecommendationInput) => number> = {
    cost: (a, b) => (a.Metrics?.CostPerInference ?? Infinity) - (b.Metrics?.CostPerInference ?? Infinity) || perInstanceRps(b)! - perInstanceRps(a)!,
    throughput: (a, b) => perInstanceRps(b)! - perInstanceRps(a)!,
    latency: (a, b) => a.Metrics!.ModelLatency! - b.Metrics!.ModelLatency!,
  };
  return [...usable].sort(by[rank])[0];
}

/** Host memory (MiB) of an instance type: the library's one table (GPU types, CPU families' GiB per vCPU). */
export { instanceMemoryMiB };

/** Options of `recommendationToProfile`. */
export interface RecommendationProfileOptions {
  readonly model: string;
  readonly jobName: string;
  /** Largest request the model receives (bytes); Inference Recommender does not report it. */
  readonly maxRequestBytes: number;
  readonly measuredAt?: string;
}

/**
 * Turns one Inference Recommender recommendation into a profile. Recommender reports one latency
 * (ModelLatency at MaxInvocations) and no concurrency, so some fields are estimated; the
 * document's `extra.estimated` and the provenance notes say which and how.
 */
export function recommendationToProfile(rec: RecommendationInput, o: RecommendationProfileOptions): { profile: InferenceProfile; document: Record<string, unknown> } {
  const c = new ProblemCollector('RECOMMENDATION_UNUSABLE', `Inference Recommender job ${o.jobName}`);
  const m = rec.Metrics ?? {};
  const ec = rec.EndpointConfiguration ?? {};
  const rps = perInstanceRps(rec);
  c.require(rps !== undefined, 'Metrics.MaxInvocations', m.MaxInvocations, 'a number of invocations per minute > 0', 'pick another recommendation (--instance-type) or rerun the job');
  c.require(finite(m.ModelLatency) && m.ModelLatency > 0, 'Metrics.ModelLatency', m.ModelLatency, 'a latency in ms > 0', 'pick another recommendation (--instance-type) or rerun the job');
  const hardware = ec.InstanceType ?? (ec.ServerlessConfig ? `serverless-${ec.ServerlessConfig.MemorySizeInMB ?? 'unknown'}MB` : undefined);
  c.require(hardware !== undefined, 'EndpointConfiguration.InstanceType', ec.InstanceType, 'an instance type or a serverless config', 'pick another recommendation');
  c.throwIfAny('the recommendation cannot be turned into a profile');
  const latency = m.ModelLatency!;
  const throughput = Math.round(rps! * 1000) / 1000;
  const estimated: Record<string, string> = {
    'latencyMs': `p50 = p90 = p99 = ModelLatency ${latency} ms: Recommender reports one latency, measured at MaxInvocations (saturation), so it is taken as the tail and the lower percentiles are set equal to it (conservative for timeouts)`,
    'sustainableConcurrency': `ceil(throughput ${throughput} req/s x ModelLatency ${latency} ms / 1000) by Little's law; Recommender reports no concurrency`,
    'throughputPerInstanceRps': `MaxInvocations ${m.MaxInvocations} per minute / 60 / InitialInstanceCount ${Math.max(1, ec.InitialInstanceCount ?? 1)}`,
    'maxRequestBytes': `not reported by Recommender; from --max-request-bytes (${o.maxRequestBytes})`,
  };
  const memMiB = hardware ? instanceMemoryMiB(hardware) ?? (ec.ServerlessConfig?.MemorySizeInMB) : undefined;
  let peakHostMemoryMiB = 1;
  if (finite(m.MemoryUtilization) && memMiB !== undefined) {
    peakHostMemoryMiB = Math.max(1, Math.ceil(memMiB * m.MemoryUtilization / 100));
    estimated.peakHostMemoryMiB = `MemoryUtilization ${m.MemoryUtilization} % x ${memMiB} MiB of ${hardware}`;
  } else {
    estimated.peakHostMemoryMiB = `not available (MemoryUtilization ${m.MemoryUtilization ?? 'missing'}${memMiB === undefined ? `, memory of ${hardware} unknown` : ''}); written as 1 - measure with kig profile --pid`;
  }
  estimated.peakGpuMemoryMiB = 'not reported by Recommender; written as 0';
  let coldStartSeconds = 0;
  if (finite(m.ModelSetupTime)) coldStartSeconds = m.ModelSetupTime;
  else estimated.coldStartSeconds = 'ModelSetupTime not available (reported for serverless only); written as 0';
  const concurrency = Math.max(1, Math.ceil(throughput * latency / 1000));
  const measuredAt = o.measuredAt ?? new Date().toISOString();
  let profile: InferenceProfile;
  try {
    profile = InferenceProfile.of({
      model: o.model,
      hardware: hardware!,
      latencyMs: { p50: latency, p90: latency, p99: latency },
      sustainableConcurrency: concurrency,
      throughputPerInstanceRps: throughput,
      peakHostMemoryMiB,
      peakGpuMemoryMiB: 0,
      coldStartSeconds,
      maxRequestBytes: o.maxRequestBytes,
      provenance: {
        tool: 'sagemaker-inference-recommender',
        measuredAt,
        notes: `job ${o.jobName}, recommendation ${rec.RecommendationId ?? '(no id)'}; estimated: ${Object.keys(estimated).join(', ')} (see extra.estimated)`,
      },
    });
  } catch (e) {
    if (e instanceof InferenceGuardError) throw new InferenceGuardError('RECOMMENDATION_UNUSABLE', `Inference Recommender job ${o.jobName}`, e.problems, 'the recommendation gives an invalid profile');
    throw e;
  }
  return {
    profile,
    document: {
      ...profile.toJson(),
      extra: {
        source: 'sagemaker-inference-recommender',
        jobName: o.jobName,
        recommendationId: rec.RecommendationId,
        metrics: m,
        endpointConfiguration: ec,
        estimated,
      },
    },
  };
}
