// Test file order. jest starts the slowest files first when it has their durations from an earlier
// run (its cache), and by file size otherwise, as on a fresh clone: there a long file could start
// last and keep one worker busy after the other has finished. These files are the longest runs
// (from half a minute to a minute and a half on a 2-core machine: hundreds of jobs through moto, the
// drill's calibration windows, every example synthesized and linted, queue visibility timeouts
// waited out, a TypeScript program type-checked in process), so they start first; the rest keep
// jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST_FIRST = [
  'test/handlers/nothing-lost.test.ts',
  'test/drill/calibration.test.ts',
  'test/examples/examples.test.ts',
  'test/handlers/fairness.test.ts',
  'test/handlers/worker.test.ts',
  'test/handlers/admission-bound.test.ts',
  'test/cli/profile-e2e.test.ts',
  'test/docs/docs.test.ts',
  'test/review/scaling.test.ts',
  'test/model/profile-keras.test.ts',
  'test/model/tf-serving.test.ts',
  'test/types/wrong-wiring.test.ts',
  'test/handlers/admission.test.ts',
  'test/patterns/two-of-everything.test.ts',
];

// Files that read the example apps' assemblies which examples.test.ts synthesizes and shares
// (test/support/examples.ts, exampleAssemblyDir): run last, when examples.test.ts has long shared
// every example, they read them instead of synthesizing each example again.
const LAST = [
  'test/drill/examples.test.ts',
  'test/review/cost-example.test.ts',
  'test/alarms/metric-catalog.test.ts',
];

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const file = t.path.split(require('path').sep).join('/');
      const i = LONGEST_FIRST.findIndex((p) => file.endsWith(p));
      if (i >= 0) return i;
      return LAST.some((p) => file.endsWith(p)) ? LONGEST_FIRST.length + 1 : LONGEST_FIRST.length;
    };
    // In the grouped run (test/support/test-groups.js) the group files come next, the largest group
    // first: on a fresh clone jest orders the rest by file size, and every group file is one line.
    const groups = require('./test-groups');
    const sizes = new Map(groups.groupNames().map((name) => [name, groups.groupMembers(name).length]));
    const members = (t) => {
      const m = /[\\/]test[\\/]groups[\\/]([^\\/]+)\.group\.ts$/.exec(t.path);
      return m ? sizes.get(m[1]) ?? 0 : 0;
    };
    // Array.prototype.sort is stable: files outside the lists keep jest's order.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b) || members(b) - members(a));
  }
}

module.exports = LongestFirst;
module.exports.LONGEST_FIRST = LONGEST_FIRST;
module.exports.LAST = LAST;
