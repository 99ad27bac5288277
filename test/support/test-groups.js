// The full suite (`npm test`) runs most test files in groups: one jest test file per directory of
// test/ (test/groups/<directory>.group.ts), which runs each of that directory's test files in a
// `describe` block of its own. jest gives every test file a fresh module registry, so each file
// loads aws-cdk-lib, the constructs and the review again and runs them cold (the JIT's work is lost
// with the registry); a group loads them once. Measured on 14 unit test files run in turn:
// 17.3 and 18.4 s of CPU as 14 jest files, 9.4 and 11.6 s as one.
//
// What runs on its own: the longest files (their own jest file lets the sequencer start them first
// and spread them across the workers, and several measure their own process's CPU time) and the
// files that must run last (test/support/sequencer.js), and any test file directly in test/.
// A single file still runs alone with the default configuration: `npx jest test/api/naming.test.ts`.
// test/layout/test-groups.test.ts checks that the grouped selection runs every test file once.
const fs = require('fs');
const path = require('path');
const { LONGEST_FIRST, LAST } = require('./sequencer');

const ROOT = path.join(__dirname, '..', '..');
const TEST = path.join(ROOT, 'test');
const GROUPS = path.join(TEST, 'groups');
const STANDALONE = [...LONGEST_FIRST, ...LAST];

/** Every `*.test.ts` under `dir`, as paths relative to the project root with `/`. */
function walk(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...walk(full));
    } else if (entry.name.endsWith('.test.ts')) {
      out.push(path.relative(ROOT, full).split(path.sep).join('/'));
    }
  }
  return out;
}

let listed;
/** Every `*.test.ts` under test/, relative to the project root, sorted: read once per process. */
function testFiles() {
  if (listed === undefined) listed = walk(TEST).sort();
  return [...listed];
}

/** The group a test file belongs to (its directory under test/), or undefined when it runs on its own. */
function groupOf(file) {
  if (STANDALONE.includes(file)) return undefined;
  const parts = file.split('/');
  return parts.length > 2 ? parts[1] : undefined;
}

/** The group names with at least one member, sorted. */
function groupNames() {
  return [...new Set(testFiles().map(groupOf).filter((g) => g !== undefined))].sort();
}

/** The members of group `name`: paths relative to the project root. */
function groupMembers(name) {
  return testFiles().filter((f) => groupOf(f) === name);
}

/** The group file of group `name`. */
function groupFile(name) {
  return path.join(GROUPS, `${name}.group.ts`);
}

/** jest's testMatch for the grouped run: the group files and the files that run on their own. */
function groupedTestMatch() {
  const alone = testFiles().filter((f) => groupOf(f) === undefined);
  return ['<rootDir>/test/groups/*.group.ts', ...alone.map((f) => `<rootDir>/${f}`)];
}

module.exports = { ROOT, GROUPS, STANDALONE, testFiles, groupOf, groupNames, groupMembers, groupFile, groupedTestMatch };
