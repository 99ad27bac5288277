import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceProfile } from '../../lib/profile';
import { StepResult } from '../../lib/profiler';
import { runKig } from '../support/cli';
import { ChildServer, freePort, startModelServer } from '../support/servers';

type Doc = { steps: StepResult[]; knee: { concurrency: number } | null; extra: { status: string; message?: string; notes: string[] }; resources: { gpu: { available: boolean; reason?: string } } };
const read = (f: string): Doc => JSON.parse(fs.readFileSync(f, 'utf8'));

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-err-'));
  fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ instances: [[1, 2, 3]] }));
  fs.writeFileSync(path.join(dir, 'broken.json'), '{"instances": [1, 2');
  fs.writeFileSync(path.join(dir, 'wrong-shape.json'), JSON.stringify({ data: [1] }));
  fs.writeFileSync(path.join(dir, 'empty.json'), '');
});

describe('kig profile: bad input gets a clear message and keeps partial results', () => {
  test('unreachable URL: exit 3, names the URL and the error, writes what it has', async () => {
    const port = await freePort();
    const out = path.join(dir, 'unreachable.json');
    const r = await runKig(['profile', '--url', `http://127.0.0.1:${port}/invocations`, '--payload', 'ok.json', '--out', out], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`cannot reach http://127.0.0.1:${port}/invocations: ECONNREFUSED.*Start the model server or fix --url`));
    expect(read(out).extra.status).toBe('unreachable');
    expect(read(out).steps).toEqual([]);
  });

  describe('with a server', () => {
    let failing: ChildServer;
    let flaky: ChildServer;
    beforeAll(async () => {
      [failing, flaky] = await Promise.all([
        startModelServer(['--fail-status', '500']),
        // 4 slots of 20 ms, but answers 503 when more than 2 requests are inside.
        startModelServer(['--concurrency', '4', '--service-ms', '20', '--fail-above', '2']),
      ]);
    });
    afterAll(async () => { await Promise.all([failing.stop(), flaky.stop()]); });

    test('non-2xx before the load: exit 3 with the status and the body', async () => {
      const out = path.join(dir, 'bad.json');
      const r = await runKig(['profile', '--url', `${failing.base}/invocations`, '--payload', 'ok.json', '--out', out], { cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/answered HTTP 500: \{"error":"configured to fail"\} to ok.json/);
      expect(read(out).extra.status).toBe('bad-response');
    });

    test('non-2xx under load: counted per step, the knee stops before them, no nvidia-smi said once', async () => {
      const out = path.join(dir, 'flaky.json');
      // A latency bound no 0.8 s step reaches: this test is about the 503s. With the default bound (a
      // multiple of the first step's p99) a busy machine once stopped the knee at concurrency 2 on
      // latency, before the step with errors.
      const r = await runKig(['profile', '--url', `${flaky.base}/invocations`, '--payload', 'ok.json', '--concurrency', '1,2,4',
        '--step-seconds', '0.8', '--latency-bound-ms', '60000', '--nvidia-smi', '/nonexistent/nvidia-smi', '--out', out], { cwd: dir, isTty: true });
      expect(r.code).toBe(0);
      const doc = read(out);
      // The knee is a step without errors (1 or 2: which one depends on the machine's load); the
      // step with 503s is never the knee.
      expect([1, 2]).toContain(doc.knee!.concurrency);
      const c4 = doc.steps.find((s) => s.concurrency === 4)!;
      expect(c4.errorRate).toBeGreaterThan(0.2);
      expect(c4.statusCounts['503']).toBe(c4.non2xx);
      expect(doc.extra.notes.join('\n')).toMatch(/errors at concurrency 4: HTTP 200 x\d+, HTTP 503 x\d+/);
      expect(doc.resources.gpu).toEqual({ available: false, reason: '/nonexistent/nvidia-smi not found on PATH' });
      expect(r.stderr.match(/GPU utilization and memory not sampled: \/nonexistent\/nvidia-smi not found on PATH/g)).toHaveLength(1);
      // a terminal gets a redrawn progress line
      expect(r.stderr).toMatch(/\r\x1b\[K\[[#.]{20}\] 2\/3 concurrency 2: \d+ req\/s/);
      expect(r.stdout).toMatch(/stopped because concurrency 4 had error rate/);
    });

    test('with nvidia-smi present, GPU utilization and memory go into the steps and the profile', async () => {
      const fake = path.join(dir, 'nvidia-smi');
      fs.writeFileSync(fake, '#!/bin/sh\necho "71, 5000"\necho "12, 1000"\n', { mode: 0o755 });
      const out = path.join(dir, 'gpu.json');
      const r = await runKig(['profile', '--url', `${flaky.base}/invocations`, '--payload', 'ok.json', '--concurrency', '1,2',
        '--step-seconds', '0.6', '--nvidia-smi', fake, '--hardware', 'ml.g5.xlarge', '--out', out], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/GPU utilization and memory not sampled/);
      const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(doc.peakGpuMemoryMiB).toBe(6000);
      expect(doc.steps[0].resources).toMatchObject({ gpuUtilizationPercent: 71, gpuMemoryMiB: 6000 });
      expect(doc.extra.estimated.peakGpuMemoryMiB).toBeUndefined();
    });

    test('Ctrl-C in the middle: exit 130, finished steps kept in --out and the report', async () => {
      const out = path.join(dir, 'interrupted.json');
      const report = path.join(dir, 'interrupted.svg');
      const ctl = new AbortController();
      let abortedAt = 0;
      // Ctrl-C inside the second step, triggered by that step's own progress line (a terminal's):
      // once it shows requests measured after the warm-up ("2/4 concurrency 2: N req/s", N > 0),
      // so neither a slow start nor a slow step on a busy machine can move it to another step.
      const onStderr = (t: string) => {
        if (!abortedAt && /\] 2\/4 concurrency 2: [1-9]\d* req\/s/.test(t)) {
          abortedAt = Date.now();
          ctl.abort();
        }
      };
      const r = await runKig(['profile', '--url', `${flaky.base}/invocations`, '--payload', 'ok.json', '--concurrency', '1,2,4,8',
        '--step-seconds', '1', '--out', out, '--report', report], { cwd: dir, signal: ctl.signal, onStderr, isTty: true });
      // It stops rather than running the steps still to come ("1 of 4"), and the partial step
      // below shows it did not finish the current one either; how long the stop took depends on
      // the machine's load and is not asserted.
      expect(abortedAt).toBeGreaterThan(0);
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/interrupted after 1 of 4 steps; the steps measured so far were kept/);
      const doc = read(out);
      expect(doc.extra.status).toBe('interrupted');
      expect(doc.steps.map((s) => [s.concurrency, s.partial ?? false])).toEqual([[1, false], [2, true]]);
      // one complete step is still a usable (partial) profile, and says so
      const p = InferenceProfile.fromFile(out);
      expect(p.sustainableConcurrency).toBe(1);
      expect(p.provenance.notes).toMatch(/PARTIAL \(interrupted\)/);
      expect(fs.readFileSync(report, 'utf8')).toContain('interrupted');
    });
  });

  test('unreadable and invalid payload files: exit 2, every file named with what is wrong', async () => {
    const r = await runKig(['profile', '--url', 'http://127.0.0.1:9/v1/models/m:predict', '--payload', 'missing.json', '--payload', 'broken.json',
      '--payload', 'wrong-shape.json', '--payload', 'empty.json', '--out', path.join(dir, 'never.json')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--payload = "missing.json": allowed a readable file. Fix: check the path \(ENOENT\)/);
    expect(r.stderr).toMatch(/--payload = "broken.json": allowed a JSON request body for TF Serving's REST predict API. Fix: fix the JSON/);
    expect(r.stderr).toMatch(/--payload = "wrong-shape.json": allowed a JSON object with "instances"/);
    expect(r.stderr).toMatch(/--payload = "empty.json": allowed a non-empty request body/);
    expect(fs.existsSync(path.join(dir, 'never.json'))).toBe(false);
  });

  test('bad options: exit 2, each option named with what is allowed', async () => {
    const r = await runKig(['profile', '--payload', 'ok.json', '--concurrency', '1,x', '--step-seconds', '0', '--pid', '4194000', '--report', 'r.pdf'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--url = undefined: allowed a model server URL, or --sagemaker-endpoint NAME/);
    expect(r.stderr).toMatch(/--concurrency = "1,x": allowed a comma-separated list of integers/);
    expect(r.stderr).toMatch(/--step-seconds = "0": allowed a number from 0.2 to 3600/);
    expect(r.stderr).toMatch(/--pid = "4194000": allowed the pid of a running process/);
    expect(r.stderr).toMatch(/--report = "r.pdf": allowed a file name ending in .svg or .html/);
    const unknown = await runKig(['profile', '--urll', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--urll'/);
  });

  test('--start-cmd that dies: exit 3 with its exit code and output', async () => {
    const out = path.join(dir, 'died.json');
    const r = await runKig(['profile', '--url', 'http://127.0.0.1:9/invocations', '--payload', 'ok.json', '--start-cmd', 'echo model file missing >&2; exit 4', '--out', out], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--start-cmd exited with code 4 .*its output ends with: model file missing/);
    expect(read(out).extra.status).toBe('server-exited');
  });
});
