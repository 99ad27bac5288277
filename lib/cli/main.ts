import { COMMANDS } from './commands';
import { CliIo, EXIT, UsageError } from './io';
import { InferenceGuardError } from '../core';

/** The package version. The relative path differs between the sources (ts-jest) and the compiled dist/ tree. */
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
    '',
    'Exit codes: 0 ok, 1 findings or failed checks, 2 bad usage or input, 3 target unreachable, 130 interrupted.',
  ].join('\n') + '\n';
}

/** Runs `kig` with the given arguments (without `node` and the script). Returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
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
