import { COMMANDS } from './commands';
import { CliIo, EXIT, UsageError } from './io';
import { InferenceGuardError } from '../core';

/** The package version. The relative path differs between the sources (jest) and the compiled dist/ tree. */
function readVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(candidate).version as string;
    } catch {
      // try the next layout
    }
  }
  return 'unknown';
}
const VERSION: string = readVersion();

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4);
  return [
    'kig: measure, derive and review the denial-of-service limits of Keras inference on AWS.',
    '',
    'Usage: kig <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (kig <command> --help for a command)',
    '  -v, --version  print the version',
    '  --json         (every command) machine-readable output on stdout; a failure is a JSON',
    '                 document {"error": {command, exitCode, code, message, problems?}} on stdout too',
    '',
    'Exit codes: 0 ok, 1 findings or failed checks, 2 bad usage or input, 3 target unreachable, 130 interrupted.',
  ].join('\n') + '\n';
}

/**
 * True when the arguments ask for machine output: `--json` on any command, or its alias
 * `--format json` (`-f json`, `--format=json`) where a command has `--format`.
 */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--json' || a === '--format=json' || a === '-fjson'
    || ((a === '--format' || a === '-f') && argv[i + 1] === 'json'));
}

/** The JSON document a failed command prints on stdout in JSON mode. */
export interface CliErrorDocument {
  readonly error: {
    /** The command (or null before one was recognized). */
    readonly command: string | null;
    /** The process exit code. */
    readonly exitCode: number;
    /** Stable code: the library error's code, `USAGE` for bad usage, `FAILED` otherwise. */
    readonly code: string;
    /** The message printed on stderr. */
    readonly message: string;
    /** Every problem, for validation errors (prop, value, allowed, fix). */
    readonly problems?: ReadonlyArray<{ prop: string; value: string; allowed: string; fix: string }>;
  };
}

function errorDocument(command: string | null, exitCode: number, code: string, message: string, problems?: CliErrorDocument['error']['problems']): string {
  const doc: CliErrorDocument = { error: { command, exitCode, code, message: message.trim(), ...(problems ? { problems } : {}) } };
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * Runs `kig` with the given arguments (without `node` and the script). Returns the exit code.
 * In JSON mode (`--json`, or `--format json`) a failure is also a JSON document on stdout
 * (CliErrorDocument), the human message staying on stderr; a command that printed its own JSON
 * result or error is left as it is.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (!wantsJson(argv)) return run(argv, io);
  let printed = false;
  let stderrText = '';
  const jsonIo: CliIo = {
    ...io,
    stdout: (t) => { printed = true; io.stdout(t); },
    stderr: (t) => { stderrText += t; io.stderr(t); },
  };
  let failure: FailureDetail | undefined;
  let code: number;
  try {
    code = await run(argv, jsonIo, (f) => { failure = f; });
  } catch (e) {
    // An unexpected failure: still a JSON document, then the error as before.
    if (!printed) io.stdout(errorDocument(argv[0] ?? null, 1, 'FAILED', (e as Error).message ?? String(e)));
    throw e;
  }
  if (code !== EXIT.OK && !printed) {
    const known = COMMANDS.some((c) => c.name === argv[0]) ? argv[0] : null;
    io.stdout(errorDocument(known, code, failure?.code ?? (code === EXIT.USAGE ? 'USAGE' : 'FAILED'), stderrText || `exit code ${code}`, failure?.problems));
  }
  return code;
}

/** The error behind a failure, for the JSON error document. */
interface FailureDetail { readonly code: string; readonly problems?: CliErrorDocument['error']['problems'] }

async function run(argv: string[], io: CliIo, onFailure: (f: FailureDetail) => void = () => undefined): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(target ? target.help : topHelp());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`${VERSION}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`kig: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See kig --help.\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return EXIT.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InferenceGuardError) {
      onFailure(e instanceof InferenceGuardError ? { code: e.code, problems: e.problems } : { code: 'USAGE' });
      io.stderr(`kig ${name}: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`kig ${name}: ${e.message}. See kig ${name} --help.\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}
