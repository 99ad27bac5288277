import { CliCommand } from './io';
import { reviewCommand } from './review';

/**
 * Every subcommand of `kig`. Each lives in its own module; add it here to register it.
 */
export const COMMANDS: CliCommand[] = [
  reviewCommand,
];
