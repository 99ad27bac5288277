import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';

export const REGISTER = path.join(__dirname, 'ts-register.js');
/** Compiled into dist/ (the benchmarks use these helpers): run the compiled server, no TypeScript hook. */
const COMPILED = path.extname(__filename) === '.js';
export const MODEL_SERVER = path.join(__dirname, COMPILED ? 'model-server.js' : 'model-server.ts');
const NODE_ARGS = COMPILED ? [] : ['-r', REGISTER];

/** A test model server running in its own process. */
export interface ChildServer {
  readonly port: number;
  readonly pid: number;
  readonly base: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** The node command line that runs the test model server with `args` (for --start-cmd). */
export function modelServerCommand(args: string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return [process.execPath, ...NODE_ARGS, MODEL_SERVER, ...args].map(q).join(' ');
}

/** Starts test/support/model-server.ts with `args` on 127.0.0.1 and a free port. */
export function startModelServer(args: string[]): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, MODEL_SERVER, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`model server did not start: ${err}`)); }, 60_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port, pid: child.pid!, base: `http://127.0.0.1:${port}`, child,
          stop: () => new Promise((res) => {
            if (child.exitCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
          }),
        });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`model server exited with ${code}: ${err}`)); });
  });
}

/** A port that was free a moment ago (for --start-cmd, where the URL must be known first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
