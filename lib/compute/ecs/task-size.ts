import {
  ECS_CONTAINER_MIN_MEMORY_MIB, ECS_CPU_UNITS_PER_VCPU, ECS_EC2_TASK_CPU_MAX, ECS_EC2_TASK_CPU_MIN, FARGATE_MAX_STOP_TIMEOUT_S, FARGATE_TASK_SIZES,
  GpuInstanceSpec, ProblemCollector,
} from '../../core';

/**
 * What the ECS-optimized GPU AMI keeps away from tasks on each instance.
 *
 * - Memory: the instance registers less memory than its nominal size (kernel, AMI daemons; typically
 *   3-5 % on the ECS-optimized AMIs), and this library also sets `ECS_RESERVED_MEMORY` for the ECS
 *   agent, the SSM agent and the NVIDIA persistence daemon. Validating against the nominal size would
 *   accept tasks that never get placed (they stay PENDING), so the check uses
 *   `nominal x (1 - fraction) - agentMiB`.
 * - CPU: ECS registers every vCPU, but the agent, Docker and the NVIDIA driver need some cycles; a
 *   task that books all of them starves them under load, which is when it matters.
 */
export const ECS_HOST_RESERVE = {
  /** Share of nominal memory the instance never registers with ECS. */
  memoryOverheadFraction: 0.06,
  /** `ECS_RESERVED_MEMORY` written to the agent config (MiB). */
  agentMemoryMiB: 256,
  /** CPU units left to the agent, Docker and the driver. */
  agentCpuUnits: 256,
} as const;

/** CPU, memory and GPUs one instance offers to tasks after the host reserve. */
export interface UsableInstanceResources {
  readonly cpuUnits: number;
  readonly memoryMiB: number;
  readonly gpus: number;
}

/** The share of an instance that tasks can book. */
export function usableInstanceResources(spec: GpuInstanceSpec): UsableInstanceResources {
  return {
    cpuUnits: spec.vcpus * ECS_CPU_UNITS_PER_VCPU - ECS_HOST_RESERVE.agentCpuUnits,
    memoryMiB: Math.floor(spec.memoryMiB * (1 - ECS_HOST_RESERVE.memoryOverheadFraction)) - ECS_HOST_RESERVE.agentMemoryMiB,
    gpus: spec.gpus,
  };
}

/** One container's limits, for validation. */
export interface ContainerLimits {
  readonly name: string;
  /** Hard limit (MiB). */
  readonly memoryLimitMiB: number;
  /** Soft reservation (MiB). */
  readonly memoryReservationMiB: number;
  readonly gpuCount: number;
}

/** Inputs of the task-size checks. */
export interface TaskSizeCheck {
  /** Task CPU units. */
  readonly cpu: number;
  /** Task memory (MiB). */
  readonly memoryMiB: number;
  readonly containers: readonly ContainerLimits[];
  /** Requested shared memory (MiB), if any. */
  readonly sharedMemoryMiB?: number;
  /** Container stop timeout (s). */
  readonly stopTimeoutSeconds: number;
  /** Profile's peak resident memory of the model server (MiB). */
  readonly peakHostMemoryMiB: number;
  /** Name of the server container (the one the profile measured). */
  readonly serverContainer: string;
}

function checkContainers(c: ProblemCollector, t: TaskSizeCheck): void {
  let hardSum = 0;
  for (const k of t.containers) {
    hardSum += k.memoryLimitMiB;
    c.intInRange(`containers.${k.name}.memoryLimitMiB`, k.memoryLimitMiB, ECS_CONTAINER_MIN_MEMORY_MIB, 10_000_000, 'every container gets a hard memory limit');
    c.require(k.memoryReservationMiB <= k.memoryLimitMiB, `containers.${k.name}.memoryReservationMiB`, k.memoryReservationMiB,
      `<= the hard limit (${k.memoryLimitMiB} MiB)`, 'lower the reservation or raise memoryLimitMiB');
  }
  c.require(hardSum <= t.memoryMiB, 'memoryLimitMiB', hardSum, `the hard limits of all containers together (server + sidecars) <= task memory (${t.memoryMiB} MiB)`,
    'lower memoryLimitMiB or raise taskMemoryMiB');
  const server = t.containers.find((k) => k.name === t.serverContainer);
  if (server) {
    c.require(server.memoryLimitMiB >= t.peakHostMemoryMiB, 'memoryLimitMiB', server.memoryLimitMiB,
      `>= the profile's peak host memory (${t.peakHostMemoryMiB} MiB)`, 'the server would be OOM-killed at its measured peak: raise memoryLimitMiB or use a larger instance type');
  }
}

/**
 * Checks an EC2 (GPU) task against the instance type it runs on. Returns the collector so the
 * caller can add its own problems and throw once.
 */
