// The test files of the `profile` mutation module (stryker.config.mjs) in one jest test file: a
// mutant then costs one test environment instead of one per file (each about a second on the shared
// machine). Only the mutation runs load it (`*.suite.ts` is not a test file name of jest.config.js).
import '../profile/limits.test';
import '../profile/formulas.test';
import '../profile/limits-problems.test';
import '../profile/queue-limits.test';
import '../profile/cost-units.test';
import '../profile/queue-problems.test';
