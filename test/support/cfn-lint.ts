import { spawn } from 'child_process';
import * as http from 'http';

/** What one `cfn-lint` command printed, and its exit status (0 clean; 2 error, 4 warning, 8 informational, or'ed). */
export interface CfnLintResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Where the run's shared cfn-lint process listens (test/support/cfn-lint-server.py, started by the
 * jest global setup), if it runs one.
 */
export const CFN_LINT_URL_VARIABLE = 'KIG_CFN_LINT_URL';

/**
 * Runs `cfn-lint ARGS` in `cwd`. In a jest run of the whole suite the run's shared cfn-lint process
 * answers (the command itself, without Python's start and cfn-lint's imports each time); a file run
 * on its own runs the `cfn-lint` command. Both give the same answer (test/tools/cfn-lint-server.test.ts).
 * A cfn-lint that is not installed is an error that says how to install it.
 */
export async function cfnLint(args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CfnLintResult> {
  const url = process.env[CFN_LINT_URL_VARIABLE];
  return url ? viaServer(url, args, opts.cwd ?? process.cwd(), opts.timeoutMs ?? 300_000) : cfnLintCommand(args, opts);
}

/** Runs the `cfn-lint` command itself (from PATH: .venv/bin first under npm test). */
export function cfnLintCommand(args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CfnLintResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('cfn-lint', [...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 300_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT'
      ? new Error('cfn-lint is not on PATH: run scripts/test-env.sh and put .venv/bin on PATH')
      : e));
    child.on('close', (code, signal) => {
      if (code === null) reject(new Error(`cfn-lint ${args.join(' ')} ended by ${signal}`));
      else resolve({ status: code, stdout, stderr });
    });
  });
}

/** Asks the shared process (it listens before it has imported cfn-lint: an early request waits for that too). */
function viaServer(url: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<CfnLintResult> {
  const body = JSON.stringify({ args, cwd });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`cfn-lint server at ${url} answered ${res.statusCode}: ${text}`));
        resolve(JSON.parse(text) as CfnLintResult);
      });
    });
    // Requests are served one at a time: the bound covers the wait behind other files' templates and cfn-lint's import too.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`cfn-lint server at ${url} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
