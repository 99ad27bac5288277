import { CliCommand } from './io';

/**
 * Every subcommand of `kig`. Each lives in its own module; add it here to register it.
 */
export const COMMANDS: CliCommand[] = [];
