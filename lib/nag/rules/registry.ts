import { InferenceGuardRule } from '../rule';
import { APIAccessLogging } from './apigw/APIAccessLogging';
import { APIIntegrationTimeout } from './apigw/APIIntegrationTimeout';
import { APIKeyUsagePlan } from './apigw/APIKeyUsagePlan';
import { APIRequestValidation } from './apigw/APIRequestValidation';
import { APIStageThrottling } from './apigw/APIStageThrottling';
import { APITimeoutChain } from './apigw/APITimeoutChain';
import { APIUsagePlanLimits } from './apigw/APIUsagePlanLimits';
import { APIWAFRateLimit } from './apigw/APIWAFRateLimit';
import { HTTPAPIEdgeProtection } from './apigwv2/HTTPAPIEdgeProtection';
import { HTTPAPIIntegrationTimeout } from './apigwv2/HTTPAPIIntegrationTimeout';
import { HTTPAPIRouteAuthorization } from './apigwv2/HTTPAPIRouteAuthorization';
import { HTTPAPIStageThrottling } from './apigwv2/HTTPAPIStageThrottling';
import { AlarmAPI5XX } from './cloudwatch/AlarmAPI5XX';
import { AlarmActions } from './cloudwatch/AlarmActions';
import { AlarmEntryPoint } from './cloudwatch/AlarmEntryPoint';
import { AlarmComputeHealth } from './cloudwatch/AlarmComputeHealth';
import { AlarmDLQDepth } from './cloudwatch/AlarmDLQDepth';
import { LogGroupRetention } from './cloudwatch/LogGroupRetention';
import { ALBAccessLogging } from './elb/ALBAccessLogging';
import { ALBWAFRateLimit } from './elb/ALBWAFRateLimit';
import { LambdaAPITimeout } from './lambda/LambdaAPITimeout';
import { LambdaConcurrencyCap } from './lambda/LambdaConcurrencyCap';
import { LambdaFunctionURLAuth } from './lambda/LambdaFunctionURLAuth';
import { LambdaLogRetention } from './lambda/LambdaLogRetention';
import { ECSContainerLimits } from './ecs/ECSContainerLimits';
import { ECSGPUCount } from './ecs/ECSGPUCount';
import { ECSServiceScaling } from './ecs/ECSServiceScaling';
import { SageMakerAsyncConcurrency } from './sagemaker/SageMakerAsyncConcurrency';
import { SageMakerAsyncScalingMetric } from './sagemaker/SageMakerAsyncScalingMetric';
import { SageMakerServerlessConcurrency } from './sagemaker/SageMakerServerlessConcurrency';
import { SageMakerVariantScaling } from './sagemaker/SageMakerVariantScaling';
import { SQSConsumerConcurrency } from './sqs/SQSConsumerConcurrency';
import { SQSDeadLetterQueue } from './sqs/SQSDeadLetterQueue';
import { SQSDeadLetterRetention } from './sqs/SQSDeadLetterRetention';
import { SQSVisibilityTimeout } from './sqs/SQSVisibilityTimeout';
import { SQSWorkerVisibilityTimeout } from './sqs/SQSWorkerVisibilityTimeout';

export { EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY } from './apigw/timeouts';
export { MAX_RECEIVE_COUNT_BOUND } from './sqs/SQSDeadLetterQueue';

/** Every rule of the InferenceGuard pack, in the order RULES.md lists them. */
export const INFERENCE_GUARD_RULES: readonly InferenceGuardRule[] = [
  APIStageThrottling,
  APIUsagePlanLimits,
  APIKeyUsagePlan,
  APIWAFRateLimit,
  APIIntegrationTimeout,
  APITimeoutChain,
  APIRequestValidation,
  APIAccessLogging,
  HTTPAPIStageThrottling,
  HTTPAPIEdgeProtection,
  HTTPAPIRouteAuthorization,
  HTTPAPIIntegrationTimeout,
  LambdaFunctionURLAuth,
  LambdaConcurrencyCap,
  LambdaAPITimeout,
  LambdaLogRetention,
  ALBWAFRateLimit,
  ALBAccessLogging,
  SQSDeadLetterQueue,
  SQSDeadLetterRetention,
  SQSVisibilityTimeout,
  SQSConsumerConcurrency,
  SQSWorkerVisibilityTimeout,
  ECSContainerLimits,
  ECSGPUCount,
  ECSServiceScaling,
  SageMakerVariantScaling,
  SageMakerAsyncConcurrency,
  SageMakerServerlessConcurrency,
  SageMakerAsyncScalingMetric,
  AlarmDLQDepth,
  AlarmAPI5XX,
  AlarmComputeHealth,
  AlarmEntryPoint,
  AlarmActions,
  LogGroupRetention,
];
