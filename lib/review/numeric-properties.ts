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

/** The paths of each type, split once. */
const SPLIT_PATHS: ReadonlyMap<string, ReadonlyArray<readonly string[]>> = new Map(
  Object.entries(NUMERIC_PROPERTIES).map(([type, paths]) => [type, paths.map((p) => p.split('.'))]),
);

/**
 * Values at `path[at..]` below `value` that are not numbers, with their dotted location (built
 * only for those: most values are numbers, and a template has many).
 */
function badValuesAt(value: unknown, path: readonly string[], at: number, where: () => string, out: string[]): void {
  if (at === path.length) {
    if (value === undefined || value === null || isNumeric(value) || isIntrinsic(value)) return;
    out.push(`${where()} = ${shown(value)} is not a number`);
    return;
  }
  if (typeof value === 'string' && value.trim().startsWith('{')) {
    // A Json property written as a JSON string.
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      // Not JSON: CloudFormation rejects it; the rules read it as absent.
      return;
    }
    badValuesAt(parsed, path, at, where, out);
    return;
  }
  if (typeof value !== 'object' || value === null || isIntrinsic(value)) return;
  const head = path[at];
  if (head === '*') {
    if (Array.isArray(value)) value.forEach((v, i) => badValuesAt(v, path, at + 1, () => `${where()}.${i}`, out));
    else for (const [k, v] of Object.entries(value)) badValuesAt(v, path, at + 1, () => `${where()}.${k}`, out);
  } else if (!Array.isArray(value) && Object.hasOwn(value, head)) {
    badValuesAt((value as Record<string, unknown>)[head], path, at + 1, () => `${where()}.${head}`, out);
  }
}

/**
 * Problems with numeric properties that hold a literal that is not a number, one line each; only
 * of the resources `include` accepts, when given.
 */
export function numericProblems(template: CfnTemplate, include?: (id: string, resource: CfnTemplate['Resources'][string]) => boolean): string[] {
  const problems: string[] = [];
  const resources = template.Resources;
  for (const id of Object.keys(resources)) {
    const r = resources[id];
    const paths = SPLIT_PATHS.get(r.Type);
    if (!paths || r.Properties === undefined || (include !== undefined && !include(id, r))) continue;
    for (const p of paths) badValuesAt(r.Properties, p, 0, () => `Resources.${id}.Properties`, problems);
  }
  return problems;
}
