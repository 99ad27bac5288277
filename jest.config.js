/** Type checking is done once by the build in `npm test` (TypeScript 7, tsconfig.ts7.json); jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.js' },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testSequencer: '<rootDir>/test/support/sequencer.js',
  testTimeout: 120000,
  // Four workers on a 2-core machine: several of the longest files mostly wait (the drill's
  // calibration windows, queue visibility timeouts, local model servers; nothing-lost spends half
  // its two minutes waiting), and the longest-first order starts them together. With two workers a
  // core sat idle for much of the run. jest alone, the same tests passing, one run each: three
  // workers 272 s of wall time (432 s of CPU), four 237 s (404 s), five 222 s (389 s), six 243 s
  // (425 s). In `npm test`, where pytest runs beside jest, four did better than five: fresh clones
  // took 327 s with four and 369 s with five (whose nothing-lost run saw 16 worker invocations
  // reach their timeout, against none).
  maxWorkers: 4,
  // How long a worker may take to exit after its last test before jest kills it and reports a
  // leak. The default 500 ms is less than a worker with the CDK loaded needs on a 2-core machine
  // running other work; a real leak (a handle that never closes) is still reported.
  workerGracefulExitTimeout: 5000,
};
