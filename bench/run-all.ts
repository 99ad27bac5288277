/** Runs every benchmark in bench/ (compiled into dist/bench) one after the other. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// Modules that other benchmarks import, and the scanner comparison (a report that runs other
// tools when installed, not a figure): run that one on its own.
const skip = new Set(['run-all.js', 'builders.js', 'admission-patterns.js', 'review-templates.js', 'compare-scanners.js', 'handler-environment.js', 'fairness-patterns.js']);
for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.js') && !skip.has(n)).sort()) {
  process.stdout.write(`\n== ${f} ==\n`);
  // The AWS SDK's notice that its releases after January 2027 need Node 22 would bury the
  // figures: its own switch (@aws-sdk/core emitWarningIfUnsupportedVersion) turns just that off.
  execFileSync(process.execPath, [path.join(__dirname, f)], { stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
}
