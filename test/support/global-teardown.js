// Runs once after the suite, in the jest process: removes the run's shared directory and stops the
// shared cfn-lint process (global-setup.js: runDirectory, startCfnLintServer).
const fs = require('fs');

module.exports = async () => {
  const dir = process.env.KIG_TEST_RUN_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const server = globalThis.__kigCfnLintServer;
  globalThis.__kigCfnLintStopping = true;
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.stdin.end();
    server.kill('SIGTERM');
    // The wait's timer keeps the event loop alive (not unref'd): the setup unref'd the process and
    // its pipes, so with an unref'd timer nothing held the loop while this awaited, and node exited
    // here with status 0, before jest set the run's failure status (a failing run exited 0).
    let timer;
    await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(resolve, 3000); })]);
    clearTimeout(timer);
  }
};
