import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  InferenceCompute, InferenceImage, InferenceProfile, InferenceProfileProps, KerasInferenceService, KerasInferenceServiceProps, ModelArtifact,
  SageMakerServerlessBackend, Limits,
} from '../../lib';
import { errorOf } from '../support/errors';
import { SIGNATURE } from '../support/stacks';

/** A small Keras CNN measured on a CPU instance (serverless endpoints have no GPU). */
const CPU_PROFILE: InferenceProfileProps = {
  model: 'mnist-cnn', hardware: 'ml.c5.xlarge', latencyMs: { p50: 25, p90: 40, p99: 60 }, sustainableConcurrency: 4, throughputPerInstanceRps: 60,
  peakHostMemoryMiB: 1400, peakGpuMemoryMiB: 0, coldStartSeconds: 40, maxRequestBytes: 120_000,
};
const cpuProfile = (o: Partial<InferenceProfileProps> = {}) => InferenceProfile.of({ ...CPU_PROFILE, ...o });
const MODEL = ModelArtifact.fromS3Uri('s3://models-bucket/mnist/model.tar.gz');

function service(props: Partial<KerasInferenceServiceProps> = {}, sizing: { memorySizeMb?: number; maxCostPerHourUsd?: number } = {}) {
  const stack = new Stack(new App(), 'Serverless');
  const svc = new KerasInferenceService(stack, 'Svc', {
    profile: cpuProfile(), compute: InferenceCompute.sageMakerServerless({ model: MODEL, ...sizing }), signature: SIGNATURE, ...props,
  });
  return { svc, template: Template.fromStack(stack) };
}

describe('SageMaker Serverless through KerasInferenceService', () => {
  test('a serverless variant: memory from the profile, MaxConcurrency from the cost ceiling, no instance settings', () => {
    const { svc, template } = service();
    // 1.2 x 1400 MiB = 1680 -> the 2048 MB step; $2/h / (2 GB x $0.00002/GB-s x 3600 s) = 13.9 -> 13.
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 13 }, InstanceType: Match.absent(), InitialInstanceCount: Match.absent() })],
      KmsKeyId: Match.absent(),
    });
    expect(svc.limits.scaling.maxInstances).toBe(13);
    expect(svc.limits.formulas['scaling.maxInstances']).toContain('MaxConcurrency = clamp(1..200');
    // One request at a time per concurrent invocation: the stage rate is 13 x 1000 / 25 ms x 0.8.
    expect(svc.limits.throttle.rateLimit).toBe(416);
    expect(svc.limits.payload.maxBodyBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    // The same guarded API as every synchronous compute, straight to InvokeEndpoint.
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', Integration: Match.objectLike({ Uri: Match.objectLike({}) }) });
    expect(svc.api).toBeDefined();
    expect(svc.syncBackend).toBeInstanceOf(SageMakerServerlessBackend);
  });

  test('the model is not network-isolated: serverless endpoints do not support network isolation (nor a VPC)', () => {
    const { template } = service();
    const models = Object.values(template.findResources('AWS::SageMaker::Model'));
    expect(models).toHaveLength(1);
    expect(models[0].Properties.EnableNetworkIsolation).toBeUndefined();
    expect(models[0].Properties.VpcConfig).toBeUndefined();
  });

  test('maxInstances is MaxConcurrency and minInstances is the provisioned concurrency', () => {
    const { template } = service({ minInstances: 2, maxInstances: 20 }, { memorySizeMb: 3072 });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 20, ProvisionedConcurrency: 2 } })],
    });
  });

  test('alarms only on metrics serverless endpoints publish, with EndpointName and VariantName', () => {
    const { template } = service({ maxInstances: 10 });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const sageMaker = alarms.flatMap((p) => (p.Metrics ?? []).map((m: any) => m.MetricStat?.Metric)).filter((m) => m?.Namespace === 'AWS/SageMaker');
    expect(sageMaker.map((m) => m.MetricName).sort()).toEqual(['Invocation5XXErrors', 'ModelLatency']);
    for (const m of sageMaker) expect(m.Dimensions.map((d: { Name: string }) => d.Name).sort()).toEqual(['EndpointName', 'VariantName']);
    // The one instance-namespace metric serverless endpoints publish (serverless-endpoints-monitoring.html): memory.
    const instance = alarms.flatMap((p) => (p.Metrics ?? []).map((m: any) => m.MetricStat)).filter((m) => m?.Metric?.Namespace === '/aws/sagemaker/Endpoints');
    expect(instance.map((m) => [m.Metric.MetricName, m.Stat, m.Metric.Dimensions.map((d: { Name: string }) => d.Name).sort()]))
      .toEqual([['MemoryUtilization', 'Maximum', ['EndpointName', 'VariantName']]]);
    // No CPU, GPU or per-instance metric: serverless endpoints publish none.
    expect(JSON.stringify(alarms)).not.toMatch(/CPUUtilization|GPUUtilization|GPUMemoryUtilization|InvocationsPerInstance/);
  });

  test('memory is alarmed where it means saturation: above the threshold of the memory size, never breached at rest', () => {
    const { svc, template } = service({ maxInstances: 10 });
    const backend = svc.syncBackend as SageMakerServerlessBackend;
    const entry = backend.alarms.saturation.find((a) => a.node.id === 'MemoryUtilization');
    expect(entry).toBeDefined();
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => JSON.stringify(a.Properties).includes('"MemoryUtilization"'));
    expect(alarm.Properties).toEqual(expect.objectContaining({ Threshold: 85, EvaluationPeriods: 5, ComparisonOperator: 'GreaterThanThreshold' }));
    expect(alarm.Properties.Metrics[0].MetricStat).toEqual(expect.objectContaining({ Stat: 'Maximum' }));
    expect(alarm.Properties.Metrics[0].MetricStat.Metric.Namespace).toBe('/aws/sagemaker/Endpoints');
    // 1400 MiB peak of the 2048 MB memory size: 68.4 % at rest, under the 85 % threshold.
    expect(alarm.Metadata['KerasInferenceGuard::Alarm']).toEqual(expect.objectContaining({ unit: 'Percent', atRest: 68.4 }));
  });
});

