import { InferenceProfile } from '../../lib';

/**
 * Hand-made templates for the drill: a REST API with POST /predict in front of a SageMaker
 * endpoint, with whichever protections a test asks for.
 */
export interface HandMadeOptions {
  readonly stage?: { rate: number; burst: number };
  readonly plan?: { rate: number; burst: number; quota?: number };
  readonly apiKeyRequired?: boolean;
  readonly wafPerIp?: { limit: number; window: number };
  readonly instances?: { min: number; max: number; targetPerMinute?: number };
  readonly jobs?: { depthBudget: number; drainRate: number };
}

/** 100 req/s per instance, p50/p90/p99 20/30/40 ms, 60 s cold start. */
export const HAND_PROFILE = InferenceProfile.of({
  model: 'm', hardware: 'ml.g5.xlarge', latencyMs: { p50: 20, p90: 30, p99: 40 }, sustainableConcurrency: 4, throughputPerInstanceRps: 100,
  peakHostMemoryMiB: 1000, peakGpuMemoryMiB: 1000, coldStartSeconds: 60, maxRequestBytes: 10_000,
});

const ref = (id: string) => ({ Ref: id });
const att = (id: string, a: string) => ({ 'Fn::GetAtt': [id, a] });

export function handMade(o: HandMadeOptions): Record<string, unknown> {
  const r: Record<string, unknown> = {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'hand' } },
    Predict: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: ref('Api'), ParentId: att('Api', 'RootResourceId'), PathPart: 'predict' } },
    PredictPost: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: ref('Api'), ResourceId: ref('Predict'), HttpMethod: 'POST', AuthorizationType: 'NONE', ApiKeyRequired: o.apiKeyRequired ?? o.plan !== undefined,
        Integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:runtime.sagemaker:path/endpoints/hand-ep/invocations' }, TimeoutInMillis: 6000 },
      },
    },
    Deployment: { Type: 'AWS::ApiGateway::Deployment', DependsOn: ['PredictPost'], Properties: { RestApiId: ref('Api') } },
    Stage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: ref('Api'), DeploymentId: ref('Deployment'), StageName: 'prod',
        MethodSettings: o.stage ? [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: o.stage.rate, ThrottlingBurstLimit: o.stage.burst }] : [],
      },
    },
    Config: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: o.instances?.min ?? 1 }] } },
    Endpoint: { Type: 'AWS::SageMaker::Endpoint', Properties: { EndpointName: 'hand-ep', EndpointConfigName: att('Config', 'EndpointConfigName') } },
  };
  if (o.plan) {
    r.Plan = {
      Type: 'AWS::ApiGateway::UsagePlan',
      Properties: {
        UsagePlanName: 'plan', ApiStages: [{ ApiId: ref('Api'), Stage: ref('Stage') }], Throttle: { RateLimit: o.plan.rate, BurstLimit: o.plan.burst },
        ...(o.plan.quota ? { Quota: { Limit: o.plan.quota, Period: 'DAY' } } : {}),
      },
    };
  }
  if (o.wafPerIp) {
    r.Acl = {
      Type: 'AWS::WAFv2::WebACL',
      Properties: {
        Scope: 'REGIONAL', DefaultAction: { Allow: {} }, VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'acl', SampledRequestsEnabled: true },
        Rules: [{ Name: 'PerIp', Priority: 0, Action: { Block: {} }, VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'ip', SampledRequestsEnabled: true }, Statement: { RateBasedStatement: { Limit: o.wafPerIp.limit, EvaluationWindowSec: o.wafPerIp.window, AggregateKeyType: 'IP' } } }],
      },
    };
    r.AclAssoc = { Type: 'AWS::WAFv2::WebACLAssociation', Properties: { WebACLArn: att('Acl', 'Arn'), ResourceArn: { 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1::/restapis/', ref('Api'), '/stages/', ref('Stage')]] } } };
  }
  if (o.instances) {
    r.Target = { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { MinCapacity: o.instances.min, MaxCapacity: o.instances.max, ResourceId: { 'Fn::Join': ['', ['endpoint/', att('Endpoint', 'EndpointName'), '/variant/AllTraffic']] }, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', ServiceNamespace: 'sagemaker' } };
    if (o.instances.targetPerMinute) {
      r.Policy = {
        Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
        Properties: {
          PolicyName: 'p', PolicyType: 'TargetTrackingScaling', ScalingTargetId: ref('Target'),
          TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, TargetValue: o.instances.targetPerMinute, ScaleOutCooldown: 60, ScaleInCooldown: 600 },
        },
      };
    }
  }
  if (o.jobs) {
    r.Jobs = { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: ref('Api'), ParentId: att('Api', 'RootResourceId'), PathPart: 'jobs' } };
    r.JobsPost = {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: ref('Api'), ResourceId: ref('Jobs'), HttpMethod: 'POST', AuthorizationType: 'NONE', ApiKeyRequired: o.plan !== undefined,
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', att('Admission', 'Arn'), '/invocations']] }, TimeoutInMillis: 11000 },
      },
    };
    r.AdmissionRole = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } } };
    r.Admission = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Handler: 'index.handler', Runtime: 'nodejs20.x', Role: att('AdmissionRole', 'Arn'), Code: { ZipFile: 'x' }, Timeout: 10,
        Environment: { Variables: { KIG_DEPTH_BUDGET: String(o.jobs.depthBudget), KIG_DRAIN_RATE_PER_SECOND: String(o.jobs.drainRate), KIG_RESUME_FRACTION: '0.5' } },
      },
    };
  }
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: r };
}
