/**
 * GPU instance types this library knows, with the figures it validates against.
 *
 * Source: Amazon EC2 accelerated computing instance specifications
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html) and the SageMaker instance list
 * (`aws/aws-cdk:packages/@aws-cdk/aws-sagemaker-alpha/lib/instance-type.ts`). SageMaker `ml.*` types
 * have the same hardware as their EC2 namesakes.
 */
export interface GpuInstanceSpec {
  /** EC2 name, without the `ml.` prefix. */
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly gpus: number;
  /** Memory of one GPU (MiB). */
  readonly gpuMemoryMiB: number;
  /** GPU model, for messages. */
  readonly gpuModel: string;
  /**
   * True when the instance has local NVMe instance storage. SageMaker then refuses an endpoint
   * config `KmsKeyId` (the volume is encrypted by a hardware module) and provisions no EBS volume.
   * Source: CreateEndpointConfig `KmsKeyId` (API reference) and EC2 instance store volumes.
   */
  readonly localNvme: boolean;
}

const GiB = 1024;
function family(prefix: string, gpuModel: string, gpuMemGiB: number, localNvme: boolean, rows: Array<[string, number, number, number]>): GpuInstanceSpec[] {
  return rows.map(([size, vcpus, memGiB, gpus]) => ({ name: `${prefix}.${size}`, vcpus, memoryMiB: memGiB * GiB, gpus, gpuMemoryMiB: gpuMemGiB * GiB, gpuModel, localNvme }));
}

/**
 * The table: [size, vCPUs, host memory GiB, GPUs] per family, with the memory of one GPU.
 * Checked 2026-11-26 against the accelerated computing specifications page (ac.html above) as
 * transcribed in GitHub meta-pytorch/torchx `torchx/specs/named_resources_aws.py` ("taken from
 * https://aws.amazon.com/ec2/instance-types/"), which lists every g4dn, g5, g6e, p3, p4d and p5 row
 * here with the same vCPUs, GiB and GPU count (g6e.12xlarge has 4 GPUs, not 2 as an earlier table
 * said). g6 rows follow https://aws.amazon.com/ec2/instance-types/g6/ (same shape as g5). GPU memory is
 * the nominal size the instance type pages give (T4 16 GB, A10G 24 GB, L4 24 GB, L40S 48 GB, V100 16 GB,
 * A100 40 GB, H100 80 GB); DescribeInstanceTypes may report slightly less usable memory for L4/L40S,
 * which was not confirmed from a readable source.
 */
export const GPU_INSTANCE_TYPES: readonly GpuInstanceSpec[] = [
  ...family('g4dn', 'NVIDIA T4', 16, true, [['xlarge', 4, 16, 1], ['2xlarge', 8, 32, 1], ['4xlarge', 16, 64, 1], ['8xlarge', 32, 128, 1], ['12xlarge', 48, 192, 4], ['16xlarge', 64, 256, 1], ['metal', 96, 384, 8]]),
  ...family('g5', 'NVIDIA A10G', 24, true, [['xlarge', 4, 16, 1], ['2xlarge', 8, 32, 1], ['4xlarge', 16, 64, 1], ['8xlarge', 32, 128, 1], ['12xlarge', 48, 192, 4], ['16xlarge', 64, 256, 1], ['24xlarge', 96, 384, 4], ['48xlarge', 192, 768, 8]]),
  ...family('g6', 'NVIDIA L4', 24, true, [['xlarge', 4, 16, 1], ['2xlarge', 8, 32, 1], ['4xlarge', 16, 64, 1], ['8xlarge', 32, 128, 1], ['12xlarge', 48, 192, 4], ['16xlarge', 64, 256, 1], ['24xlarge', 96, 384, 4], ['48xlarge', 192, 768, 8]]),
  ...family('g6e', 'NVIDIA L40S', 48, true, [['xlarge', 4, 32, 1], ['2xlarge', 8, 64, 1], ['4xlarge', 16, 128, 1], ['8xlarge', 32, 256, 1], ['12xlarge', 48, 384, 4], ['16xlarge', 64, 512, 1], ['24xlarge', 96, 768, 4], ['48xlarge', 192, 1536, 8]]),
  ...family('p3', 'NVIDIA V100', 16, false, [['2xlarge', 8, 61, 1], ['8xlarge', 32, 244, 4], ['16xlarge', 64, 488, 8]]),
  ...family('p4d', 'NVIDIA A100', 40, true, [['24xlarge', 96, 1152, 8]]),
  ...family('p5', 'NVIDIA H100', 80, true, [['48xlarge', 192, 2048, 8]]),
];

/** Families treated as GPU instances (also those not in the table). Source: aws-limits reference 3.4. */
export const GPU_FAMILY_PATTERN = /^(ml\.)?(g4dn|g5|g6|g6e|p2|p3|p4d|p4de|p5|p5e)\./;

/** Strips the SageMaker `ml.` prefix. */
export function ec2Name(instanceType: string): string {
  return instanceType.replace(/^ml\./, '');
}

/** The GPU spec of an instance type (`ml.g5.xlarge` or `g5.xlarge`), if it is in the table. */
export function gpuInstanceSpec(instanceType: string): GpuInstanceSpec | undefined {
  const name = ec2Name(instanceType);
  return GPU_INSTANCE_TYPES.find((s) => s.name === name);
}

/** True for GPU instance families. */
export function isGpuInstanceType(instanceType: string): boolean {
  return GPU_FAMILY_PATTERN.test(instanceType);
}

/**
 * Instance families with local NVMe instance storage (the `d` variants and the GPU families above).
 * Source: Amazon EC2 instance store volumes (https://docs.aws.amazon.com/ec2/latest/instancetypes/).
 */
export const LOCAL_NVME_FAMILY_PATTERN = /^(ml\.)?(g4dn|g5|g6|g6e|p3dn|p4d|p4de|p5|p5e|[a-z]\d[a-z]?d[n]?)\./;

/** True when the instance type has local NVMe storage (no EBS KMS key, no volume size on SageMaker). */
export function hasLocalNvme(instanceType: string): boolean {
  return gpuInstanceSpec(instanceType)?.localNvme ?? LOCAL_NVME_FAMILY_PATTERN.test(instanceType);
}
