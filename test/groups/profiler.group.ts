// The test files of test/profiler/ that do not run on their own, in one jest test file (why: test/support/test-groups.js).
import { runGroup } from '../support/run-group';

runGroup(__filename);