describe('SageMaker Serverless validation: every problem named, collected, thrown once', () => {
  test('memory must be a 1 GB step from 1024 to 6144 MB', () => {
    for (const memorySizeMb of [1000, 1536, 7168, 512]) {
      const e = errorOf(() => service({}, { memorySizeMb }));
      const p = e.problems.find((x) => x.prop === 'memorySizeMb')!;
      expect(p.value).toBe(String(memorySizeMb));
      expect(p.allowed).toBe('1024, 2048, 3072, 4096, 5120, 6144');
      expect(p.fix).toMatch(/1 GB step/);
    }
    expect(() => service({}, { memorySizeMb: 6144 })).not.toThrow();
  });

  test('memory below the profiled peak is an error', () => {
    const e = errorOf(() => service({}, { memorySizeMb: 1024 }));
    expect(e.problems.map((p) => [p.prop, p.allowed])).toContainEqual(['memorySizeMb', ">= the profile's peak host memory (1400 MiB)"]);
  });

  test('MaxConcurrency is 1-200', () => {
    const e = errorOf(() => service({ maxInstances: 201 }));
    const p = e.problems.find((x) => x.prop === 'maxInstances')!;
    expect(p.value).toBe('201');
    expect(p.allowed).toMatch(/1\.\.200|1 to 200|<= 200/);
    expect(p.fix).toMatch(/at most 200 concurrent invocations/);
    expect(errorOf(() => service({ maxInstances: 0 })).problems.map((x) => x.prop)).toContain('maxInstances');
    expect(() => service({ maxInstances: 200 })).not.toThrow();
  });

  test('a GPU profile is an error: serverless endpoints have no GPU', () => {
    const stack = new Stack(new App(), 'Gpu');
    const e = errorOf(() => new KerasInferenceService(stack, 'Svc', {
      profile: InferenceProfile.of({ ...CPU_PROFILE, hardware: 'ml.g5.xlarge', peakGpuMemoryMiB: 2000 }),
      compute: InferenceCompute.sageMakerServerless({ model: MODEL }), signature: SIGNATURE,
    }));
    const p = e.problems.find((x) => x.prop === 'profile.hardware')!;
    expect(p.value).toBe('"ml.g5.xlarge (peakGpuMemoryMiB 2000)"');
    expect(p.allowed).toMatch(/no GPU/);
    expect(p.fix).toMatch(/InferenceCompute.sageMakerRealtime/);
  });

  test('a GPU image is an error on the backend', () => {
    const stack = new Stack(new App(), 'GpuImage');
    const profile = cpuProfile();
    const limits = Limits.derive(profile, { backend: SageMakerServerlessBackend.capabilitiesFor(profile) });
    const e = errorOf(() => new SageMakerServerlessBackend(stack, 'B', { profile, limits, model: MODEL, image: InferenceImage.tensorflowServingDlc() }));
    expect(e.problems.map((p) => p.prop)).toEqual(['image']);
  });

  test('a payload over 4 MB is an error that names the serverless limit', () => {
    const e = errorOf(() => new KerasInferenceService(new Stack(new App(), 'Big'), 'Svc', {
      profile: cpuProfile({ maxRequestBytes: 5_000_000 }), compute: InferenceCompute.sageMakerServerless({ model: MODEL }), signature: SIGNATURE,
    }));
    const p = e.problems.find((x) => x.prop === 'payload.maxBodyBytes')!;
    expect(p.value).toBe('4194304');
    expect(p.allowed).toBe(">= the profile's largest request (5000000 bytes)");
    expect(p.fix).toBe('4194304 bytes is the SageMaker serverless endpoint\'s hard limit: send requests this large through the async path (S3 claim check), or make them smaller');
  });

  test('a timeout chain over 60 s is an error that names both ends', () => {
    const e = errorOf(() => service({ allowExtendedIntegrationTimeout: true, limitOverrides: { integrationTimeoutMs: 90_000 } }));
    const p = e.problems.find((x) => x.prop === 'integrationTimeout -> SageMaker serverless endpoint')!;
    expect(p.value).toBe('integration 90000 ms > SageMaker serverless endpoint 60000 ms');
    // A profile whose p99 does not fit under 60 s cannot be served synchronously at all.
    const slow = errorOf(() => new KerasInferenceService(new Stack(new App(), 'Slow'), 'Svc', {
      profile: cpuProfile({ latencyMs: { p50: 40_000, p90: 55_000, p99: 70_000 } }), compute: InferenceCompute.sageMakerServerless({ model: MODEL }),
      signature: SIGNATURE, allowExtendedIntegrationTimeout: true,
    }));
    expect(slow.problems.map((x) => x.prop)).toContain('profile.latencyMs.p99');
  });

  test('a cold start over the 3-minute serverless startup limit is an error', () => {
    const e = errorOf(() => new KerasInferenceService(new Stack(new App(), 'Cold'), 'Svc', {
      profile: cpuProfile({ coldStartSeconds: 240 }), compute: InferenceCompute.sageMakerServerless({ model: MODEL }), signature: SIGNATURE,
    }));
    expect(e.problems.find((x) => x.prop === 'profile.coldStartSeconds')!.allowed).toMatch(/<= 180 s/);
  });

  test('every problem of every pass in one error', () => {
    const e = errorOf(() => new KerasInferenceService(new Stack(new App(), 'All'), 'Svc', {
      profile: InferenceProfile.of({ ...CPU_PROFILE, hardware: 'ml.g5.xlarge', peakGpuMemoryMiB: 100, maxRequestBytes: 5_000_000 }),
      compute: InferenceCompute.sageMakerServerless({ model: MODEL, memorySizeMb: 1500 }), signature: SIGNATURE, maxInstances: 500,
    }));
    const props = e.problems.map((p) => p.prop);
    for (const prop of ['profile.hardware', 'memorySizeMb', 'maxInstances', 'payload.maxBodyBytes']) expect(props).toContain(prop);
    expect(e.message).toContain('memorySizeMb');
    expect(e.message).toContain('maxInstances');
  });
});
