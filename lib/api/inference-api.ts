import {
  Annotations, Duration, Names, RemovalPolicy, Stack, Validations, aws_apigateway as apigw, aws_cloudwatch as cloudwatch,
  aws_iam as iam, aws_logs as logs, aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  APIGW_MAX_INTEGRATION_TIMEOUT_MS, APIGW_MAX_PAYLOAD_BYTES, APIGW_STAGE_NAME_PATTERN, ProblemCollector, WAF_MANAGED_RULE_GROUP_NAME_PATTERN, WAF_VENDOR_NAME_PATTERN, WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES,
} from '../core';
import { InferenceLimits, checkTimeoutChain, limitsProblems } from '../profile';
import { ModelSignature } from '../model';
import { recordExtendedIntegrationTimeout } from '../nag/extended-timeout';
import { METRIC_CATALOG, MetricCatalogEntry, catalogMetric } from '../alarms/metric-catalog';
import { regexGreaterThan } from './content-length';
import { ISyncInferenceTarget, SyncTargetBinding } from './target';
import { SecurityPosture, postureOf } from '../security/security-posture';
import { acknowledgeCompliance, acknowledgeUnlessRegulated } from '../security/compliance';
import { addIntegrationFailureResponse } from './integration-failure';

/** An AWS managed WAF rule group to add in front of the API. */
export interface ManagedRuleGroup {
  /** Rule group name, e.g. `AWSManagedRulesKnownBadInputsRuleSet`. */
  readonly name: string;
  /** @default "AWS" */
  readonly vendor?: string;
}

/**
 * The cost cap of `POST /predict`: the request schema of `/predict` admits only requests of at most
 * `thresholdUnits` cost units, and the 400 it answers names the cap and where heavier work goes.
 * `QueueLimits` gives every number (`syncCostThresholdUnits`, `syncMaxBatchSize`,
 * `syncMaxVariableDim`, `syncMaxRequestCostUnits`).
 */
export interface SyncCostCap {
  /** Cost (units) above which a request belongs on the job queue. */
  readonly thresholdUnits: number;
  /** Largest batch `/predict` admits (`maxItems` of `instances`), at most the signature's. */
  readonly maxBatchSize: number;
  /**
   * Bound of every variable dimension on `/predict`.
   * @default 0 - each input keeps its own bound
   */
  readonly maxVariableDim?: number;
  /** Cost of the dearest request the narrowed schema admits (at most `thresholdUnits`). */
  readonly maxRequestCostUnits: number;
  /**
   * The method heavier requests go to, named in the 400 body.
   * @default "POST /jobs"
   */
  readonly heavierRequestsTo?: string;
}

