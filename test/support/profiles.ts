import { InferenceProfile, InferenceProfileProps } from '../../lib/profile';

/** A profile of a small Keras CNN on ml.g5.xlarge, used across tests. */
export const BASE_PROFILE: InferenceProfileProps = {
  model: 'mnist-cnn',
  hardware: 'ml.g5.xlarge',
  latencyMs: { p50: 18, p90: 26, p99: 41 },
  sustainableConcurrency: 8,
  throughputPerInstanceRps: 180,
  peakHostMemoryMiB: 3100,
  peakGpuMemoryMiB: 2150,
  coldStartSeconds: 95,
  maxRequestBytes: 120_000,
};

export function profile(overrides: Partial<InferenceProfileProps> = {}): InferenceProfile {
  return InferenceProfile.of({ ...BASE_PROFILE, ...overrides });
}