export function checkEc2TaskSize(c: ProblemCollector, spec: GpuInstanceSpec, t: TaskSizeCheck): void {
  const usable = usableInstanceResources(spec);
  const gpus = t.containers.reduce((n, k) => n + k.gpuCount, 0);
  c.require(gpus <= spec.gpus, 'gpuCount', gpus, `<= the ${spec.gpus} GPU(s) of ${spec.name}`, 'lower gpuCount or choose an instance type with more GPUs');
  c.require(gpus >= 1, 'gpuCount', gpus, 'at least 1 on GPU capacity', 'set gpuCount to 1, or use Fargate (CPU) capacity for a CPU model');
  c.require(Number.isInteger(t.cpu) && t.cpu >= ECS_EC2_TASK_CPU_MIN && t.cpu <= ECS_EC2_TASK_CPU_MAX, 'cpu', t.cpu,
    `an integer from ${ECS_EC2_TASK_CPU_MIN} to ${ECS_EC2_TASK_CPU_MAX} CPU units (the ECS task range on EC2)`, 'give the task whole CPU units, at least 128');
  c.require(t.cpu <= usable.cpuUnits, 'cpu', t.cpu,
    `<= ${usable.cpuUnits} CPU units (${spec.vcpus} vCPU of ${spec.name} minus ${ECS_HOST_RESERVE.agentCpuUnits} units left to the ECS agent and Docker)`,
    'lower cpu or choose a larger instance type');
  c.require(t.memoryMiB <= usable.memoryMiB, 'taskMemoryMiB', t.memoryMiB,
    `<= ${usable.memoryMiB} MiB (${spec.memoryMiB} MiB of ${spec.name} minus ${ECS_HOST_RESERVE.memoryOverheadFraction * 100} % the instance never registers and ${ECS_HOST_RESERVE.agentMemoryMiB} MiB reserved for the ECS agent)`,
    'lower the memory limit or choose an instance type with more memory');
  c.require(t.sharedMemoryMiB === undefined || t.sharedMemoryMiB < t.memoryMiB, 'sharedMemorySize', t.sharedMemoryMiB,
    `< task memory (${t.memoryMiB} MiB): /dev/shm pages count against the container's memory`, 'lower sharedMemorySize');
  checkContainers(c, t);
}

/** Checks a Fargate task: exact CPU/memory combination, no GPU, no shared memory, stop timeout. */
export function checkFargateTaskSize(c: ProblemCollector, t: TaskSizeCheck): void {
  const allowed = FARGATE_TASK_SIZES[t.cpu];
  if (allowed === undefined) {
    c.add('cpu', t.cpu, `one of ${Object.keys(FARGATE_TASK_SIZES).join(', ')} CPU units on Fargate`, 'pick a Fargate task size');
  } else {
    const lo = allowed[0];
    const hi = allowed[allowed.length - 1];
    const step = allowed.length > 1 ? allowed[allowed.length - 1] - allowed[allowed.length - 2] : 0;
    c.require(allowed.includes(t.memoryMiB), 'taskMemoryMiB', t.memoryMiB,
      t.cpu === 256 ? 'one of 512, 1024, 2048 MiB with 256 CPU units' : `${lo}..${hi} MiB in ${step} MiB steps with ${t.cpu} CPU units`,
      `use one of ${allowed.length <= 8 ? allowed.join(', ') : `${allowed.slice(0, 3).join(', ')}, ..., ${hi}`} MiB, or another cpu`);
  }
  const gpus = t.containers.reduce((n, k) => n + k.gpuCount, 0);
  c.require(gpus === 0, 'gpuCount', gpus, '0 on Fargate (Fargate has no GPUs)', 'remove gpuCount, or use EcsCapacity.gpuInstances(...) for a GPU model');
  c.require(t.sharedMemoryMiB === undefined, 'sharedMemorySize', t.sharedMemoryMiB, 'unset on Fargate (linuxParameters.sharedMemorySize is not supported there)', 'remove sharedMemorySize, or use EC2 capacity');
  c.require(t.stopTimeoutSeconds <= FARGATE_MAX_STOP_TIMEOUT_S, 'stopTimeout', `${t.stopTimeoutSeconds} s`, `<= ${FARGATE_MAX_STOP_TIMEOUT_S} s on Fargate`, 'lower stopTimeout');
  checkContainers(c, t);
}

/** A Fargate task size. */
export interface FargateTaskSize {
  readonly cpu: number;
  readonly memoryMiB: number;
}

/** The smallest valid Fargate size with at least `minCpu` units and `minMemoryMiB` memory. */
export function smallestFargateSize(minCpu: number, minMemoryMiB: number): FargateTaskSize | undefined {
  for (const cpu of Object.keys(FARGATE_TASK_SIZES).map(Number).sort((a, b) => a - b)) {
    if (cpu < minCpu) continue;
    const mem = FARGATE_TASK_SIZES[cpu].find((m) => m >= minMemoryMiB);
    if (mem !== undefined) return { cpu, memoryMiB: mem };
  }
  return undefined;
}
