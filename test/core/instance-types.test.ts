import { gpuInstanceSpec } from '../../lib/core/instance-types';
import { instanceMemoryMiB } from '../../lib/core/instance-memory';

const GiB = 1024;

describe('instance hardware figures (EC2 instance type specifications; ml.* = the EC2 type)', () => {
  test.each([
    // [type, vCPUs, host GiB, GPUs, GiB per GPU]: rows of the EC2 accelerated computing table.
    ['g4dn.xlarge', 4, 16, 1, 16], ['g4dn.12xlarge', 48, 192, 4, 16], ['g4dn.metal', 96, 384, 8, 16],
    ['g5.xlarge', 4, 16, 1, 24], ['g5.12xlarge', 48, 192, 4, 24], ['g5.48xlarge', 192, 768, 8, 24],
    ['g6.2xlarge', 8, 32, 1, 24], ['g6.48xlarge', 192, 768, 8, 24],
    ['g6e.xlarge', 4, 32, 1, 48], ['g6e.12xlarge', 48, 384, 4, 48], ['g6e.48xlarge', 192, 1536, 8, 48],
    ['p3.2xlarge', 8, 61, 1, 16], ['p3.16xlarge', 64, 488, 8, 16],
    ['p4d.24xlarge', 96, 1152, 8, 40], ['p5.48xlarge', 192, 2048, 8, 80],
  ])('%s: %d vCPUs, %d GiB, %d GPUs of %d GiB', (type, vcpus, memGiB, gpus, gpuGiB) => {
    const s = gpuInstanceSpec(`ml.${type}`)!;
    expect([s.vcpus, s.memoryMiB, s.gpus, s.gpuMemoryMiB]).toEqual([vcpus, memGiB * GiB, gpus, gpuGiB * GiB]);
    expect(instanceMemoryMiB(type)).toBe(memGiB * GiB);
  });

  test.each([
    ['ml.c5.large', 4], ['c5.9xlarge', 72], ['c5.18xlarge', 144], ['ml.m5.xlarge', 16], ['m5.24xlarge', 384],
    ['r5.large', 16], ['r6i.32xlarge', 1024], ['ml.c7i.48xlarge', 384], ['m7i.48xlarge', 768],
  ])('CPU %s has %d GiB (fixed GiB per vCPU of its family)', (type, gib) => {
    expect(instanceMemoryMiB(type)).toBe(gib * GiB);
  });

  test('unknown families and metal sizes are not guessed', () => {
    expect(instanceMemoryMiB('t3.medium')).toBeUndefined();
    expect(instanceMemoryMiB('m5.metal')).toBeUndefined();
  });
});
