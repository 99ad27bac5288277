// The test files of the `review-sam` mutation module in one jest test file (see profile.suite.ts).
import '../review/sam.test';
import '../review/sam-translated.test';
import '../review/fixtures.test';
