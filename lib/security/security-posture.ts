import { Aspects, IAspect, Stack, aws_certificatemanager as acm, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { COMPLIANCE_PACK_PREFIXES } from './compliance';
import { InlineToManagedPolicies, StandardInlinePolicyAcknowledgements } from './policies';

/** Options of `SecurityPosture.regulated()`. */
export interface RegulatedPostureOptions {
  /**
   * The customer-managed key for every topic, log group, bucket, queue, table and SageMaker storage
   * volume of the service. Its key policy must let CloudWatch Logs (`logs.<region>.amazonaws.com`)
   * and CloudWatch alarms (`cloudwatch.amazonaws.com`) use it.
   * @default - one new key per stack, with rotation and those two service grants
   */
  readonly key?: kms.IKey;
  /**
   * Certificate of the internal load balancer's HTTPS listener (ECS compute): the VPC link reaches
   * the load balancer over TLS, and API Gateway verifies the certificate against
   * `loadBalancerDomainName`.
   * @default - none; regulated ECS compute then fails validation, naming this option
   */
  readonly loadBalancerCertificate?: acm.ICertificate;
  /**
   * Domain name the certificate is issued for; the integration URI uses it (a private DNS record
   * in the VPC must resolve it to the load balancer).
   * @default - none; required with `loadBalancerCertificate`
   */
  readonly loadBalancerDomainName?: string;
}

/**
 * How strictly the service is secured, as one choice passed to the service and every part:
 * `SecurityPosture.standard()` (AWS-managed encryption, grant-generated inline policies) or
 * `SecurityPosture.regulated()`, which passes cdk-nag's NIST 800-53 R5, HIPAA Security and
 * PCI DSS 3.2.1 packs: customer-managed KMS keys for every topic, log group, bucket, queue, table
 * and SageMaker storage volume (where the instance type has one), Lambda functions in the
 * service's VPC where there is one, load balancer access logs, deletion protection and HTTPS, a
 * backup plan for tables, and customer managed policies instead of inline ones. Findings neither
 * posture can resolve are acknowledged on each resource with the reason (see docs/compliance.md).
 */
export class SecurityPosture {
  /** AWS-managed encryption and inline policies; compliance findings acknowledged with the regulated fix named. */
  public static standard(): SecurityPosture {
    return new SecurityPosture(false, {});
  }

  /** Customer-managed keys, VPC functions, access logs, HTTPS, backups and managed policies. */
  public static regulated(options: RegulatedPostureOptions = {}): SecurityPosture {
    return new SecurityPosture(true, options);
  }

  /** True for the regulated posture. */
  public readonly isRegulated: boolean;
  /**
   * Certificate of the internal load balancer listener.
   * @default - none
   */
  public readonly loadBalancerCertificate?: acm.ICertificate;
  /**
   * Domain name of `loadBalancerCertificate`.
   * @default - none
   */
  public readonly loadBalancerDomainName?: string;
  private readonly givenKey?: kms.IKey;
  private readonly keys = new Map<string, kms.IKey>();

  private constructor(regulated: boolean, options: RegulatedPostureOptions) {
    this.isRegulated = regulated;
    this.givenKey = options.key;
    this.loadBalancerCertificate = options.loadBalancerCertificate;
    this.loadBalancerDomainName = options.loadBalancerDomainName;
  }

  /** "standard" or "regulated", for messages and the runbook. */
  public get name(): string {
    return this.isRegulated ? 'regulated' : 'standard';
  }

  /**
   * The customer-managed key for resources under `scope` in the regulated posture (the given key, or
   * one created under the first scope that asks in each stack); none in the standard posture.
   */
  public encryptionKey(scope: IConstruct): kms.IKey | undefined {
    if (!this.isRegulated) return undefined;
    if (this.givenKey) return this.givenKey;
    const stack = Stack.of(scope);
    let key = this.keys.get(stack.node.path);
    if (!key) {
      const created = new kms.Key(scope, 'EncryptionKey', {
        enableKeyRotation: true,
        description: `Customer-managed key of ${scope.node.path} (regulated posture): topics, log groups, buckets, queues, tables, volumes`,
      });
      // CloudWatch Logs encrypts a log group with the key only when the key policy admits the
      // Regional logs principal for that account's log groups. Source: CloudWatch Logs user guide,
      // "Encrypt log data in CloudWatch Logs using AWS KMS", step 2 (key policy).
      created.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
      }));
      // CloudWatch alarms publish to a topic encrypted with a customer-managed key only when the key
      // policy lets cloudwatch.amazonaws.com use it. Source: Amazon SNS developer guide, "Configuring
      // AWS KMS permissions for AWS services" (event sources and encrypted topics).
      created.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
      key = created;
      this.keys.set(stack.node.path, key);
    }
    return key;
  }

  /**
   * Applies the posture's policy handling to everything under `scope` at synthesis: in the
   * regulated posture every role's grant-generated inline policy becomes a customer managed policy
   * (same statements, same dependents); in the standard posture each one is acknowledged for the
   * compliance packs, naming its role. Idempotent per scope.
   */
  public applyTo(scope: IConstruct): void {
    // Once per subtree: a part inside a service that already applies the posture adds nothing.
    if (scope.node.scopes.some((s) => Aspects.of(s).all.some(isPostureAspect))) return;
    Aspects.of(scope).add(this.isRegulated ? new InlineToManagedPolicies() : new StandardInlinePolicyAcknowledgements());
  }

  /** The rule ids of the three compliance packs for a cdk-nag rule name (e.g. `SNSEncryptedKMS`). */
  public static complianceRuleIds(rule: string): string[] {
    return COMPLIANCE_PACK_PREFIXES.map((p) => `${p}-${rule}`);
  }
}

function isPostureAspect(a: IAspect): boolean {
  return a instanceof InlineToManagedPolicies || a instanceof StandardInlinePolicyAcknowledgements;
}

/** The posture a part uses: the one given, or the standard one. */
export function postureOf(security: SecurityPosture | undefined, scope: Construct): SecurityPosture {
  const posture = security ?? SecurityPosture.standard();
  posture.applyTo(scope);
  return posture;
}
