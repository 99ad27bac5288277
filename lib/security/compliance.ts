import { Validations, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/** Rule-id prefixes of cdk-nag's compliance packs (`packName` in node_modules/cdk-nag/lib/packs/*.js). */
export const COMPLIANCE_PACK_PREFIXES = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

/**
 * Acknowledges a cdk-nag rule (by its name, e.g. `SNSEncryptedKMS`) of all three compliance packs
 * on a construct and its subtree, with the reason specific to that resource. A pack that lacks the
 * rule never reports it, so acknowledging it there is inert.
 */
export function acknowledgeCompliance(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge(...COMPLIANCE_PACK_PREFIXES.map((p) => ({ id: `${p}-${rule}`, reason })));
}

/**
 * In the standard posture, acknowledges a finding the regulated posture resolves: `what` says what
 * the resource holds (why the standard choice is acceptable for it), `fix` what `regulated()` does.
 * Nothing in the regulated posture (the finding must then be resolved, and the packs check it).
 */
export function acknowledgeUnlessRegulated(posture: { readonly isRegulated: boolean }, scope: IConstruct, rule: string, what: string, fix: string): void {
  if (posture.isRegulated) return;
  acknowledgeCompliance(scope, rule, `${what}. Standard posture; SecurityPosture.regulated() ${fix}.`);
}

/**
 * Grants `grantee` encrypt and decrypt with the posture's customer-managed key (the queues, table,
 * bucket and volume it reaches are encrypted with it), acknowledging the KMS action wildcards the
 * grant carries: `kms:GenerateDataKey*` and `kms:ReEncrypt*` are KMS's own action families for data
 * keys, and the statement names this one key.
 */
export function grantKeyUse(key: kms.IKey | undefined, grantee: iam.IGrantable): void {
  if (!key) return;
  key.grantEncryptDecrypt(grantee);
  const principal = grantee.grantPrincipal;
  if (principal instanceof Construct) {
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      Validations.of(principal).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${action} is the KMS action family for data keys of the service's customer-managed key; the statement names that one key, and SQS, DynamoDB and S3 call these actions on the caller's behalf`,
      });
    }
  }
}
