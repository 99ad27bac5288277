// The test files of the `review-rules` mutation module in one jest test file (see profile.suite.ts).
import '../nag/helpers.test';
import '../nag/rules/apigw.test';
import '../nag/rules/apigwv2.test';
import '../nag/rules/cloudwatch.test';
import '../nag/rules/ecs.test';
import '../nag/rules/lambda.test';
import '../nag/rules/sagemaker.test';
import '../nag/rules/sqs.test';
import '../review/fixtures.test';