/** Props of `InferenceApi`. */
export interface InferenceApiProps {
  /** The backend behind `POST /predict`. */
  readonly target: ISyncInferenceTarget;
  /** Limits derived from the profile. */
  readonly limits: InferenceLimits;
  /** The model's input signature; it becomes the request schema. */
  readonly signature: ModelSignature;
  /**
   * Security posture: the regulated one encrypts the access and WAF log groups with its
   * customer-managed key.
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
  /**
   * API name: the `ApiName` dimension of every API metric, so it must be unique in the account
   * and Region, or the alarms of one API also count another API's requests.
   * @default - unique name generated from the construct path (stack name included)
   */
  readonly apiName?: string;
  /**
   * Endpoint type. Edge-optimized APIs can never have an integration timeout above 29 s.
   * @default apigw.EndpointType.REGIONAL
   */
  readonly endpointType?: apigw.EndpointType;
  /**
   * VPC endpoints allowed to call a PRIVATE API (required when endpointType is PRIVATE).
   * @default - none
   */
  readonly vpcEndpointIds?: string[];
  /**
   * Allow an integration timeout above 29 s (Regional or private only, after a quota increase).
   * @default false
   */
  readonly allowExtendedIntegrationTimeout?: boolean;
  /**
   * Why the timeout was extended (e.g. the quota request id); written into the template for reviewers.
   * @default "integration timeout quota raised for this account and Region"
   */
  readonly extendedIntegrationTimeoutReason?: string;
  /**
   * Authorizer for every method. With none given, methods use IAM (SigV4) authorization.
   * API keys are for usage-plan accounting only, never authentication.
   * @default - IAM authorization
   */
  readonly authorizer?: apigw.IAuthorizer;
  /**
   * Stage name.
   * @default "prod"
   */
  readonly stageName?: string;
  /**
   * Access log retention.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * AWS managed WAF rule groups to add after the rate and size rules.
   * @default - none
   */
  readonly managedRuleGroups?: ManagedRuleGroup[];
  /**
   * WAF body inspection limit for API Gateway (bytes: 16384, 32768, 49152 or 65536). Larger limits cost more WCUs.
   * @default - the smallest that covers the payload cap, up to 65536
   */
  readonly wafBodyInspectionLimitBytes?: number;
  /**
   * Create the account-level role API Gateway uses to write execution logs. Set false when the
   * account already has one (it is a single account-wide setting).
   * @default true
   */
  readonly createCloudWatchRole?: boolean;
  /**
   * Cap the cost of a synchronous request: `/predict` gets its own request model, the signature
   * narrowed to the cap, and a request above it gets a 400 whose JSON body names the cap and
   * `heavierRequestsTo`. Give it only when there is a job queue to send heavier requests to
   * (`KerasInferenceService` does so when it has one).
   * @default - no cap: `/predict` admits every request the signature admits, and the integration timeout (504) is what stops one too heavy to answer in time
   */
  readonly syncCostCap?: SyncCostCap;
}

/** The WAF per-IP rate rule name, also its CloudWatch metric name. */
export const WAF_RATE_RULE_NAME = 'PerIpRateLimit';
/** The WAF oversize rule name, also its CloudWatch metric name. */
export const WAF_SIZE_RULE_NAME = 'OversizeRequest';
/** Namespace of the metrics this library publishes from logs. */
export const METRICS_NAMESPACE = 'KerasInferenceGuard';

/**
 * A Regional REST API in front of an inference backend with every rate limit set: stage and
 * method throttling, usage-plan tiers with API keys, a WAF web ACL with a per-IP rate rule and
 * an oversize rule, request validation against the model's input schema, JSON gateway responses
 * with Retry-After, JSON access logs with the fields that matter during an attack, and IAM
 * authorization by default.
 */
