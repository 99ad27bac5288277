// Runs once after the suite, in the jest process: removes the run's shared directory
// (global-setup.js, runDirectory).
const fs = require('fs');

module.exports = async () => {
  const dir = process.env.KIG_TEST_RUN_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
