/**
 * End to end: `kig profile` against real servers on loopback, each in its own process.
 * The assertions are what holds on a busy machine as well (no request faster than the service
 * time, no step above what the server's slots can serve, steps in order, throughput growing up to
 * a measured knee, a profile that synthesizes). How close the knee and the saturation throughput
 * come to the ideal is measured by bench/profile-accuracy.ts, on a quiet machine.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { deriveLimits, InferenceProfile } from '../../lib/profile';
import { KneeResult, StepResult } from '../../lib/profiler';
import { runKig } from '../support/cli';
import { physicalViolations } from '../support/known-server';
import { freePort, modelServerCommand, REGISTER, startModelServer } from '../support/servers';
import { predictBody } from '../support/tfjs-model';

function readDoc(file: string): { steps: StepResult[]; knee: KneeResult; extra: Record<string, unknown>; [k: string]: unknown } {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-e2e-'));
  fs.writeFileSync(path.join(dir, 'one.json'), JSON.stringify({ instances: [[1, 2, 3]] }));
});

describe('a server with known service time S and parallelism P', () => {
  test.each([
    { P: 4, S: 40, grid: '1,2,4,8,16' },
    { P: 6, S: 30, grid: '2,3,6,12' },
  ])('P=$P, S=$S ms: every step within what the server can do, a knee, a profile that synthesizes', async ({ P, S, grid }) => {
    const server = await startModelServer(['--concurrency', String(P), '--service-ms', String(S)]);
    try {
      const out = path.join(dir, `acc-${P}.json`);
      // A generous latency bound: on a shared host one scheduling stall in a 1 s step can lift a p99.
      const r = await runKig(['profile', '--url', `${server.base}/invocations`, '--payload', 'one.json', '--concurrency', grid,
        '--step-seconds', '1', '--latency-bound-ms', '2000', '--pid', String(server.pid), '--out', out, '--json'], { cwd: dir });
      expect(r.code).toBe(0);
      const doc = readDoc(out);
      expect(doc.steps.map((s) => s.concurrency)).toEqual(grid.split(',').map(Number));
      expect(doc.steps.every((s) => s.errorRate === 0 && s.ok > 0)).toBe(true);
      expect(physicalViolations(doc, { P, S }, 1)).toEqual([]);
      expect(doc.sustainableConcurrency).toBe(doc.knee.concurrency);
      expect(doc.throughputPerInstanceRps).toBe(doc.knee.throughputRps);
      expect(JSON.parse(r.stdout).profile.knee).toEqual(doc.knee);
      // the server process was sampled
      expect(doc.steps[0].resources!.peakRssMiB).toBeGreaterThan(10);
      const limits = deriveLimits(InferenceProfile.fromFile(out), { maxInstances: 2 });
      expect(limits.throttle.burstLimit).toBeGreaterThanOrEqual(doc.knee.concurrency);
    } finally {
      await server.stop();
    }
  });
});

describe('a Keras-architecture network served by a TF Serving REST peer', () => {
  const P = 2;
  // Each of the P slots holds a request for 100 ms of stand-in accelerator time plus the real
  // inference on the CPU: the two cores here are shared (with the other test worker and more),
  // and without it the share of CPU the server gets, not its P slots, would decide the knee.
  const DEVICE_MS = 100;
  let modelDir: string;
  beforeAll(async () => {
    modelDir = path.join(dir, 'mnist_cnn');
    const built = JSON.parse(execFileSync(process.execPath, ['-r', REGISTER, path.join(__dirname, '..', 'support', 'tfjs-model.ts'), modelDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    expect(built.params).toBeGreaterThan(50_000);
    expect(JSON.parse(fs.readFileSync(built.modelJson, 'utf8')).modelTopology.config.layers.map((l: { class_name: string }) => l.class_name))
      .toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    fs.writeFileSync(path.join(dir, 'batch1.json'), predictBody(1));
    fs.writeFileSync(path.join(dir, 'batch4.json'), predictBody(4));
  });

  test('profile with --start-cmd finds a knee at the server\'s concurrency, and the profile synthesizes', async () => {
    const port = await freePort();
    const out = path.join(dir, 'mnist-profile.json');
    const report = path.join(dir, 'mnist-report.html');
    const r = await runKig(['profile',
      '--url', `http://127.0.0.1:${port}`, '--format', 'tfserving', '--model', 'mnist',
      '--start-cmd', modelServerCommand(['--port', String(port), '--concurrency', String(P), '--model-dir', modelDir, '--model-name', 'mnist', '--service-ms', String(DEVICE_MS)]),
      '--payload', 'batch1.json', '--payload', 'batch4.json', '--payload-seconds', '1',
      '--concurrency', '1,2,4,8', '--step-seconds', '2', '--latency-bound-ms', '3000', '--hardware', 'ml.c5.xlarge',
      '--out', out, '--report', report], { cwd: dir });
    // eslint-disable-next-line no-console
    console.log(r.stdout);
    expect(r.code).toBe(0);
    const doc = readDoc(out);
    // the stand-in device time is a floor under every request, the P slots a ceiling on throughput
    expect(physicalViolations(doc, { P, S: DEVICE_MS }, 2)).toEqual([]);
    expect(doc.model).toBe('mnist');
    // cold start was measured from the launch of --start-cmd
    expect(doc.coldStartSeconds as number).toBeGreaterThan(0);
    expect((doc.extra.estimated as Record<string, string>).coldStartSeconds).toBeUndefined();
    // the started process tree (the server and its model workers) was sampled
    expect(doc.peakHostMemoryMiB as number).toBeGreaterThan(50);
    expect(doc.steps[0].resources!.cpuCores).toBeGreaterThan(0);
    // no nvidia-smi on this machine: said once, and the run went on
    expect((doc.resources as { gpu: { available: boolean; reason: string } }).gpu).toEqual({ available: false, reason: 'nvidia-smi not found on PATH' });
    expect(r.stderr.match(/GPU utilization and memory not sampled/g)).toHaveLength(1);
    // input-size sensitivity: each payload measured (which is slower is a timing figure: bench/)
    const sizes = doc.payloadSizes as Array<{ bytes: number; latencyMs: { p50: number } }>;
    expect(sizes).toHaveLength(2);
    expect(sizes[1].bytes).toBeGreaterThan(sizes[0].bytes);
    for (const s of sizes) expect(s.latencyMs.p50).toBeGreaterThanOrEqual(DEVICE_MS - 1);
    expect(doc.maxRequestBytes).toBe(sizes[1].bytes);
    expect(fs.readFileSync(report, 'utf8')).toContain(`knee: concurrency ${doc.knee.concurrency}`);

    // The profile file is what the constructs read: derive the limits and synthesize them.
    const profile = InferenceProfile.fromFile(out);
    const limits = deriveLimits(profile, { maxInstances: 3 });
    const app = new App();
    const stack = new Stack(app, 'ProfiledApi');
    const api = new apigw.RestApi(stack, 'Api', {
      deployOptions: { throttlingRateLimit: limits.throttle.rateLimit, throttlingBurstLimit: limits.throttle.burstLimit },
    });
    api.root.addMethod('POST', new apigw.HttpIntegration(`http://127.0.0.1:${port}/v1/models/mnist:predict`, {
      httpMethod: 'POST', options: { timeout: Duration.millis(limits.timeouts.integrationTimeoutMs) },
    }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: limits.throttle.rateLimit, ThrottlingBurstLimit: limits.throttle.burstLimit }],
    });
    t.hasResourceProperties('AWS::ApiGateway::Method', { Integration: { TimeoutInMillis: limits.timeouts.integrationTimeoutMs } });
    expect(limits.throttle.rateLimit).toBeCloseTo(Math.round(3 * profile.throughputPerInstanceRps * 0.8 * 100) / 100, 2);
    expect(limits.throttle.burstLimit).toBe(2 * 3 * doc.knee.concurrency);

  });
});
