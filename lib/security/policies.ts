import { IAspect, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgeCompliance } from './compliance';

/**
 * Regulated posture: turns every grant-generated inline policy (`<Role>/DefaultPolicy`) under the
 * scope into a customer managed policy with the same statements and roles, at synthesis, so grants
 * made after construction are included. The managed policy is a child of the same `Policy`
 * construct, so whatever depended on the inline policy (a function on its role's permissions, a
 * SageMaker model on its execution role's) depends on the managed policy instead.
 * cdk-nag IAMNoInlinePolicy (NIST 800-53 R5 AC-6, HIPAA 164.308(a)(4), PCI DSS 7.2.1) flags every
 * AWS::IAM::Policy.
 */
export class InlineToManagedPolicies implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof iam.Policy)) return;
    const inline = node.node.tryFindChild('Resource');
    if (!(inline instanceof iam.CfnPolicy)) return;
    // An empty default policy is never rendered (CDK renders it only with statements).
    if (node.document.isEmpty) return;
    new iam.CfnManagedPolicy(node, 'Managed', {
      description: `Permissions of ${node.node.scope?.node.path ?? node.node.path} (keras-inference-guard regulated posture: managed, not inline)`,
      policyDocument: inline.policyDocument,
      roles: inline.roles,
      users: inline.users,
      groups: inline.groups,
    });
    node.node.tryRemoveChild('Resource');
  }
}

/** Standard posture: acknowledges each role's grant-generated inline policy for the compliance packs. */
export class StandardInlinePolicyAcknowledgements implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof iam.Policy) || !(node.node.tryFindChild('Resource') instanceof iam.CfnPolicy)) return;
    const owner = node.node.scope?.node.path ?? node.node.path;
    acknowledgeCompliance(node, 'IAMNoInlinePolicy',
      `Grant-generated policy of ${owner}, attached to that one role and listing only this service's own resources. Standard posture; SecurityPosture.regulated() makes it a customer managed policy.`);
  }
}
