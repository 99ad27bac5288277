import { tensorflowServingBatchingConfig, tensorflowServingFlags } from '../../../lib/compute/ecs';
import { deriveLimits } from '../../../lib/profile';
import { gpuProfile } from './fixtures';

describe('tensorflowServingBatchingConfig', () => {
  test('renders the protobuf text file with a bounded queue', () => {
    expect(tensorflowServingBatchingConfig({ maxBatchSize: 8, batchTimeoutMicros: 1000, maxEnqueuedBatches: 3, numBatchThreads: 4 })).toBe(
      'max_batch_size { value: 8 }\n'
      + 'batch_timeout_micros { value: 1000 }\n'
      + 'max_enqueued_batches { value: 3 }\n'
      + 'num_batch_threads { value: 4 }\n',
    );
  });

  test('refuses an unbounded or fractional queue, naming every field', () => {
    expect(() => tensorflowServingBatchingConfig({ maxBatchSize: 0, batchTimeoutMicros: 1000, maxEnqueuedBatches: 0, numBatchThreads: 1.5 }))
      .toThrow(/maxBatchSize = 0[\s\S]*maxEnqueuedBatches = 0[\s\S]*numBatchThreads = 1.5/);
  });
});

describe('tensorflowServingFlags', () => {
  const profile = gpuProfile();
  const limits = deriveLimits(profile, { maxInstances: 3 });

  test('derives every flag from the profile and its limits', () => {
    const flags = tensorflowServingFlags({
      profile, limits, vcpus: 3.75, gpuCount: 1, gpuMemoryMiB: 24_576, modelName: 'resnet50',
      modelBasePath: '/models/resnet50', port: 8501, batchingFile: '/tmp/b.txt', gpuMemoryMargin: 0.2,
    });
    // max(5 s floor, p99 800 ms x timeoutFactor 3 = 2.4 s) = 5 s
    expect(limits.timeouts.modelServerTimeoutSeconds).toBe(5);
    expect(flags).toEqual([
      '--port=8500',
      '--rest_api_port=8501',
      '--model_name=resnet50',
      '--model_base_path=/models/resnet50',
      '--rest_api_timeout_in_ms=5000',
      '--rest_api_num_threads=8', // 2 x sustainableConcurrency 4
      '--tensorflow_intra_op_parallelism=1', // floor(3 vCPU / 3)
      '--tensorflow_inter_op_parallelism=3', // min(3 vCPU, concurrency 4)
      '--file_system_poll_wait_seconds=0',
      '--per_process_gpu_memory_fraction=0.44', // ceil(9000 x 1.2 / 24576, 2 decimals)
      '--enable_batching=true',
      '--batching_parameters_file=/tmp/b.txt',
    ]);
  });

  test('CPU tasks get no GPU memory fraction, explicit thread pools win', () => {
    const flags = tensorflowServingFlags({
      profile, limits, vcpus: 8, gpuCount: 0, gpuMemoryMiB: 0, modelName: 'm', modelBasePath: '/models/m', port: 8501,
      gpuMemoryMargin: 0.2, interOpParallelism: 2, intraOpParallelism: 4,
    });
    expect(flags).toContain('--tensorflow_inter_op_parallelism=2');
    expect(flags).toContain('--tensorflow_intra_op_parallelism=4');
    expect(flags.some((f) => f.startsWith('--per_process_gpu_memory_fraction'))).toBe(false);
    expect(flags.some((f) => f.startsWith('--enable_batching'))).toBe(false);
  });

  test('a model that does not fit in one GPU is an error', () => {
    expect(() => tensorflowServingFlags({
      profile: gpuProfile({ hardware: 'g4dn.xlarge', peakGpuMemoryMiB: 15_000 }), limits, vcpus: 4, gpuCount: 1, gpuMemoryMiB: 16_384,
      modelName: 'm', modelBasePath: '/models/m', port: 8501, gpuMemoryMargin: 0.2,
    })).toThrow(/profile.peakGpuMemoryMiB = 15000.*one GPU's memory \(16384 MiB\)/);
  });
});
