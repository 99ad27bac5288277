import { CliIo, main } from '../../lib/cli';

/** Runs `kig` in-process with captured output; `onStderr` sees each piece of stderr as it is written. */
export async function runKig(argv: string[], opts: { cwd?: string; signal?: AbortSignal; isTty?: boolean; onStderr?: (text: string) => void } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; opts.onStderr?.(t); },
    isTty: opts.isTty ?? false,
    cwd: opts.cwd ?? process.cwd(),
    signal: opts.signal,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
