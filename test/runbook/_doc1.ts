import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { InferenceGuardChecks } from '../../lib';

const app = new App();
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app), new ServerlessChecks(app), new NIST80053R5Checks(app),
  new HIPAASecurityChecks(app), new PCIDSS321Checks(app), new InferenceGuardChecks(app, { writeSuppressionsToCloudFormation: true }),
);
