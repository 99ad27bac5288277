import { execFile } from 'child_process';
import * as fs from 'fs';
import { StepResources } from './types';

/**
 * Kernel clock ticks per second used by /proc/<pid>/stat times. USER_HZ is 100 on every Linux
 * architecture Node supports (x86-64, arm64); it is fixed by the kernel ABI, not by CONFIG_HZ.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (ticks) and parent pid read from the text of /proc/<pid>/stat. */
export function parseProcStat(text: string): { ppid: number; cpuTicks: number } | undefined {
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state): ppid is field 4, utime field 14, stime field 15.
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { ppid, cpuTicks: utime + stime };
}

/** Resident memory (KiB) from the text of /proc/<pid>/status (`VmRSS:`). */
export function parseVmRssKiB(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** GPU samples from `nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(text: string): { utilizationPercent: number; memoryMiB: number } | undefined {
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(',').map((v) => Number(v.trim())));
  const valid = rows.filter((r) => r.length >= 2 && r.every(Number.isFinite));
  if (valid.length === 0) return undefined;
  return {
    utilizationPercent: Math.max(...valid.map((r) => r[0])),
    memoryMiB: valid.reduce((sum, r) => sum + r[1], 0),
  };
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The pid and every descendant. A model server is often a shell, a supervisor or gunicorn with
 * workers, so the whole tree is measured, not just the pid given.
 */
export function processTree(root: number): number[] {
  const viaChildren = processTreeFromChildren(root);
  if (viaChildren) return viaChildren;
  const parentOf = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [root];
  }
  for (const e of entries) {
    const stat = readProc(Number(e), 'stat');
    const parsed = stat ? parseProcStat(stat) : undefined;
    if (parsed) parentOf.set(Number(e), parsed.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  }
  return tree;
}

/**
 * The tree from /proc/<pid>/task/<tid>/children (kernels with CONFIG_PROC_CHILDREN, as Debian's
 * and Ubuntu's): reads only the tree, not every process on the host. Undefined when absent.
 */
function processTreeFromChildren(root: number): number[] | undefined {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      if (i === 0) return undefined;
      continue;
    }
    for (const tid of tids) {
      let text: string;
      try {
        text = fs.readFileSync(`/proc/${tree[i]}/task/${tid}/children`, 'utf8');
      } catch (e) {
        if (i === 0 && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // kernel without the file
        continue;
      }
      for (const c of text.split(' ').map(Number).filter((n) => n > 0)) if (!tree.includes(c)) tree.push(c);
    }
  }
  return tree;
}

/** One reading of a process tree: CPU ticks so far and resident memory now. */
export function readProcessTree(root: number): { cpuTicks: number; rssKiB: number } | undefined {
  if (readProc(root, 'stat') === undefined) return undefined;
  let cpuTicks = 0;
  let rssKiB = 0;
  for (const pid of processTree(root)) {
    const stat = readProc(pid, 'stat');
    const parsed = stat ? parseProcStat(stat) : undefined;
    if (parsed) cpuTicks += parsed.cpuTicks;
    const status = readProc(pid, 'status');
    rssKiB += (status ? parseVmRssKiB(status) : undefined) ?? 0;
  }
  return { cpuTicks, rssKiB };
}

/** Runs nvidia-smi once. Resolves to the sample, or to the reason it could not be had. */
export function queryNvidiaSmi(command: string): Promise<{ utilizationPercent: number; memoryMiB: number } | { unavailable: string }> {
  return new Promise((resolve) => {
    execFile(command, ['--query-gpu=utilization.gpu,memory.used', '--format=csv,noheader,nounits'], { timeout: 5_000 }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        resolve({ unavailable: code === 'ENOENT' ? `${command} not found on PATH` : `${command} failed: ${err.message.split('\n')[0]}` });
        return;
      }
      const sample = parseNvidiaSmi(stdout);
      resolve(sample ?? { unavailable: `${command} printed no GPU rows (${JSON.stringify(stdout.slice(0, 60))})` });
    });
  });
}

/** What the sampler could reach, and the peaks it saw over the whole run. */
export interface ResourceSummary {
  readonly process: { readonly pid?: number; readonly available: boolean; readonly reason?: string; readonly peakRssMiB?: number; readonly peakCpuCores?: number };
  readonly gpu: { readonly available: boolean; readonly reason?: string; readonly peakUtilizationPercent?: number; readonly peakMemoryMiB?: number };
  readonly sampleIntervalMs: number;
}

/** Options of `ResourceSampler`. */
export interface ResourceSamplerOptions {
  /** Root pid of the model server. @default - process not sampled */
  readonly pid?: number;
  /** nvidia-smi command. @default "nvidia-smi" */
  readonly nvidiaSmi?: string;
  /** @default 250 */
  readonly intervalMs?: number;
}

/**
 * Samples the model server's CPU and memory (/proc) and the GPUs (nvidia-smi) while the load
 * runs, and reports per-step figures. Sources that cannot be reached are reported once, with the
 * reason, and the run goes on without them.
 */
export class ResourceSampler {
  private timer?: NodeJS.Timeout;
  private readonly intervalMs: number;
  private readonly nvidiaSmi: string;
  private procReason?: string;
  private gpuReason?: string;
  private gpuAvailable = false;
  private procAvailable = false;
  private stepStart?: { at: number; cpuTicks?: number };
  private stepPeakRssKiB = 0;
  private stepGpuUtil?: number;
  private stepGpuMem?: number;
  private peakRssKiB = 0;
  private peakCpuCores = 0;
  private peakGpuUtil?: number;
  private peakGpuMem?: number;
  private gpuBusy = false;

  constructor(private readonly options: ResourceSamplerOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.nvidiaSmi = options.nvidiaSmi ?? 'nvidia-smi';
  }

  /** Probes both sources. Returns one line per source that is not available (for the user). */
  public async start(): Promise<string[]> {
    const notes: string[] = [];
    if (this.options.pid === undefined) {
      this.procReason = 'no --pid or --start-cmd given';
      notes.push('server CPU and memory not sampled: no --pid or --start-cmd given');
    } else if (readProcessTree(this.options.pid) === undefined) {
      this.procReason = `/proc/${this.options.pid}/stat cannot be read (no such process here)`;
      notes.push(`server CPU and memory not sampled: ${this.procReason}`);
    } else {
      this.procAvailable = true;
    }
    const gpu = await queryNvidiaSmi(this.nvidiaSmi);
    if ('unavailable' in gpu) {
      this.gpuReason = gpu.unavailable;
      notes.push(`GPU utilization and memory not sampled: ${gpu.unavailable}; peakGpuMemoryMiB is written as 0`);
    } else {
      this.gpuAvailable = true;
      this.recordGpu(gpu);
    }
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return notes;
  }

  public get processAvailable(): boolean {
    return this.procAvailable;
  }

  public beginStep(): void {
    const now = this.options.pid !== undefined && this.procAvailable ? readProcessTree(this.options.pid) : undefined;
    this.stepStart = { at: performance.now(), cpuTicks: now?.cpuTicks };
    this.stepPeakRssKiB = now?.rssKiB ?? 0;
    this.stepGpuUtil = undefined;
    this.stepGpuMem = undefined;
  }

  public endStep(): StepResources | undefined {
    this.sampleProcess();
    const start = this.stepStart;
    let cpuCores: number | undefined;
    if (start?.cpuTicks !== undefined && this.options.pid !== undefined) {
      const now = readProcessTree(this.options.pid);
      const seconds = (performance.now() - start.at) / 1000;
      if (now && seconds > 0) {
        cpuCores = Math.round(((now.cpuTicks - start.cpuTicks) / CLOCK_TICKS_PER_SECOND / seconds) * 100) / 100;
        this.peakCpuCores = Math.max(this.peakCpuCores, cpuCores);
      }
    }
    const r: StepResources = {
      ...(cpuCores !== undefined ? { cpuCores } : {}),
      ...(this.stepPeakRssKiB > 0 ? { peakRssMiB: Math.round(this.stepPeakRssKiB / 1024 * 10) / 10 } : {}),
      ...(this.stepGpuUtil !== undefined ? { gpuUtilizationPercent: this.stepGpuUtil } : {}),
      ...(this.stepGpuMem !== undefined ? { gpuMemoryMiB: this.stepGpuMem } : {}),
    };
    this.stepStart = undefined;
    return Object.keys(r).length ? r : undefined;
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  public summary(): ResourceSummary {
    return {
      process: {
        ...(this.options.pid !== undefined ? { pid: this.options.pid } : {}),
        available: this.procAvailable,
        ...(this.procReason ? { reason: this.procReason } : {}),
        ...(this.peakRssKiB > 0 ? { peakRssMiB: Math.round(this.peakRssKiB / 1024 * 10) / 10 } : {}),
        ...(this.procAvailable ? { peakCpuCores: this.peakCpuCores } : {}),
      },
      gpu: {
        available: this.gpuAvailable,
        ...(this.gpuReason ? { reason: this.gpuReason } : {}),
        ...(this.peakGpuUtil !== undefined ? { peakUtilizationPercent: this.peakGpuUtil } : {}),
        ...(this.peakGpuMem !== undefined ? { peakMemoryMiB: this.peakGpuMem } : {}),
      },
      sampleIntervalMs: this.intervalMs,
    };
  }

  private sample(): void {
    this.sampleProcess();
    if (this.gpuAvailable && !this.gpuBusy) {
      this.gpuBusy = true;
      void queryNvidiaSmi(this.nvidiaSmi).then((g) => {
        this.gpuBusy = false;
        if (!('unavailable' in g)) this.recordGpu(g);
      });
    }
  }

  private sampleProcess(): void {
    if (!this.procAvailable || this.options.pid === undefined) return;
    const now = readProcessTree(this.options.pid);
    if (!now) return;
    this.peakRssKiB = Math.max(this.peakRssKiB, now.rssKiB);
    if (this.stepStart) this.stepPeakRssKiB = Math.max(this.stepPeakRssKiB, now.rssKiB);
  }

  private recordGpu(g: { utilizationPercent: number; memoryMiB: number }): void {
    this.peakGpuUtil = Math.max(this.peakGpuUtil ?? 0, g.utilizationPercent);
    this.peakGpuMem = Math.max(this.peakGpuMem ?? 0, g.memoryMiB);
    if (this.stepStart) {
      this.stepGpuUtil = Math.max(this.stepGpuUtil ?? 0, g.utilizationPercent);
      this.stepGpuMem = Math.max(this.stepGpuMem ?? 0, g.memoryMiB);
    }
  }
}
