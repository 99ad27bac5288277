/**
 * Wiring an asynchronous backend where a synchronous one belongs must not compile. `tsc --noEmit`
 * (npm test) checks every `@ts-expect-error` below is still an error; wrong-wiring.test.ts
 * compiles this file without the directives and checks each line fails for the right reason.
 */
import { App, Stack } from 'aws-cdk-lib';
import {
  InferenceApi, InferenceProfile, InferenceQueue, ModelArtifact, ModelSignature, SageMakerAsyncBackend, TensorDType, WorkerBackend, Limits,
} from '../../lib';
import type { ISyncInferenceBackend } from '../../lib';

const stack = new Stack(new App(), 'WrongWiring');
const profile = InferenceProfile.of({
  model: 'm', hardware: 'ml.g5.xlarge', latencyMs: { p50: 40, p90: 60, p99: 100 }, sustainableConcurrency: 4, throughputPerInstanceRps: 40,
  peakHostMemoryMiB: 2000, peakGpuMemoryMiB: 2000, coldStartSeconds: 60, maxRequestBytes: 100_000,
});
const signature = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [4], maxBatchSize: 4 });
const asyncBackend = new SageMakerAsyncBackend(stack, 'Async', { profile, model: ModelArtifact.fromS3Uri('s3://b/m.tar.gz'), instanceType: 'ml.g5.xlarge' });
const limits = Limits.derive(profile, { backend: SageMakerAsyncBackend.capabilitiesFor(profile) });

// An asynchronous endpoint behind the synchronous POST /predict integration:
// @ts-expect-error WRONG-API: SageMakerAsyncBackend has no bindSync
new InferenceApi(stack, 'Api', { target: asyncBackend, limits, signature });

// An asynchronous endpoint given to the synchronous queue worker:
// @ts-expect-error WRONG-WORKER: SageMakerAsyncBackend has no bindWorker
new InferenceQueue(stack, 'Jobs', { profile, signature, backend: WorkerBackend.fromBackend(asyncBackend) });

// The same through the interface type:
// @ts-expect-error WRONG-ASSIGN: an async backend is not a synchronous one
export const sync: ISyncInferenceBackend = asyncBackend;
