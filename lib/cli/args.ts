import { UsageError } from './io';

/**
 * Runs `util.parseArgs` (or any parse step) and turns its errors (unknown option, missing value)
 * into a UsageError that points at the command's --help. Checked by error code, not by class:
 * the error may come from another realm (a test VM) where `instanceof TypeError` is false.
 */
export function withUsageErrors<R>(command: string, parse: () => R): R {
  try {
    return parse();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`${(e as Error).message}. See kig ${command} --help.`);
    throw e;
  }
}
