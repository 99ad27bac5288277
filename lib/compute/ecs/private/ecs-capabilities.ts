import { APIGW_MAX_PAYLOAD_BYTES } from '../../../core/aws-limits';
import type { BackendCapabilities } from '../../../profile/backend-capabilities';
import type { InferenceProfile } from '../../../profile/inference-profile';

/**
 * An ECS service behind the guarded API: the API's payload cap (the model server sets none), no
 * invocation limit of its own (the load balancer's idle timeout is checked when the API binds),
 * at least one task, the profile's throughput per task.
 */
export function ecsServiceCapabilities(profile: InferenceProfile): BackendCapabilities {
  return {
    name: 'ECS service',
    maxPayloadBytes: APIGW_MAX_PAYLOAD_BYTES,
    synchronous: true,
    scalesToZero: false,
    scalingUnit: 'task',
    throughputPerUnitRps: profile.throughputPerInstanceRps,
    concurrencyPerUnit: profile.sustainableConcurrency,
    coldStartSeconds: profile.coldStartSeconds,
  };
}
