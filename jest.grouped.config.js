/**
 * The full suite as `npm test` runs it: most test files in one jest test file per directory of
 * test/ (test/groups/), the longest on their own (why and which: test/support/test-groups.js). The
 * same tests as `npx jest` with jest.config.js, which runs every file on its own (for one file, or
 * for tools that need a file per test, such as the mutation runs).
 */
const base = require('./jest.config');
const { groupedTestMatch } = require('./test/support/test-groups');

module.exports = {
  ...base,
  testMatch: groupedTestMatch(),
};
