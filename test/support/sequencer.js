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

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const i = LONGEST_FIRST.findIndex((p) => t.path.split(require('path').sep).join('/').endsWith(p));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: files outside the list keep jest's order.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
