import { ec2Name, gpuInstanceSpec } from './instance-types';

const GiB = 1024;

/**
 * Memory per vCPU (GiB) of CPU instance families whose sizes all keep one ratio, and vCPUs per size.
 * Sources: Amazon EC2 instance type specifications, compute optimized
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html: C5/C6i/C7i 2 GiB per vCPU), general
 * purpose (gp.html: M5/M6i/M7i 4 GiB per vCPU) and memory optimized (mo.html: R5/R6i/R7i 8 GiB per
 * vCPU); sizes: large 2 vCPU, xlarge 4, Nxlarge 4N. Checked 2026-11-26: every size of these families
 * keeps its ratio on those pages (c5.large 2 vCPU / 4 GiB ... c5.24xlarge 96 / 192; m5.large 2 / 8 ...
 * m5.24xlarge 96 / 384; r5.large 2 / 16 ... r5.24xlarge 96 / 768; c7i/m7i/r7i.48xlarge 192 vCPUs), and
 * meta-pytorch/torchx `named_resources_aws.py` lists m5.2xlarge 8 / 32 and c5.18xlarge 72 vCPUs.
 * `metal` sizes are not derived (undefined). SageMaker `ml.*` types have the EC2 type's hardware.
 */
const CPU_FAMILY_GIB_PER_VCPU: Readonly<Record<string, number>> = {
  c5: 2, c5d: 2, c6i: 2, c7i: 2, m5: 4, m5d: 4, m6i: 4, m7i: 4, r5: 8, r5d: 8, r6i: 8, r7i: 8,
};

/**
 * Host memory (MiB) of an instance type (`ml.m5.xlarge` or `m5.xlarge`): from the GPU table, or
 * from the fixed memory-per-vCPU ratio of the common CPU families. Undefined when unknown.
 */
export function instanceMemoryMiB(instanceType: string): number | undefined {
  const gpu = gpuInstanceSpec(instanceType);
  if (gpu) return gpu.memoryMiB;
  const m = /^([a-z0-9]+)\.(large|(\d*)xlarge)$/.exec(ec2Name(instanceType));
  const ratio = m ? CPU_FAMILY_GIB_PER_VCPU[m[1]] : undefined;
  if (!m || ratio === undefined) return undefined;
  const vcpus = m[2] === 'large' ? 2 : 4 * Number(m[3] || 1);
  return vcpus * ratio * GiB;
}
