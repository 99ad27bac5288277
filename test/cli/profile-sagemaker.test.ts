import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KneeResult, StepResult } from '../../lib/profiler';
import { runKig } from '../support/cli';
import { physicalViolations } from '../support/known-server';
import { ChildServer, startModelServer } from '../support/servers';

describe('kig profile --sagemaker-endpoint against a local InvokeEndpoint peer (restJson)', () => {
  const env = { ...process.env };
  let server: ChildServer;
  let dir: string;
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-sm-'));
    fs.writeFileSync(path.join(dir, 'req.json'), JSON.stringify({ instances: [[0.5, 0.25]] }));
    // The peer answers POST /endpoints/<name>/invocations; 3 slots of 100 ms each (long
    // enough that the SDK's own per-request time on a busy shared CPU stays small beside it).
    server = await startModelServer(['--concurrency', '3', '--service-ms', '100']);
  });
  afterAll(async () => {
    process.env = env;
    await server.stop();
  });

  test('the SDK loop finds the knee and writes the profile', async () => {
    const out = path.join(dir, 'sm.json');
    const r = await runKig(['profile', '--sagemaker-endpoint', 'mnist-prod', '--region', 'us-east-1', '--endpoint-url', server.base,
      '--payload', 'req.json', '--concurrency', '1,3,6', '--step-seconds', '1.5', '--latency-bound-ms', '3000', '--out', out, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { knee: KneeResult; model: string; steps: StepResult[]; extra: { target: string } };
    expect(doc.model).toBe('mnist-prod');
    expect(doc.extra.target).toBe(`SageMaker endpoint mnist-prod at ${server.base}`);
    expect(doc.steps.map((s) => s.concurrency)).toEqual([1, 3, 6]);
    expect(doc.steps.every((s) => s.errorRate === 0 && s.ok > 0)).toBe(true);
    // What holds however busy the machine is; the knee's accuracy is in bench/profile-accuracy.ts.
    expect(physicalViolations(doc, { P: 3, S: 100 }, 1.5)).toEqual([]);
  });

  test('AWS_ENDPOINT_URL is honoured; an endpoint the peer does not know is a clear non-2xx', async () => {
    process.env.AWS_ENDPOINT_URL = `${server.base}/nowhere`;
    try {
      const out = path.join(dir, 'missing.json');
      const r = await runKig(['profile', '--sagemaker-endpoint', 'mnist-prod', '--region', 'us-east-1', '--payload', 'req.json', '--out', out], { cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/SageMaker endpoint mnist-prod at http:\/\/127.0.0.1:\d+\/nowhere answered HTTP 404/);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  test('unreachable endpoint URL: exit 3', async () => {
    const r = await runKig(['profile', '--sagemaker-endpoint', 'mnist-prod', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9',
      '--payload', 'req.json', '--out', path.join(dir, 'u.json')], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach SageMaker endpoint mnist-prod at http:\/\/127.0.0.1:9: ECONNREFUSED/);
  });
});
