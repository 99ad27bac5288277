import { IConstruct } from 'constructs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/** Unacknowledged findings of the AwsSolutions and Serverless packs, as "rule @ path" lines. */
export function nagFindings(scope: IConstruct): string[] {
  const out: string[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    for (const v of pack.validateScope(scope).violations) {
      for (const r of v.violatingResources) out.push(`${v.ruleName} @ ${r.constructPath}`);
    }
  }
  return out.sort();
}
