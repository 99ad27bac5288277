// The public API: what the jsii assembly (and so the Python package) contains, and what TypeScript
// users import. Everything else under lib/ is internal and may change without notice.

export { InferenceGuardError, type ValidationProblem, type GpuInstanceSpec } from './core';

export {
  ModelSignature, type ModelSignatureProps, type ModelFileSignatureOptions, type SingleTensorSignatureProps, TensorDType, type TensorSpecProps,
} from './model';

export {
  InferenceProfile, type InferenceProfileProps, type LatencyPercentiles, type ProfileProvenance, type PayloadSizeLatency,
  Limits, type DeriveLimitsOptions, type LimitOverrides, type UsagePlanTierSpec, type UsagePlanTierLimits,
  type InferenceLimits, type TimeoutLimits, type ThrottleLimits, type WafLimits, type ScalingLimits, type PayloadLimits, type ModelServerLimits, type AlarmThresholds,
  type QueueLimitOptions, type QueueLimits, type QueueTierSpec, type QueueTierLimits, type BackendCapabilities,
} from './profile';
export { type CostModel } from './core/queue-formulas';

export {
  InferenceApi, type InferenceApiProps, type ManagedRuleGroup, type SyncCostCap,
  type ISyncInferenceTarget, type SyncTargetBindOptions, type SyncTargetBinding,
} from './api';

export { InferenceGuardChecks, type InferenceGuardChecksProps } from './nag';

export {
  ModelArtifact, type ModelArtifactConfig,
  InferenceImage, type InferenceImageConfig, type TensorflowServingDlcOptions, type CustomImageOptions,
  type SageMakerBackendCommonProps, SageMakerRealtimeBackend, type SageMakerRealtimeBackendProps, type InstanceHardware,
  SageMakerAsyncBackend, type SageMakerAsyncBackendProps,
  SageMakerServerlessBackend, type SageMakerServerlessBackendProps, type SageMakerServerlessSizing,
  type IInferenceBackend, type ISyncInferenceBackend, type IAsyncInferenceBackend,
  type SyncWorkerTarget, type AsyncInvocationTarget,
  InferenceCompute, type ComputeBindOptions, type ComputeBinding, type SageMakerComputeOptions, type SageMakerAsyncComputeOptions,
  type SageMakerServerlessComputeOptions, type EcsGpuComputeOptions, type FargateComputeOptions,
} from './compute';

export {
  EcsCapacity, type GpuInstancesOptions, type FargateOptions, GpuCapacityProvider, type GpuCapacityProviderProps,
  ModelServer, type ModelServerBindOptions, type ModelServerContainerConfig, type TensorflowServingOptions, type CustomModelServerOptions, type BatchingParameters,
  ModelSource, type ModelS3Location,
  EcsInferenceTaskBase, type EcsInferenceTaskProps, type EcsInferenceTaskBaseOptions, type EcsTaskSizing, type ExtraContainerSize, type EcsServiceOptions, type EcsTaskAlarmOptions,
  EcsInferenceService, type EcsInferenceServiceProps, EcsQueueWorker, type EcsQueueWorkerProps,
  EcsServiceAlarms, type EcsServiceAlarmsProps, type EcsServiceSteadyState,
  AlbVpcLinkIntegration, type AlbVpcLinkIntegrationProps,
} from './compute/ecs';

export {
  AlarmTopic, type AlarmTopicProps, type AlarmThresholdOverrides,
  GuardAlarms, type GuardAlarmsProps, type GuardAlarmEntry, type IAlarmSource,
} from './alarms';

export { SecurityPosture, type RegulatedPostureOptions } from './security';

export { InferenceAlarms, type InferenceAlarmsProps, KerasInferenceService, type KerasInferenceServiceProps, type KerasJobQueueOptions } from './patterns';

export {
  InferenceQueue, type InferenceQueueProps, type QueueTierApiKeys, type AttachToApiOptions, type JobsApi, JobSubmission, WorkerBackend, type WorkerBackendConfig, type ExternalConsumerOptions,
} from './queue';
