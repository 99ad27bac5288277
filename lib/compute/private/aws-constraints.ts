import {
  SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S, SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MIN_S, SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX, SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN,
  SAGEMAKER_ASYNC_REQUEST_TTL_MAX_S, SAGEMAKER_ASYNC_REQUEST_TTL_MIN_S, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN,
  SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB, SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MAX, SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MIN,
  SAGEMAKER_STARTUP_TIMEOUT_MAX_S, SAGEMAKER_STARTUP_TIMEOUT_MIN_S,
} from '../../core/aws-limits';

/**
 * The rules AWS applies when it creates the resources the compute shapes synthesize, as data:
 * each row names the CloudFormation type it reads, what AWS requires, and the page that says so.
 * A template that breaks a row synthesizes and passes cfn-lint, then fails at deployment (or,
 * for the private integration, deploys and answers 404 to every request). The tests run the
 * table against every example and every compute shape.
 */

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

/** A synthesized template (only what the table reads). */
export interface CfnTemplateJson {
  readonly Resources?: Record<string, CfnResourceJson>;
}

/** One AWS rule a resource must follow to be created (or, for the integration, to work). */
export interface AwsConstraint {
  readonly id: string;
  /** The CloudFormation type the rule reads. */
  readonly resourceType: string;
  /** What AWS requires, in a sentence. */
  readonly rule: string;
  /** The AWS page that states it. */
  readonly source: string;
  /** What breaks the rule in one resource of `resourceType` (empty when it holds or cannot be known at synth). */
  readonly check: (resource: CfnResourceJson, template: CfnTemplateJson) => string[];
}

/** A broken rule in a template. */
export interface ConstraintViolation {
  readonly constraint: string;
  readonly logicalId: string;
  readonly problem: string;
  readonly source: string;
}

/**
 * Metadata key under which an asynchronous endpoint configuration records the per-request values
 * its callers pass on InvokeEndpointAsync (they are not properties of any resource).
 */
export const ASYNC_INVOCATION_METADATA = 'KerasInferenceGuard::AsyncInvocation';

/**
 * The path parameter of a private integration whose static override carries the backend path:
 * with the path overridden, API Gateway sends the path as given instead of prefixing the stage.
 */
export const PRIVATE_INTEGRATION_PATH_PARAMETER = 'kigPathRoot';

const SERVERLESS_GUIDE = 'https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (feature exclusions: GPUs, VPC configuration, network isolation are not supported)';
const SERVERLESS_CONFIG = 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html';
const PRIVATE_INTEGRATION = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/private-integration.html (Considerations: API Gateway includes the stage in the path sent to a private integration unless parameter mapping overrides $context.requestOverride.path)';
const ASYNC_CLIENT_CONFIG = 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AsyncInferenceClientConfig.html';
const ASYNC_OUTPUT_CONFIG = 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AsyncInferenceOutputConfig.html';
const INVOKE_ASYNC = 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpointAsync.html (InvocationTimeoutSeconds, RequestTTLSeconds)';
const PRODUCTION_VARIANT = 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html';

const variants = (r: CfnResourceJson): Record<string, any>[] => (Array.isArray(r.Properties?.ProductionVariants) ? r.Properties!.ProductionVariants : []);
const serverlessVariants = (r: CfnResourceJson) => variants(r).filter((v) => v.ServerlessConfig !== undefined);
const isNumber = (v: unknown): v is number => typeof v === 'number';

/** The model a variant names: `Fn::GetAtt [id, ModelName]` or `Ref id` to a model in the template. */
function modelOf(variant: Record<string, any>, template: CfnTemplateJson): CfnResourceJson | undefined {
  const ref = variant.ModelName;
  const id = ref?.['Fn::GetAtt']?.[0] ?? ref?.Ref;
  const r = typeof id === 'string' ? template.Resources?.[id] : undefined;
  return r?.Type === 'AWS::SageMaker::Model' ? r : undefined;
}

/** Problems of a number that must be an integer within [min, max] (none when it is an intrinsic). */
function intRange(name: string, v: unknown, min: number, max: number): string[] {
  if (v === undefined || !isNumber(v)) return [];
  return Number.isInteger(v) && v >= min && v <= max ? [] : [`${name} is ${v}; AWS accepts an integer from ${min} to ${max}`];
}

/**
 * The path a private integration (REST API, HTTP_PROXY through a VPC link) sends to the load
 * balancer for a request to `stageName`: the integration URI's path with its path parameters
 * replaced by their static overrides. Without a path override API Gateway puts the stage in
 * front of it (`/<stage>/<path>`), as the private integration guide documents. Parameters mapped
 * from the request (not static) stay as `{name}`.
 */