export class InferenceApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly stage: apigw.Stage;
  public readonly predictMethod: apigw.Method;
  /** The request model built from the whole signature (the job queue's `POST /jobs` validates against it too). */
  public readonly requestModel: apigw.Model;
  /**
   * The request model of `POST /predict`: `requestModel`, or with a binding `syncCostCap`, the
   * signature narrowed to the cap (`PredictRequestSync`).
   */
  public readonly predictRequestModel: apigw.Model;
  /** The cost cap of `/predict`, when one was given and narrows the signature. */
  public readonly syncCostCap?: SyncCostCap;
  public readonly requestValidator: apigw.RequestValidator;
  public readonly usagePlans: Readonly<Record<string, apigw.UsagePlan>>;
  public readonly apiKeys: Readonly<Record<string, apigw.IApiKey>>;
  public readonly webAcl: wafv2.CfnWebACL;
  /** Name of the web ACL (the `WebACL` dimension of its metrics). */
  public readonly webAclName: string;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly wafLogGroup: logs.LogGroup;
  /** Name of the REST API (the `ApiName` dimension of its metrics), unique per account and Region by default. */
  public readonly apiName: string;
  public readonly binding: SyncTargetBinding;
  /** Payload cap enforced (bytes). */
  public readonly maxBodyBytes: number;
  /** Integration timeout set on `POST /predict`. */
  public readonly integrationTimeout: Duration;
  private readonly limits: InferenceLimits;
  private readonly authorizer?: apigw.IAuthorizer;

  constructor(scope: Construct, id: string, props: InferenceApiProps) {
    super(scope, id);
    const { limits } = props;
    this.limits = limits;
    this.authorizer = props.authorizer;
    const endpointType = props.endpointType ?? apigw.EndpointType.REGIONAL;
    const stageName = props.stageName ?? 'prod';
    const c = new ProblemCollector('API_PROPS_INVALID', this.node.path);
    c.require(APIGW_STAGE_NAME_PATTERN.test(stageName), 'stageName', stageName, '1 to 128 letters, digits, hyphens or underscores', 'rename the stage, e.g. "prod"');
    c.require(endpointType !== apigw.EndpointType.PRIVATE || (props.vpcEndpointIds?.length ?? 0) > 0, 'vpcEndpointIds', props.vpcEndpointIds, 'at least one VPC endpoint id for a PRIVATE API', 'pass the execute-api VPC endpoint ids that may call the API');
    // Limits built or edited by hand (NaN, tokens, negative values, an unsupported WAF window): each problem once.
    c.addAll(limitsProblems(limits));
    (props.managedRuleGroups ?? []).forEach((g, i) => {
      const name = g?.name;
      c.require(typeof name === 'string' && WAF_MANAGED_RULE_GROUP_NAME_PATTERN.test(name), `managedRuleGroups[${i}].name`, name,
        '1-128 letters, digits, "_" or "-" (a managed rule group name, e.g. AWSManagedRulesKnownBadInputsRuleSet)', 'use the name ListAvailableManagedRuleGroups returns');
      c.require(g?.vendor === undefined || (typeof g.vendor === 'string' && WAF_VENDOR_NAME_PATTERN.test(g.vendor)), `managedRuleGroups[${i}].vendor`, g?.vendor,
        '1-128 characters, not all white space', 'omit vendor for AWS managed rules, or give the vendor name');
      // The group's name is also its rule's name in the web ACL, which must be unique there.
      const taken = [WAF_RATE_RULE_NAME, WAF_SIZE_RULE_NAME, ...(props.managedRuleGroups ?? []).slice(0, i).map((o) => o?.name)];
      c.require(!taken.includes(name), `managedRuleGroups[${i}].name`, name, 'a name no other rule of the web ACL has', 'list each managed rule group once');
    });
    if (props.wafBodyInspectionLimitBytes !== undefined) {
      c.require(WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES.includes(props.wafBodyInspectionLimitBytes), 'wafBodyInspectionLimitBytes', props.wafBodyInspectionLimitBytes, WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES.join(', '), 'use one of the API Gateway body inspection sizes');
    }
    if (props.syncCostCap !== undefined) {
      const cap = props.syncCostCap;
      c.numberInRange('syncCostCap.thresholdUnits', cap.thresholdUnits, 0.001, 1_000_000, 'take it from QueueLimits.syncCostThresholdUnits');
      c.intInRange('syncCostCap.maxBatchSize', cap.maxBatchSize, 1, props.signature.maxBatchSize, 'take it from QueueLimits.syncMaxBatchSize: the cap narrows the signature, never widens it');
      c.intInRange('syncCostCap.maxVariableDim', cap.maxVariableDim ?? 0, 0, Number.MAX_SAFE_INTEGER, 'take it from QueueLimits.syncMaxVariableDim (0 keeps each input\'s bound)');
      c.require(typeof cap.maxRequestCostUnits === 'number' && cap.maxRequestCostUnits <= cap.thresholdUnits, 'syncCostCap.maxRequestCostUnits', cap.maxRequestCostUnits,
        `at most thresholdUnits (${cap.thresholdUnits})`, 'take both from the same QueueLimits: the narrowed schema must not admit a request above the threshold');
      // Written into a gateway response template, where `$` starts a substitution.
      c.require(cap.heavierRequestsTo === undefined || (typeof cap.heavierRequestsTo === 'string' && /^[A-Z]+ \/[A-Za-z0-9_.\/{}-]*$/.test(cap.heavierRequestsTo)),
        'syncCostCap.heavierRequestsTo', cap.heavierRequestsTo, 'an HTTP method and a path, e.g. "POST /jobs"', 'name the method heavier requests go to');
    }
    c.throwIfAny();

    this.integrationTimeout = Duration.millis(limits.timeouts.integrationTimeoutMs);
    const caps = props.target.capabilities;
    this.binding = props.target.bindSync(this, { integrationTimeout: this.integrationTimeout, contentType: 'application/json' });

    const chain = new ProblemCollector('TIMEOUT_CHAIN_INVALID', this.node.path);
    chain.addAll(checkTimeoutChain({
      integrationTimeoutMs: limits.timeouts.integrationTimeoutMs,
      modelServerTimeoutMs: limits.timeouts.modelServerTimeoutSeconds * 1000,
      endpointType,
      allowExtendedIntegrationTimeout: props.allowExtendedIntegrationTimeout ?? false,
      backendTimeoutMs: caps.invocationTimeoutMs,
      backendName: caps.name,
      loadBalancerIdleTimeoutMs: caps.loadBalancerIdleTimeoutMs,
    }));
    const cap = Math.min(limits.payload.maxBodyBytes, caps.maxPayloadBytes, APIGW_MAX_PAYLOAD_BYTES);
    chain.require(limits.payload.maxBodyBytes <= caps.maxPayloadBytes, 'limits.payload.maxBodyBytes', limits.payload.maxBodyBytes,
      `<= ${caps.maxPayloadBytes} bytes (${caps.name} limit)`, 'lower the payload cap or use the async path for large requests');
    chain.throwIfAny('the timeout chain or payload cap is inconsistent');
    this.maxBodyBytes = cap;
    const schemaMax = props.signature.estimatedMaxBodyBytes();
    if (schemaMax > cap) {
      Annotations.of(this).addWarningV2('keras-inference-guard:schemaAdmitsLargerBodies',
        `The request schema admits bodies up to about ${schemaMax} bytes but the payload cap is ${cap} bytes; larger requests are blocked by the Content-Length rule. Lower signature.maxBatchSize to make the two agree.`);
    }

    // ---- logs -----------------------------------------------------------------------------
    const security = postureOf(props.security, this);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: security.encryptionKey(this),
    });
    acknowledgeUnlessRegulated(security, this.accessLogGroup, 'CloudWatchLogGroupEncrypted',
      'The access log holds request metadata (caller, source IP, status, latency), never request bodies; CloudWatch Logs encrypts it at rest with its service key',
      'encrypts it with the customer-managed key');
    const L = apigw.AccessLogField;
    // Every value is quoted so the format is valid JSON (structured-logging checks parse it);
    // metric filters compare `status` as a string.
    const accessLogFormat = apigw.AccessLogFormat.custom(JSON.stringify({
      requestId: L.contextRequestId(),
      extendedRequestId: L.contextExtendedRequestId(),
      apiId: L.contextApiId(),
      requestTime: L.contextRequestTime(),
      httpMethod: L.contextHttpMethod(),
      resourcePath: L.contextResourcePath(),
      sourceIp: L.contextIdentitySourceIp(),
      userAgent: L.contextIdentityUserAgent(),
      caller: L.contextIdentityCaller(),
      apiKeyId: L.contextIdentityApiKeyId(),
      status: L.contextStatus(),
      errorResponseType: L.contextErrorResponseType(),
      errorMessage: L.contextErrorMessageString(),
      wafResponseCode: L.contextWafResponseCode(),
      integrationStatus: L.contextIntegrationStatus(),
      integrationLatency: L.contextIntegrationLatency(),
      responseLatency: L.contextResponseLatency(),
      responseLength: L.contextResponseLength(),
      xrayTraceId: L.contextXrayTraceId(),
    }));

    // ---- API --------------------------------------------------------------------------------
    const methodPath = '/predict/POST';
    // API Gateway does not require unique names, but CloudWatch tells APIs apart by name only:
    // two APIs called "Api" would share every alarm and dashboard series.
    this.apiName = props.apiName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    const createCloudWatchRole = props.createCloudWatchRole ?? true;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: this.apiName,
      description: 'Guarded inference API (keras-inference-guard)',
      endpointConfiguration: { types: [endpointType], vpcEndpoints: undefined },
      policy: endpointType === apigw.EndpointType.PRIVATE ? privateApiPolicy(props.vpcEndpointIds ?? []) : undefined,
      cloudWatchRole: createCloudWatchRole,
      // CDK rejects a removal policy for a role it does not create.
      cloudWatchRoleRemovalPolicy: createCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat,
        // Stage-wide default: every method, including ones added later, is throttled.
        throttlingRateLimit: limits.throttle.rateLimit,
        throttlingBurstLimit: limits.throttle.burstLimit,
        methodOptions: {
          [methodPath]: { throttlingRateLimit: limits.throttle.rateLimit, throttlingBurstLimit: limits.throttle.burstLimit },
        },
      },
      defaultMethodOptions: { authorizationType: this.authorizer ? undefined : apigw.AuthorizationType.IAM, authorizer: this.authorizer, apiKeyRequired: true },
      disableExecuteApiEndpoint: false,
    });
    if (!this.authorizer) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Methods use IAM (SigV4) authorization, a real authorizer; pass `authorizer` to use a Cognito user pool instead',
      });
    }
    this.stage = this.api.deploymentStage;
    acknowledgeCompliance(this.stage, 'APIGWCacheEnabledAndEncrypted',
      'Inference responses must not be cached: each POST answers its own request body, which the stage cache key leaves out (it keys on path, query string and chosen headers), so a cached answer would hand one caller\'s prediction to another; with no cache there is nothing to encrypt');
    acknowledgeCompliance(this.stage, 'APIGWSSLEnabled',
      'A stage client certificate authenticates API Gateway to a public HTTP backend; this stage has none: its integrations are SigV4-signed AWS service calls (SageMaker, SQS, Lambda) or a VPC-link private integration to an internal load balancer that admits only the link\'s security group');
    if (props.allowExtendedIntegrationTimeout && limits.timeouts.integrationTimeoutMs > APIGW_MAX_INTEGRATION_TIMEOUT_MS) {
      // Reviewers (and the InferenceGuard rule pack) see the extension was deliberate.
      recordExtendedIntegrationTimeout(this.api, props.extendedIntegrationTimeoutReason ?? 'integration timeout quota raised for this account and Region');
    }
    const accountRole = this.api.node.tryFindChild('CloudWatchRole');
    if (accountRole) {
      Validations.of(accountRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'AWS-managed policy made for exactly this account-level role: it lets API Gateway write execution and access logs, nothing else',
      });
    }

    // ---- request validation ----------------------------------------------------------------
    this.requestModel = this.api.addModel('PredictRequest', {
      contentType: 'application/json',
      modelName: 'PredictRequest',
      schema: props.signature.toJsonSchema() as apigw.JsonSchema,
      description: 'TF Serving predict request built from the model signature',
    });
    // The cost cap: the narrowed signature's schema bounds the batch (and, if needed, every
    // variable dimension) with maxItems, which JSON Schema draft 4 has
    // (https://tools.ietf.org/html/draft-fge-json-schema-validation-00#section-5.3.2) and API Gateway
    // enforces on the request body: its models are JSON Schema draft 4
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-create-model.html) and a
    // body that fails the method's model is refused with 400 before the integration is called
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html).
    // Why the bounds are exact for fixed shapes and conservative with variable dimensions, and why
    // not a body-size cap: deriveQueueLimits (syncSchemaBounds) and docs/fairness.md.
    const capped = props.syncCostCap;
    const narrows = capped !== undefined && (capped.maxBatchSize < props.signature.maxBatchSize
      || props.signature.inputs.some((i) => i.maxVariableDim !== undefined && (capped.maxVariableDim ?? 0) > 0 && (capped.maxVariableDim ?? 0) < i.maxVariableDim));
    this.syncCostCap = narrows ? capped : undefined;
    this.predictRequestModel = narrows
      ? this.api.addModel('PredictRequestSync', {
        contentType: 'application/json',
        modelName: 'PredictRequestSync',
        schema: props.signature.narrowed(capped!.maxBatchSize, capped!.maxVariableDim ?? 0).toJsonSchema() as apigw.JsonSchema,
        description: `POST /predict: the signature narrowed to ${capped!.thresholdUnits} cost units; heavier requests go to ${capped!.heavierRequestsTo ?? 'POST /jobs'}`,
      })
      : this.requestModel;
    this.requestValidator = this.api.addRequestValidator('BodyAndParams', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    // ---- method -------------------------------------------------------------------------------
    const predict = this.api.root.addResource('predict');
    this.predictMethod = predict.addMethod('POST', this.binding.integration, {
      requestModels: { 'application/json': this.predictRequestModel },
      requestValidator: this.requestValidator,
      requestParameters: { 'method.request.header.Content-Type': true },
      methodResponses: this.binding.methodResponses,
    });

    // ---- gateway responses ---------------------------------------------------------------------
    this.addGatewayResponses();

    // ---- usage plans -----------------------------------------------------------------------
    const plans: Record<string, apigw.UsagePlan> = {};
    const keys: Record<string, apigw.IApiKey> = {};
    for (const tier of limits.usagePlanTiers) {
      const plan = this.api.addUsagePlan(`UsagePlan-${tier.name}`, {
        // Usage plan names are per account and Region: the API's unique name keeps two services apart.
        name: `${this.apiName}-${tier.name}`,
        description: `Tier ${tier.name}: ${tier.rateLimit} req/s, burst ${tier.burstLimit}, ${tier.quotaPerDay}/day per API key (best effort; WAF enforces the hard per-IP limit)`,
        throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit },
        quota: { limit: tier.quotaPerDay, period: apigw.Period.DAY },
        apiStages: [{ api: this.api, stage: this.stage, throttle: [{ method: this.predictMethod, throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit } }] }],
      });
      // Bound to the stage through its usage plan (the UsagePlanKey below) only: StageKeys is optional
      // (AWS::ApiGateway::ApiKey, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-apikey.html),
      // and without it the key does not depend on the stage, so a function behind the stage can carry
      // its id (the job queue's admission maps key ids to tiers) without a dependency cycle.
      const key = new apigw.ApiKey(this.api, `ApiKey-${tier.name}`, { description: `Usage-plan accounting key for tier ${tier.name} (not an authentication credential)` });
      plan.addApiKey(key);
      plans[tier.name] = plan;
      keys[tier.name] = key;
    }
    this.usagePlans = plans;
    this.apiKeys = keys;

    // ---- WAF ------------------------------------------------------------------------------------
    const inspection = props.wafBodyInspectionLimitBytes
      ?? WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES.find((l) => l >= cap)
      ?? WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES[WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES.length - 1];
    const sizeStatement: wafv2.CfnWebACL.StatementProperty = cap <= inspection
      ? { sizeConstraintStatement: { fieldToMatch: { body: { oversizeHandling: 'MATCH' } }, comparisonOperator: 'GT', size: cap, textTransformations: [{ priority: 0, type: 'NONE' }] } }
      // WAF sees at most 64 KB of a body, so larger caps are enforced on the Content-Length header.
      : { regexMatchStatement: { fieldToMatch: { singleHeader: { Name: 'content-length' } }, regexString: regexGreaterThan(cap), textTransformations: [{ priority: 0, type: 'NONE' }] } };
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: WAF_RATE_RULE_NAME, priority: 0, action: { block: {} },
        statement: { rateBasedStatement: { limit: limits.waf.rateLimitPerIp, evaluationWindowSec: limits.waf.windowSeconds, aggregateKeyType: 'IP' } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: WAF_RATE_RULE_NAME, sampledRequestsEnabled: true },
      },
      {
        name: WAF_SIZE_RULE_NAME, priority: 1, action: { block: {} }, statement: sizeStatement,
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: WAF_SIZE_RULE_NAME, sampledRequestsEnabled: true },
      },
      ...(props.managedRuleGroups ?? []).map((g, i): wafv2.CfnWebACL.RuleProperty => ({
        name: g.name, priority: 10 + i, overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: g.vendor ?? 'AWS', name: g.name } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: g.name, sampledRequestsEnabled: true }, // 1-128 characters, checked above
      })),
    ];
    this.webAclName = `${Stack.of(this).stackName}-${this.node.addr.slice(0, 8)}-acl`;
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'InferenceApiWebAcl', sampledRequestsEnabled: true },
      associationConfig: inspection === WAF_APIGW_BODY_INSPECTION_LIMITS_BYTES[0] ? undefined : {
        requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: `KB_${inspection / 1024}` } },
      },
      rules,
    });
    // The stage ARN references the stage, so the association is created after it.
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.stage.stageArn, webAclArn: this.webAcl.attrArn });

    // WAF logs: which IPs were blocked and by which rule, kept for forensics.
    this.wafLogGroup = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${Stack.of(this).stackName}-${this.node.addr.slice(0, 8)}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: security.encryptionKey(this),
    });
    acknowledgeUnlessRegulated(security, this.wafLogGroup, 'CloudWatchLogGroupEncrypted',
      'The WAF log holds the headers and rule matches of blocked and sampled requests, not their bodies; CloudWatch Logs encrypts it at rest with its service key',
      'encrypts it with the customer-managed key');
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [this.wafLogGroup.logGroupArn],
    });

    // ---- throttled-request metric from the access log ------------------------------------------
    new logs.MetricFilter(this, 'ThrottledFilter', {
      logGroup: this.accessLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: METRICS_NAMESPACE,
      metricName: 'ThrottledRequests',
      metricValue: '1',
      dimensions: { ApiId: '$.apiId' },
      unit: cloudwatch.Unit.COUNT,
    });
  }

  private addGatewayResponses(): void {
    // Gateway response templates are plain variable substitution, not VTL
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseTemplates.html):
    // a message is either a fixed JSON string or `$context.error.messageString`, which API Gateway
    // already puts in quotes ("the quoted value of $context.error.message",
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
    const body = (error: string, message: string) => ({
      'application/json': `{"error": "${error}", "message": ${message === QUOTED_ERROR_MESSAGE ? message : JSON.stringify(message)}, "requestId": "$context.requestId"}`,
    });
    const retryAfter = (seconds: number) => ({ 'Retry-After': `'${seconds}'` });
    const window = this.limits.waf.windowSeconds;
    const secondsToNextDay = 3600;
    const responses: Array<[string, apigw.ResponseType, string | undefined, Record<string, string> | undefined, Record<string, string>]> = [
      ['Throttled', apigw.ResponseType.THROTTLED, '429', retryAfter(1), body('TooManyRequests', 'Rate limit exceeded. Retry after the number of seconds in Retry-After.')],
      ['QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, '429', retryAfter(secondsToNextDay), body('QuotaExceeded', 'The daily quota of this API key is used up.')],
      ['WafFiltered', apigw.ResponseType.WAF_FILTERED, '403', retryAfter(window), body('Blocked', 'Blocked by the web application firewall: too many requests from this address, or the request is too large.')],
      ['RequestTooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, '413', undefined, body('PayloadTooLarge', `The request body exceeds the limit of ${this.maxBodyBytes} bytes.`)],
      ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY, '400', undefined, { 'application/json': this.badRequestBodyTemplate() }],
      ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS, '400', undefined, body('InvalidRequest', 'A required header is missing: send Content-Type: application/json.')],
      ['UnsupportedMediaType', apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, '415', undefined, body('UnsupportedMediaType', 'Send Content-Type: application/json.')],
      ['IntegrationTimeout', apigw.ResponseType.INTEGRATION_TIMEOUT, '504', retryAfter(1), body('Timeout', `The model did not answer within ${this.limits.timeouts.integrationTimeoutMs} ms.`)],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, undefined, body('ClientError', QUOTED_ERROR_MESSAGE)],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, retryAfter(1), body('ServerError', QUOTED_ERROR_MESSAGE)],
    ];
    for (const [id, type, statusCode, responseHeaders, templates] of responses) {
      this.api.addGatewayResponse(id, { type, statusCode, responseHeaders, templates });
    }
    // A throttled Lambda integration (the job queue's admission and status functions): 503 + Retry-After.
    addIntegrationFailureResponse(this.api);
  }

  /**
   * The BAD_REQUEST_BODY body. Gateway responses are per REST API and type, not per method
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html),
   * so with a cost cap every body validation failure names it: the caller learns what `/predict`
   * admits and where heavier work goes, whichever limit it passed.
   */
  private badRequestBodyTemplate(): string {
    const cap = this.syncCostCap;
    const syncLimit = cap === undefined ? '' : `, "syncLimit": ${JSON.stringify({
      maxCostUnits: cap.thresholdUnits,
      maxBatchSize: cap.maxBatchSize,
      ...((cap.maxVariableDim ?? 0) > 0 ? { maxVariableDim: cap.maxVariableDim } : {}),
      heavierRequests: cap.heavierRequestsTo ?? 'POST /jobs',
      note: `POST /predict admits requests of at most ${cap.thresholdUnits} cost units (at most ${cap.maxBatchSize} instances`
        + `${(cap.maxVariableDim ?? 0) > 0 ? `, variable dimensions at most ${cap.maxVariableDim}` : ''}), what it answers within its integration timeout; send heavier requests to ${cap.heavierRequestsTo ?? 'POST /jobs'}`,
    })}`;
    return `{"error": "InvalidRequest", "message": "$context.error.validationErrorString"${syncLimit}, "requestId": "$context.requestId"}`;
  }

  /** `AWS/ApiGateway Count`, Sum per minute, for the stage. */
  public metricCount(): cloudwatch.Metric { return this.apiMetric(METRIC_CATALOG.apiCount, 'Sum'); }
  /** `AWS/ApiGateway 5XXError`, Average per minute (the share of requests). */
  public metric5xxRate(): cloudwatch.Metric { return this.apiMetric(METRIC_CATALOG.api5xx, 'Average'); }
  /** `AWS/ApiGateway 4XXError`, Average per minute (the share of requests). */
  public metric4xxRate(): cloudwatch.Metric { return this.apiMetric(METRIC_CATALOG.api4xx, 'Average'); }
  /** `AWS/ApiGateway Latency`, p99 per minute (ms). */
  public metricLatencyP99(): cloudwatch.Metric { return this.apiMetric(METRIC_CATALOG.apiLatency, 'p99'); }
  /** `AWS/ApiGateway IntegrationLatency`, p99 per minute (ms). */
  public metricIntegrationLatencyP99(): cloudwatch.Metric { return this.apiMetric(METRIC_CATALOG.apiIntegrationLatency, 'p99'); }

  /** Throttled (429) responses per minute, counted from the access log. */
  public metricThrottled(): cloudwatch.Metric {
    return catalogMetric(METRIC_CATALOG.apiThrottled, { ApiId: this.api.restApiId }, { label: 'Throttled (429)' });
  }

  /** `AWS/WAFV2 BlockedRequests` of the web ACL, Sum per minute. */
  public metricWafBlocked(): cloudwatch.Metric {
    return catalogMetric(METRIC_CATALOG.wafBlocked, { WebACL: this.webAclName, Rule: 'ALL', Region: Stack.of(this).region }, { label: 'WAF blocked' });
  }

  private apiMetric(entry: MetricCatalogEntry, statistic: string): cloudwatch.Metric {
    return catalogMetric(entry, { ApiName: this.apiName, Stage: this.stage.stageName }, { statistic, label: `${entry.metricName} ${statistic}` });
  }
}

/** API Gateway's error message, already in double quotes. */
const QUOTED_ERROR_MESSAGE = '$context.error.messageString';

function privateApiPolicy(vpcEndpointIds: string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] }),
      new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'],
        conditions: { StringNotEquals: { 'aws:SourceVpce': vpcEndpointIds } },
      }),
    ],
  });
}
