/**
 * `npm run test:unit`: the unit tests alone, for the edit-test loop (the full suite is `npm test`).
 * Left out: tests that need the tools scripts/test-env.sh installs or the build (moto_server,
 * cfn-lint, Chromium, the Keras fixtures, the kig binary), that start local servers or child
 * processes, and those that synthesize every example app. test/layout/unit-selection.test.ts keeps
 * the list honest: a file of the unit selection that names one of those tools fails it.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  globalSetup: '<rootDir>/test/support/global-setup-unit.js',
  // The unit tests keep both cores busy on their own (none of them waits on a server).
  maxWorkers: 2,
  testPathIgnorePatterns: [
    '/node_modules/',
    // every example app synthesized (and cfn-lint on each)
    '<rootDir>/test/examples/', '<rootDir>/test/alarms/(alarm-sources|metric-catalog)\\.test\\.ts$',
    '<rootDir>/test/patterns/two-of-everything\\.test\\.ts$', '<rootDir>/test/review/cost\\.test\\.ts$',
    '<rootDir>/test/package/',
    // the review's scaling gate: reviews of 2,000 and 20,000 resources, warm-ups and repeats (about 25 s of CPU)
    '<rootDir>/test/review/scaling\\.test\\.ts$',
    // moto_server and local model servers (the drill's calibration also drives them with autocannon)
    '<rootDir>/test/handlers/(admission|admission-bound|bundles|cost-ledger|fairness|nothing-lost|queue-races|reconciler|status|worker)\\.test\\.ts$',
    '<rootDir>/test/generative/admission\\.test\\.ts$', '<rootDir>/test/queue/(direct-integration|grants-cover-calls)\\.test\\.ts$',
    '<rootDir>/test/drill/calibration\\.test\\.ts$',
    // the example apps' assemblies
    '<rootDir>/test/drill/examples\\.test\\.ts$', '<rootDir>/test/review/cost-example\\.test\\.ts$',
    // the kig binary, load generation against local servers, the report in Chromium
    '<rootDir>/test/cli/', '<rootDir>/test/review/smoke\\.test\\.ts$', '<rootDir>/test/profiler/stats-resources\\.test\\.ts$',
    // the Keras fixture models
    '<rootDir>/test/model/(inspect|profile-keras|signature-from-files|tf-serving)\\.test\\.ts$',
    // cfn-lint
    '<rootDir>/test/queue/inference-queue\\.test\\.ts$', '<rootDir>/test/generative/review\\.test\\.ts$',
    '<rootDir>/test/review/hostile-input\\.test\\.ts$', '<rootDir>/test/api/sync-cost-cap\\.test\\.ts$', '<rootDir>/test/tools/',
  ],
};
