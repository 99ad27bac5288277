/** Where a command writes. Tests pass buffers; the binary passes the process streams. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal (progress displays are drawn only then). */
  readonly isTty: boolean;
  /** Working directory for relative paths. */
  readonly cwd: string;
  /** Abort signal raised on Ctrl-C; long commands stop and keep partial results. */
  readonly signal?: AbortSignal;
}

/** Exit codes shared by every command. */
export const EXIT = {
  OK: 0,
  /** The command ran and found failures (review findings, a profile that breaks an invariant). */
  FINDINGS: 1,
  /** Bad usage or bad input: unknown option, unreadable file. */
  USAGE: 2,
  /** The target could not be reached or answered wrongly. */
  UNREACHABLE: 3,
  /** Interrupted (Ctrl-C); partial results were kept. */
  INTERRUPTED: 130,
} as const;

/** One subcommand of `kig`. */
export interface CliCommand {
  /** Name typed after `kig`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage, every option, exit codes. */
  readonly help: string;
  /** Runs the command; returns the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Thrown by commands for bad usage; `main` prints the message and exits with EXIT.USAGE. */
export class UsageError extends Error {}
