import { isIntrinsic } from '../nag/template/intrinsics';
import { CfnTemplate } from '../nag/template/template-model';

/**
 * Properties the review reads as numbers, by resource type, as paths below `Properties` (`*` is
 * every item of a list; a `Json` property such as RedrivePolicy may be a JSON string). Types from
 * the CloudFormation resource reference: Integer / Double / Number properties, which also accept a
 * numeric string ("30"); ECS task-level Cpu and Memory are strings holding numbers.
 *
 * A rule that meets a value it cannot read as a number treats it like an intrinsic function
 * (unknown until deploy time). For a literal such as "lots" that would let garbage count as
 * compliant, so the loader refuses such templates first, as cfn-lint does (E3012).
 */
const NUMERIC_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::Lambda::Function': ['ReservedConcurrentExecutions', 'Timeout', 'MemorySize'],
  'AWS::Lambda::EventSourceMapping': ['BatchSize', 'MaximumBatchingWindowInSeconds', 'ScalingConfig.MaximumConcurrency'],
  'AWS::SQS::Queue': ['VisibilityTimeout', 'MessageRetentionPeriod', 'MaximumMessageSize', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy.maxReceiveCount'],
  'AWS::Logs::LogGroup': ['RetentionInDays'],
  'AWS::ApiGateway::Stage': ['MethodSettings.*.ThrottlingRateLimit', 'MethodSettings.*.ThrottlingBurstLimit'],
  'AWS::ApiGateway::Deployment': [
    'StageDescription.ThrottlingRateLimit', 'StageDescription.ThrottlingBurstLimit',
    'StageDescription.MethodSettings.*.ThrottlingRateLimit', 'StageDescription.MethodSettings.*.ThrottlingBurstLimit',
  ],
  'AWS::ApiGateway::UsagePlan': ['Throttle.RateLimit', 'Throttle.BurstLimit', 'Quota.Limit', 'ApiStages.*.Throttle.*.RateLimit', 'ApiStages.*.Throttle.*.BurstLimit'],
  'AWS::ApiGateway::Method': ['Integration.TimeoutInMillis'],
  'AWS::ECS::TaskDefinition': ['Cpu', 'Memory', 'ContainerDefinitions.*.Cpu', 'ContainerDefinitions.*.Memory', 'ContainerDefinitions.*.MemoryReservation'],
  'AWS::ECS::Service': ['DesiredCount'],
  'AWS::SageMaker::EndpointConfig': [
    'ProductionVariants.*.InitialInstanceCount', 'ProductionVariants.*.ServerlessConfig.MaxConcurrency',
    'ProductionVariants.*.ServerlessConfig.MemorySizeInMB', 'AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance',
  ],
  'AWS::ApplicationAutoScaling::ScalableTarget': ['MinCapacity', 'MaxCapacity'],
  'AWS::AutoScaling::AutoScalingGroup': ['MinSize', 'MaxSize'],
  'AWS::WAFv2::WebACL': ['Rules.*.Statement.RateBasedStatement.Limit'],
};

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Values at `path` below `value`, with their dotted location. */
function valuesAt(value: unknown, path: readonly string[], where: string, out: Array<[string, unknown]>): void {
  if (path.length === 0) {
    out.push([where, value]);
    return;
  }
  if (typeof value === 'string' && value.trim().startsWith('{')) {
    // A Json property written as a JSON string.
    try {
      valuesAt(JSON.parse(value), path, where, out);
    } catch {
      // Not JSON: CloudFormation rejects it; the rules read it as absent.
    }
    return;
  }
  if (typeof value !== 'object' || value === null || isIntrinsic(value)) return;
  const [head, ...rest] = path;
  if (head === '*') {
    const items = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [k, v] of items) valuesAt(v, rest, `${where}.${k}`, out);
  } else if (!Array.isArray(value) && Object.hasOwn(value, head)) {
    valuesAt((value as Record<string, unknown>)[head], rest, `${where}.${head}`, out);
  }
}

/** Problems with numeric properties that hold a literal that is not a number, one line each. */
export function numericProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const paths = Object.hasOwn(NUMERIC_PROPERTIES, r.Type) ? NUMERIC_PROPERTIES[r.Type] : undefined;
    if (!paths || r.Properties === undefined) continue;
    for (const p of paths) {
      const found: Array<[string, unknown]> = [];
      valuesAt(r.Properties, p.split('.'), `Resources.${id}.Properties`, found);
      for (const [where, v] of found) {
        if (v === undefined || v === null || isNumeric(v) || isIntrinsic(v)) continue;
        problems.push(`${where} = ${shown(v)} is not a number`);
      }
    }
  }
  return problems;
}