export function privateIntegrationBackendPath(integration: Record<string, any>, stageName: string): string {
  const uri = renderUri(integration.Uri);
  const m = /^https?:\/\/[^/]+(\/.*)?$/.exec(uri);
  let path = m?.[1] ?? '/';
  const params: Record<string, unknown> = integration.RequestParameters ?? {};
  let overridden = false;
  for (const [key, value] of Object.entries(params)) {
    const name = /^integration\.request\.path\.(.+)$/.exec(key)?.[1];
    if (name === undefined || !path.includes(`{${name}}`)) continue;
    overridden = true;
    const literal = typeof value === 'string' ? /^'(.*)'$/.exec(value)?.[1] : undefined;
    if (literal !== undefined) path = path.split(`{${name}}`).join(literal);
  }
  return overridden ? path : `/${stageName}${path}`;
}

/** An integration URI as a string, with every part that is not literal as `HOST`. */
function renderUri(uri: unknown): string {
  if (typeof uri === 'string') return uri;
  const join = (uri as any)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map((p: unknown) => (typeof p === 'string' ? p : 'HOST')).join(join[0] ?? '');
  return 'http://HOST';
}

/** Every AWS rule the compute shapes rely on for their resources to create. */
export const AWS_CONSTRAINTS: readonly AwsConstraint[] = [
  {
    id: 'serverless-no-network-isolation', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: 'The model of a serverless variant is not network-isolated (EnableNetworkIsolation unset or false).', source: SERVERLESS_GUIDE,
    check: (r, t) => serverlessVariants(r).filter((v) => modelOf(v, t)?.Properties?.EnableNetworkIsolation === true)
      .map((v) => `serverless variant ${v.VariantName} serves a model with EnableNetworkIsolation: true`),
  },
  {
    id: 'serverless-no-vpc', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: 'The model of a serverless variant has no VpcConfig.', source: SERVERLESS_GUIDE,
    check: (r, t) => serverlessVariants(r).filter((v) => modelOf(v, t)?.Properties?.VpcConfig !== undefined)
      .map((v) => `serverless variant ${v.VariantName} serves a model with a VpcConfig`),
  },
  {
    id: 'serverless-no-gpu', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: 'A serverless variant has no instance type or accelerator, and its model is not a GPU image.', source: SERVERLESS_GUIDE,
    check: (r, t) => serverlessVariants(r).flatMap((v) => [
      ...(v.InstanceType !== undefined || v.InitialInstanceCount !== undefined || v.AcceleratorType !== undefined
        ? [`serverless variant ${v.VariantName} sets an instance type, count or accelerator`] : []),
      ...(/-gpu-/.test(JSON.stringify(modelOf(v, t)?.Properties?.PrimaryContainer?.Image ?? ''))
        ? [`serverless variant ${v.VariantName} serves a GPU image`] : []),
    ]),
  },
  {
    id: 'serverless-memory-size', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `ServerlessConfig.MemorySizeInMB is one of ${SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB.join(', ')}.`, source: SERVERLESS_CONFIG,
    check: (r) => serverlessVariants(r).map((v) => v.ServerlessConfig.MemorySizeInMB)
      .filter((m) => isNumber(m) && !SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB.includes(m))
      .map((m) => `MemorySizeInMB is ${m}; AWS accepts ${SAGEMAKER_SERVERLESS_MEMORY_SIZES_MB.join(', ')}`),
  },
  {
    id: 'serverless-max-concurrency', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `ServerlessConfig.MaxConcurrency is ${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN}-${SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX}.`, source: SERVERLESS_CONFIG,
    check: (r) => serverlessVariants(r).flatMap((v) => intRange('MaxConcurrency', v.ServerlessConfig.MaxConcurrency, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MIN, SAGEMAKER_SERVERLESS_MAX_CONCURRENCY_MAX)),
  },
  {
    id: 'serverless-provisioned-concurrency', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `ServerlessConfig.ProvisionedConcurrency, when set, is ${SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MIN}-${SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MAX} and at most MaxConcurrency.`,
    source: SERVERLESS_CONFIG,
    check: (r) => serverlessVariants(r).flatMap((v) => {
      const { ProvisionedConcurrency: p, MaxConcurrency: max } = v.ServerlessConfig;
      return [
        ...intRange('ProvisionedConcurrency', p, SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MIN, SAGEMAKER_SERVERLESS_PROVISIONED_CONCURRENCY_MAX),
        ...(isNumber(p) && isNumber(max) && p > max ? [`ProvisionedConcurrency ${p} is above MaxConcurrency ${max}`] : []),
      ];
    }),
  },
  {
    id: 'variant-startup-timeouts', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `ModelDataDownloadTimeoutInSeconds and ContainerStartupHealthCheckTimeoutInSeconds are ${SAGEMAKER_STARTUP_TIMEOUT_MIN_S}-${SAGEMAKER_STARTUP_TIMEOUT_MAX_S} s.`,
    source: PRODUCTION_VARIANT,
    check: (r) => variants(r).flatMap((v) => [
      ...intRange('ModelDataDownloadTimeoutInSeconds', v.ModelDataDownloadTimeoutInSeconds, SAGEMAKER_STARTUP_TIMEOUT_MIN_S, SAGEMAKER_STARTUP_TIMEOUT_MAX_S),
      ...intRange('ContainerStartupHealthCheckTimeoutInSeconds', v.ContainerStartupHealthCheckTimeoutInSeconds, SAGEMAKER_STARTUP_TIMEOUT_MIN_S, SAGEMAKER_STARTUP_TIMEOUT_MAX_S),
    ]),
  },
  {
    id: 'async-max-concurrent-invocations', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance is ${SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN}-${SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX}.`,
    source: ASYNC_CLIENT_CONFIG,
    check: (r) => intRange('MaxConcurrentInvocationsPerInstance', r.Properties?.AsyncInferenceConfig?.ClientConfig?.MaxConcurrentInvocationsPerInstance,
      SAGEMAKER_ASYNC_MAX_CONCURRENT_MIN, SAGEMAKER_ASYNC_MAX_CONCURRENT_MAX),
  },
  {
    id: 'async-output-path', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: 'An asynchronous endpoint configuration has OutputConfig.S3OutputPath.', source: ASYNC_OUTPUT_CONFIG,
    check: (r) => (r.Properties?.AsyncInferenceConfig !== undefined && r.Properties.AsyncInferenceConfig.OutputConfig?.S3OutputPath === undefined
      ? ['AsyncInferenceConfig has no OutputConfig.S3OutputPath'] : []),
  },
  {
    id: 'async-invocation-timeout', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `The InvocationTimeoutSeconds callers pass is ${SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MIN_S}-${SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S} s (recorded in the ${ASYNC_INVOCATION_METADATA} metadata).`,
    source: INVOKE_ASYNC,
    check: (r) => asyncInvocation(r, 'InvocationTimeoutSeconds', SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MIN_S, SAGEMAKER_ASYNC_INVOCATION_TIMEOUT_MAX_S),
  },
  {
    id: 'async-request-ttl', resourceType: 'AWS::SageMaker::EndpointConfig',
    rule: `The RequestTTLSeconds callers pass is ${SAGEMAKER_ASYNC_REQUEST_TTL_MIN_S}-${SAGEMAKER_ASYNC_REQUEST_TTL_MAX_S} s (recorded in the ${ASYNC_INVOCATION_METADATA} metadata).`,
    source: INVOKE_ASYNC,
    check: (r) => asyncInvocation(r, 'RequestTTLSeconds', SAGEMAKER_ASYNC_REQUEST_TTL_MIN_S, SAGEMAKER_ASYNC_REQUEST_TTL_MAX_S),
  },
  {
    id: 'private-integration-stage-in-path', resourceType: 'AWS::ApiGateway::Method',
    rule: 'A private integration (ConnectionType VPC_LINK) overrides its path through parameter mapping, so the stage name does not reach the backend.',
    source: PRIVATE_INTEGRATION,
    check: (r) => {
      const integration = r.Properties?.Integration;
      if (integration?.ConnectionType !== 'VPC_LINK') return [];
      const probe = '__stage__';
      return privateIntegrationBackendPath(integration, probe).startsWith(`/${probe}/`)
        ? [`private integration ${renderUri(integration.Uri)} has no path override: the backend receives /<stage>${privateIntegrationBackendPath(integration, '').slice(1)}`]
        : [];
    },
  },
];

/** The recorded per-request value of an asynchronous endpoint configuration, checked when present. */
function asyncInvocation(r: CfnResourceJson, key: string, min: number, max: number): string[] {
  if (r.Properties?.AsyncInferenceConfig === undefined) return [];
  const recorded = r.Metadata?.[ASYNC_INVOCATION_METADATA];
  if (recorded === undefined) return [`no ${ASYNC_INVOCATION_METADATA} metadata records the ${key} callers pass`];
  return intRange(key, recorded[key], min, max);
}

/** Every row of the table broken by a resource of `template`. */
export function checkAwsConstraints(template: CfnTemplateJson): ConstraintViolation[] {
  const out: ConstraintViolation[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    for (const c of AWS_CONSTRAINTS) {
      if (c.resourceType !== resource.Type) continue;
      for (const problem of c.check(resource, template)) out.push({ constraint: c.id, logicalId, problem, source: c.source });
    }
  }
  return out;
}
