import { drillCommand } from './drill';
import { inspectCommand } from './inspect';
import { CliCommand } from './io';
import { limitsCommand } from './limits';
import { profileCommand } from './profile';
import { recommendCommand } from './recommend';
import { reviewCommand } from './review';
import { runbookCommand } from './runbook';

/**
 * Every subcommand of `kig`. Each lives in its own module; add it here to register it.
 */
export const COMMANDS: CliCommand[] = [
  profileCommand,
  recommendCommand,
  limitsCommand,
  reviewCommand,
  drillCommand,
  inspectCommand,
  runbookCommand,
];
