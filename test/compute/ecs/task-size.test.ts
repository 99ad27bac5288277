import { checkFargateTaskSize, smallestFargateSize, usableInstanceResources } from '../../../lib/compute/ecs';
import { FARGATE_TASK_SIZES, ProblemCollector, gpuInstanceSpec } from '../../../lib/core';

function fargate(cpu: number, memoryMiB: number) {
  const c = new ProblemCollector('T', 'test');
  checkFargateTaskSize(c, {
    cpu, memoryMiB, stopTimeoutSeconds: 30, peakHostMemoryMiB: 100, serverContainer: 'S',
    containers: [{ name: 'S', memoryLimitMiB: memoryMiB, memoryReservationMiB: 100, gpuCount: 0 }],
  });
  return c.list;
}

describe('Fargate size table', () => {
  test.each([[256, 512], [256, 2048], [512, 4096], [4096, 30720], [8192, 16384], [8192, 20480], [16384, 32768], [16384, 122880]])(
    '%i CPU units with %i MiB is valid', (cpu, mem) => expect(fargate(cpu, mem)).toEqual([]));

  test.each([[256, 1536], [1024, 1024], [8192, 18432], [16384, 36864], [16384, 131072], [3072, 8192]])(
    '%i CPU units with %i MiB is refused', (cpu, mem) => expect(fargate(cpu, mem).length).toBeGreaterThan(0));

  test('8 vCPU explains the 4 GiB step', () => {
    expect(fargate(8192, 18432)[0].allowed).toBe('16384..61440 MiB in 4096 MiB steps with 8192 CPU units');
  });

  test('smallest size that fits', () => {
    expect(smallestFargateSize(1024, 3000)).toEqual({ cpu: 1024, memoryMiB: 3072 });
    expect(smallestFargateSize(1024, 40_000)).toEqual({ cpu: 8192, memoryMiB: 40_960 });
    expect(smallestFargateSize(256, 200_000)).toBeUndefined();
    expect(Object.keys(FARGATE_TASK_SIZES)).toHaveLength(7);
  });
});

test('usable resources leave the ECS agent reserve', () => {
  expect(usableInstanceResources(gpuInstanceSpec('g5.xlarge')!)).toEqual({ cpuUnits: 3840, memoryMiB: 15144, gpus: 1 });
});
