import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { InferenceGuardChecks } from '../lib';

/**
 * Registers the rule packs every example must pass: cdk-nag's AwsSolutions and Serverless packs,
 * its NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 compliance packs, and this project's
 * InferenceGuard pack. Findings (warnings included) fail synthesis unless acknowledged with a
 * reason; acknowledgements are written into the templates so `kig review` honours them too.
 */
export function applyChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new InferenceGuardChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
}
