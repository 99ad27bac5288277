import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Registers the rule packs every example must pass: cdk-nag's AwsSolutions and Serverless packs.
 * Findings (warnings included) fail synthesis unless acknowledged with a reason.
 */
export function applyChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
