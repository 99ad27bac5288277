import { App, Stack } from 'aws-cdk-lib';
import { InferenceProfile, InferenceProfileProps } from '../../../lib';

/** A ResNet-50-like profile measured on one g5.xlarge. */
export function gpuProfile(overrides: Partial<InferenceProfileProps> = {}): InferenceProfile {
  return InferenceProfile.of({
    model: 'resnet50',
    hardware: 'g5.xlarge',
    latencyMs: { p50: 40, p90: 200, p99: 800 },
    sustainableConcurrency: 4,
    throughputPerInstanceRps: 20,
    peakHostMemoryMiB: 6_000,
    peakGpuMemoryMiB: 9_000,
    coldStartSeconds: 60,
    maxRequestBytes: 600_000,
    ...overrides,
  });
}

/** A small CPU model for Fargate. */
export function cpuProfile(overrides: Partial<InferenceProfileProps> = {}): InferenceProfile {
  return InferenceProfile.of({
    model: 'tabular',
    hardware: 'fargate-2vcpu',
    latencyMs: { p50: 5, p90: 9, p99: 20 },
    sustainableConcurrency: 2,
    throughputPerInstanceRps: 50,
    peakHostMemoryMiB: 1_500,
    peakGpuMemoryMiB: 0,
    coldStartSeconds: 20,
    maxRequestBytes: 10_000,
    ...overrides,
  });
}

export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id);
}
