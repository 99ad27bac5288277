// The test files of the `profile-input` mutation module (stryker.config.mjs) in one jest test file:
// a mutant then costs one test environment instead of one per file. Only the mutation runs load it.
import '../profile/inference-profile.test';
import '../profile/profile-errors.test';
import '../profile/limits-problems.test';
import '../profile/queue-problems.test';
import '../profile/limits-check.test';
