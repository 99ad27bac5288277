import { deriveLimits, InferenceProfile } from '../../lib/profile';
import { instanceMemoryMiB, pickRecommendation, RecommendationInput, recommendationToProfile } from '../../lib/profiler';

const recs: RecommendationInput[] = [
  { RecommendationId: 'a', Metrics: { CostPerInference: 0.0002, MaxInvocations: 600, ModelLatency: 80, MemoryUtilization: 25, CpuUtilization: 60 }, EndpointConfiguration: { InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 } },
  { RecommendationId: 'b', Metrics: { CostPerInference: 0.0001, MaxInvocations: 2400, ModelLatency: 20, MemoryUtilization: 10 }, EndpointConfiguration: { InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 2 } },
  { RecommendationId: 'c', Metrics: { CostPerInference: 0.00005, ModelLatency: 5 }, EndpointConfiguration: { InstanceType: 'ml.c5.large', InitialInstanceCount: 1 } },
];

describe('Inference Recommender import', () => {
  test('picks by cost, throughput or latency, skipping recommendations without MaxInvocations', () => {
    expect(pickRecommendation(recs)!.RecommendationId).toBe('b');
    expect(pickRecommendation(recs, 'latency')!.RecommendationId).toBe('b');
    expect(pickRecommendation(recs, 'throughput')!.RecommendationId).toBe('b');
    expect(pickRecommendation(recs, 'cost', 'ml.m5.xlarge')!.RecommendationId).toBe('a');
    expect(pickRecommendation(recs, 'cost', 'ml.c5.large')).toBeUndefined();
  });

  test('maps metrics to a profile and names every estimate', () => {
    const { profile, document } = recommendationToProfile(recs[1], { model: 'mnist', jobName: 'job1', maxRequestBytes: 2048, measuredAt: 'T' });
    expect(profile.hardware).toBe('ml.g5.xlarge');
    expect(profile.throughputPerInstanceRps).toBe(20); // 2400 per minute / 60 / 2 instances
    expect(profile.latencyMs).toEqual({ p50: 20, p90: 20, p99: 20 });
    expect(profile.sustainableConcurrency).toBe(1); // ceil(20 req/s x 0.02 s)
    expect(profile.peakHostMemoryMiB).toBe(Math.ceil(16 * 1024 * 0.1));
    expect(profile.provenance.tool).toBe('sagemaker-inference-recommender');
    const est = (document.extra as { estimated: Record<string, string> }).estimated;
    expect(Object.keys(est).sort()).toEqual(['coldStartSeconds', 'latencyMs', 'maxRequestBytes', 'peakGpuMemoryMiB', 'peakHostMemoryMiB', 'sustainableConcurrency', 'throughputPerInstanceRps']);
    expect(est.latencyMs).toMatch(/p50 = p90 = p99 = ModelLatency 20 ms/);
    // The document is a valid profile file and gives limits.
    const back = InferenceProfile.fromJson(JSON.parse(JSON.stringify(document)));
    expect(deriveLimits(back, { maxInstances: 2 }).throttle.rateLimit).toBe(32);
  });

  test('unusable recommendation: one error naming each missing metric', () => {
    expect(() => recommendationToProfile(recs[2], { model: 'm', jobName: 'j', maxRequestBytes: 1 })).toThrow(/Metrics.MaxInvocations = undefined/);
  });

  test('instance memory table', () => {
    expect(instanceMemoryMiB('ml.m5.xlarge')).toBe(16 * 1024);
    expect(instanceMemoryMiB('ml.g5.2xlarge')).toBe(32 * 1024);
    expect(instanceMemoryMiB('ml.x9.huge')).toBeUndefined();
  });
});
