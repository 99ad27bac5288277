import { CfnElement, Duration, Lazy, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeCompliance } from '../../security/compliance';
import { handlerCode } from '../assets';
import { acknowledge } from '../../core/nag-text';

/** What a queue function is: its bundled handler, size, timeout, logs, environment and network. */
export interface QueueFunctionOptions {
  /** A bundled handler by name, or code staged for this function (the admission function's, with its validator). */
  readonly code: 'admission' | 'worker' | 'status' | 'reconciler' | lambda.Code;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly reservedConcurrentExecutions?: number;
  readonly role?: iam.Role;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Customer-managed key of the log group (regulated posture); none: the CloudWatch Logs service key. */
  readonly encryptionKey?: kms.IKey;
}

/** The function's own role (no AWSLambdaBasicExecutionRole), in a scope named `id`. */
export function queueFunctionRole(owner: Construct, id: string): iam.Role {
  // An own role instead of AWSLambdaBasicExecutionRole: the function writes to its own log group only.
  return new iam.Role(new Construct(owner, id), 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

/**
 * One of the queue's functions: bundled handler, own role and log group, active tracing, and the
 * acknowledgements its role needs (X-Ray's Resource "*", the VPC access policy in a VPC).
 */
export function queueFunction(owner: Construct, id: string, o: QueueFunctionOptions): lambda.Function {
  const role = o.role ?? queueFunctionRole(owner, id);
  const holder = role.node.scope as Construct;
  const logGroup = new logs.LogGroup(holder, 'LogGroup', { retention: o.logRetention, encryptionKey: o.encryptionKey });
  if (!o.encryptionKey) {
    acknowledgeCompliance(logGroup, 'CloudWatchLogGroupEncrypted',
      `Log of the ${o.code} function: job ids, outcomes and metric lines, never request bodies; CloudWatch Logs encrypts it at rest with its service key. Standard posture; SecurityPosture.regulated() encrypts it with the customer-managed key.`);
  }
  logGroup.grantWrite(role);
  const fn = new lambda.Function(holder, 'Function', {
    // The newest Node.js runtime this aws-cdk-lib knows (cdk-nag L1 wants the latest of the family).
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: typeof o.code === 'string' ? handlerCode(o.code) : o.code,
    role,
    memorySize: o.memoryMiB,
    timeout: o.timeout,
    description: o.description,
    environment: o.environment,
    reservedConcurrentExecutions: o.reservedConcurrentExecutions,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    vpc: o.vpc,
    vpcSubnets: o.vpc ? o.vpcSubnets : undefined,
    securityGroups: o.vpc ? o.securityGroups : undefined,
  });
  // CDK makes the function depend on its role and the role's policy; the role is already implied by
  // the Role GetAtt (cfn-lint W3005), the policy is not: keep only that one.
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  // Lazy: a security posture may turn the inline policy into a managed one at synthesis.
  if (policy) (fn.node.defaultChild as lambda.CfnFunction).addOverride('DependsOn', Lazy.list({ produce: () => [logicalId(policy)] }));
  acknowledge(holder, 'AwsSolutions-IAM5', 'Active tracing: X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so they need Resource "*".',
    ['Resource::*']);
  if (o.vpc) {
    acknowledge(holder, 'AwsSolutions-IAM4', 'AWSLambdaVPCAccessExecutionRole is what Lambda needs to attach network interfaces in the worker VPC; its EC2 actions support no resource scoping.',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']);
  }
  return fn;
}

function logicalId(element: IConstruct): string {
  const cfn = element instanceof CfnElement ? element : element.node.findAll().find((c): c is CfnElement => c instanceof CfnElement)!;
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}
