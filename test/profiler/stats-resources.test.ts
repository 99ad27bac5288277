import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  parseNvidiaSmi, parseProcStat, parseVmRssKiB, percentile, processTree, queryNvidiaSmi, readProcessTree, ResourceSampler, summarizeLatencies,
} from '../../lib/profiler';

describe('percentiles', () => {
  test('nearest rank returns observed values', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([], 50)).toBe(0);
  });
  test('summary sorts a copy', () => {
    expect(summarizeLatencies([3, 1, 2, 10])).toEqual({ p50: 2, p90: 10, p99: 10, max: 10 });
  });
});

describe('/proc parsing', () => {
  test('stat: a command name with spaces and parentheses does not shift the fields', () => {
    const line = '1234 (my (weird) server) S 77 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 4 0 100 1000000 500 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ ppid: 77, cpuTicks: 300 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
  test('status: VmRSS in kB', () => {
    expect(parseVmRssKiB('Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   51234 kB\n')).toBe(51234);
    expect(parseVmRssKiB('Name:\tkthreadd\n')).toBeUndefined();
  });
  test('the tree includes children (a server\'s workers)', async () => {
    const child = spawn('sleep', ['5']);
    try {
      await new Promise((r) => child.once('spawn', r));
      expect(processTree(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
    }
  });

  test('reads this process tree', () => {
    const r = readProcessTree(process.pid)!;
    expect(r.rssKiB).toBeGreaterThan(10_000);
    expect(r.cpuTicks).toBeGreaterThan(0);
    expect(processTree(process.pid)[0]).toBe(process.pid);
    expect(readProcessTree(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('nvidia-smi', () => {
  test('parses one row per GPU: peak utilization, summed memory', () => {
    expect(parseNvidiaSmi('35, 1200\n80, 3000\n')).toEqual({ utilizationPercent: 80, memoryMiB: 4200 });
    expect(parseNvidiaSmi('No devices were found\n')).toBeUndefined();
  });

  test('absent: says so, with the command name', async () => {
    const r = await queryNvidiaSmi('/nonexistent/nvidia-smi');
    expect(r).toEqual({ unavailable: '/nonexistent/nvidia-smi not found on PATH' });
  });

  test('present: a stand-in nvidia-smi is run with the query flags and sampled per step', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-smi-'));
    const fake = path.join(dir, 'nvidia-smi');
    const calls = path.join(dir, 'calls');
    fs.writeFileSync(fake, `#!/bin/sh\necho x >> '${calls}'\ncase "$*" in *--query-gpu=utilization.gpu,memory.used*) echo "42, 2048";; *) exit 9;; esac\n`, { mode: 0o755 });
    const called = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').length - 1 : 0);
    const s = new ResourceSampler({ pid: process.pid, nvidiaSmi: fake, intervalMs: 50 });
    expect(await s.start()).toEqual([]);
    s.beginStep();
    // One sample inside the step has been taken once a second call has started (the sampler
    // runs one nvidia-smi at a time): waited for, not timed, since a busy machine is slow to spawn.
    const before = called();
    while (called() < before + 2) await new Promise((r) => setTimeout(r, 50));
    const step = s.endStep()!;
    s.stop();
    expect(step.gpuUtilizationPercent).toBe(42);
    expect(step.gpuMemoryMiB).toBe(2048);
    expect(step.peakRssMiB).toBeGreaterThan(10);
    expect(s.summary().gpu).toEqual({ available: true, peakUtilizationPercent: 42, peakMemoryMiB: 2048 });
  });
});
