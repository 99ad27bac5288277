// The test files of the `review-cost` mutation module in one jest test file (see profile.suite.ts).
import '../review/cost.test';
import '../review/fixtures.test';
import '../review/cost-model.test';
