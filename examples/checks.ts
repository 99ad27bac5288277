import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { InferenceGuardChecks } from '../lib';

/**
 * Registers the rule packs every example must pass: cdk-nag's AwsSolutions and Serverless packs
 * and this project's InferenceGuard pack. Findings (warnings included) fail synthesis unless
 * acknowledged with a reason; acknowledgements are written into the templates so `kig review`
 * honours them too.
 */
export function applyChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new InferenceGuardChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
}
