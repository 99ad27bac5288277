import { ChildProcess, spawn } from 'child_process';
import { LoadTarget, ProbeResult, waitUntil } from './load';

/** A model server the profiler started itself. */
export interface StartedServer {
  readonly child: ChildProcess;
  /** Last lines of its output, for error messages. */
  readonly output: () => string;
  /** Stops the server and everything it started. */
  stop(): Promise<void>;
}

/**
 * Starts `--start-cmd` through the shell in its own process group, so stopping it also stops
 * the model server the shell started (and its workers).
 */
export function startServer(command: string, cwd: string): StartedServer {
  const child = spawn(command, { shell: true, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => { tail = (tail + d.toString('utf8')).slice(-2000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    output: () => tail,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, 3_000);
      // 'close', not 'exit': the shell exits at once, but the server it started holds the output
      // pipes until it has shut down too; stopped means the whole group is gone.
      child.once('close', () => { clearTimeout(timer); resolve(); });
      try { process.kill(-child.pid, 'SIGTERM'); } catch { clearTimeout(timer); resolve(); }
    }),
  };
}

/** Outcome of waiting for the first good response. */
export type ColdStartResult =
  | { readonly kind: 'ready'; readonly seconds: number; readonly attempts: number }
  | { readonly kind: 'exited'; readonly seconds: number; readonly code: number | null; readonly last?: ProbeResult }
  | { readonly kind: 'timeout'; readonly seconds: number; readonly last?: ProbeResult }
  | { readonly kind: 'aborted'; readonly seconds: number; readonly last?: ProbeResult };

/**
 * Polls the target with a real request every `intervalMs` until it answers 2xx: the cold start
 * is the time from `startedAt` to that answer. A /ping-style health check would say ready before
 * the model is loaded, so the real predict request is used.
 */
export async function waitForFirstGoodResponse(target: LoadTarget, body: Buffer, options: {
  readonly startedAt: number; readonly timeoutSeconds: number; readonly intervalMs?: number;
  readonly signal?: AbortSignal; readonly server?: StartedServer;
}): Promise<ColdStartResult> {
  let attempts = 0;
  let last: ProbeResult | undefined;
  const seconds = () => Math.round((performance.now() - options.startedAt) / 10) / 100;
  for (;;) {
    if (options.signal?.aborted) return { kind: 'aborted', seconds: seconds(), last };
    const child = options.server?.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) return { kind: 'exited', seconds: seconds(), code: child.exitCode, last };
    attempts += 1;
    last = await target.probe(body, 10_000);
    if (last.kind === 'answer' && last.status >= 200 && last.status < 300) return { kind: 'ready', seconds: seconds(), attempts };
    if (seconds() >= options.timeoutSeconds) return { kind: 'timeout', seconds: seconds(), last };
    await waitUntil(options.intervalMs ?? 100, options.signal);
  }
}
