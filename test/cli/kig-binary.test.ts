import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildServer, REGISTER, startModelServer } from '../support/servers';

const KIG = path.join(__dirname, '..', '..', 'bin', 'kig.ts');

describe('the kig binary', () => {
  test('--help lists the profiler commands; each command documents its options and exit codes', () => {
    const top = spawnSync(process.execPath, ['-r', REGISTER, KIG, '--help'], { encoding: 'utf8' });
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/profile\s+measure a model server/);
    expect(top.stdout).toMatch(/recommend\s+start or read a SageMaker Inference Recommender job/);
    expect(top.stdout).toMatch(/limits\s+print every limit derived from a profile/);
    const profile = spawnSync(process.execPath, ['-r', REGISTER, KIG, 'profile', '--help'], { encoding: 'utf8' });
    for (const opt of ['--url', '--payload', '--format', '--concurrency', '--step-seconds', '--latency-bound-ms', '--pid', '--start-cmd', '--out', '--report', '--json', '--model', '--hardware', '--sagemaker-endpoint', '--region', '--endpoint-url']) {
      expect(profile.stdout).toContain(`  ${opt}`);
    }
    expect(profile.stdout).toMatch(/130 +interrupted/);
    const version = spawnSync(process.execPath, ['-r', REGISTER, KIG, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
  });

  describe('Ctrl-C during a run', () => {
    let server: ChildServer;
    beforeAll(async () => { server = await startModelServer(['--concurrency', '2', '--service-ms', '10']); });
    afterAll(async () => { await server.stop(); });

    test('SIGINT stops the run, keeps the finished steps, exits 130', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-sigint-'));
      fs.writeFileSync(path.join(dir, 'req.json'), '{"instances": [[1]]}');
      const child = spawn(process.execPath, ['-r', REGISTER, KIG, 'profile', '--url', `${server.base}/invocations`, '--payload', 'req.json',
        '--concurrency', '1,2,4,8,16', '--step-seconds', '1', '--out', 'partial.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      const code = await new Promise<number | null>((resolve) => {
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          // after the first step is reported, press Ctrl-C
          if (/concurrency +1:/.test(stderr) && !child.killed) child.kill('SIGINT');
        });
        child.on('exit', (c) => resolve(c));
      });
      expect(code).toBe(130);
      expect(stderr).toMatch(/interrupted after [12] of 5 steps/);
      const doc = JSON.parse(fs.readFileSync(path.join(dir, 'partial.json'), 'utf8'));
      expect(doc.extra.status).toBe('interrupted');
      expect(doc.steps[0].concurrency).toBe(1);
      expect(doc.steps[0].ok).toBeGreaterThan(0);
    });
  });
});
