import { CliIo, main } from '../../lib/cli';

/** Runs `kig` in-process with buffered streams. */
export async function kig(args: string[], options: { cwd?: string; isTty?: boolean; signal?: AbortSignal } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    isTty: options.isTty ?? false,
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
