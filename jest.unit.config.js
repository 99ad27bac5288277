/**
 * `npm run test:unit`: the unit tests alone, for the edit-test loop (the full suite is `npm test`).
 * Left out: tests that need the tools scripts/test-env.sh installs or the build (moto_server,
 * cfn-lint, Chromium, the Keras fixtures, the kig binary), that start local servers or child
 * processes, and those that synthesize every example app.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    // every example app synthesized (and cfn-lint on each)
    '<rootDir>/test/examples/', '<rootDir>/test/alarms/(alarm-sources|metric-catalog)\\.test\\.ts$',
    '<rootDir>/test/patterns/two-of-everything\\.test\\.ts$', '<rootDir>/test/review/cost\\.test\\.ts$',
    '<rootDir>/test/package/',
    // moto_server and local model servers
    '<rootDir>/test/handlers/(admission|admission-bound|bundles|nothing-lost|status|worker)\\.test\\.ts$',
    '<rootDir>/test/generative/admission\\.test\\.ts$', '<rootDir>/test/queue/direct-integration\\.test\\.ts$',
    // the kig binary, load generation against local servers, the report in Chromium
    '<rootDir>/test/cli/', '<rootDir>/test/review/smoke\\.test\\.ts$', '<rootDir>/test/profiler/stats-resources\\.test\\.ts$',
    // the Keras fixture models
    '<rootDir>/test/model/(inspect|profile-keras|signature-from-files|tf-serving)\\.test\\.ts$',
    // cfn-lint
    '<rootDir>/test/queue/inference-queue\\.test\\.ts$', '<rootDir>/test/generative/review\\.test\\.ts$',
    '<rootDir>/test/review/hostile-input\\.test\\.ts$',
  ],
};
