#!/usr/bin/env node
import { main } from '../lib/cli';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  controller.abort();
});

main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
  cwd: process.cwd(),
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`kig: unexpected error: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 70;
});
