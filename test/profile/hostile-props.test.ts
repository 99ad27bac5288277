import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import {
  EcsCapacity, EcsInferenceService, InferenceApi, InferenceImage, SageMakerRealtimeBackend, InferenceQueue, ModelArtifact, ModelServer, ModelSignature,
  ModelSource, SageMakerAsyncBackend, SageMakerServerlessBackend, TensorDType, WorkerBackend,
} from '../../lib';
import { deriveLimits, deriveQueueLimits } from '../../lib/profile';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { gpuProfile, newStack } from '../compute/ecs/fixtures';
import { errorOf, problemsOf } from '../support/errors';
import { profile } from '../support/profiles';
import { SIGNATURE, serviceStack } from '../support/stacks';

const SM = { backend: { name: 'SageMaker', maxPayloadBytes: 6_291_456, invocationTimeoutMs: 60_000, synchronous: true, scalesToZero: false, scalingUnit: 'instance' } };

describe('deriveLimits refuses numbers it cannot derive from', () => {
  const token = Token.asNumber({ Ref: 'MaxInstances' });
  test.each([
    ['maxInstances', { maxInstances: NaN }],
    ['maxInstances', { maxInstances: Infinity }],
    ['maxInstances', { maxInstances: token }],
    ['headroom', { headroom: NaN }],
    ['timeoutFactor', { timeoutFactor: -Infinity }],
    ['targetUtilization', { targetUtilization: NaN }],
    ['overrides.stageRateLimit', { overrides: { stageRateLimit: NaN } }],
    ['overrides.stageBurstLimit', { overrides: { stageBurstLimit: token } }],
    ['overrides.integrationTimeoutMs', { overrides: { integrationTimeoutMs: NaN } }],
    ['overrides.maxPayloadBytes', { overrides: { maxPayloadBytes: Infinity } }],
  ])('%s = %p: one error naming the prop, never a null or token in the limits', (prop, options) => {
    const e = errorOf(() => deriveLimits(profile(), { ...SM, ...options }));
    expect(e.problems.map((p) => p.prop)).toContain(prop);
    expect(e.message).toMatch(/a finite number known at synth time|allowed/);
  });

  test('a token where a number is needed says so, instead of deriving a burst of 1', () => {
    const e = errorOf(() => deriveLimits(profile(), { ...SM, maxInstances: Token.asNumber({ Ref: 'N' }) }));
    expect(e.problems.find((p) => p.prop === 'maxInstances')?.value).toBe('a CDK token (only known at deploy time)');
  });

  test.each([
    ['maxInstances', { maxInstances: 2.5 }],
    ['minInstances', { minInstances: 0.5 }],
    ['maxBatchSize', { maxBatchSize: 1.5 }],
    ['overrides.stageBurstLimit', { overrides: { stageBurstLimit: 10.5 } }],
    ['overrides.integrationTimeoutMs', { overrides: { integrationTimeoutMs: 5_000.5 } }],
    ['overrides.maxPayloadBytes', { overrides: { maxPayloadBytes: 100_000.5 } }],
    ['overrides.wafRateLimitPerIp', { overrides: { wafRateLimitPerIp: 100.5 } }],
  ])('fractional %s is refused', (prop, options) => {
    expect(problemsOf(() => deriveLimits(profile(), { ...SM, ...options }))).toContain(prop);
  });

  test('wafRateLimitPerIp: 10 to 2,000,000,000 (the WAF rate-based rule range)', () => {
    expect(problemsOf(() => deriveLimits(profile(), { ...SM, overrides: { wafRateLimitPerIp: 1e12 } }))).toContain('overrides.wafRateLimitPerIp');
    expect(problemsOf(() => deriveLimits(profile(), { ...SM, overrides: { wafRateLimitPerIp: 2_000_000_001 } }))).toContain('overrides.wafRateLimitPerIp');
    expect(deriveLimits(profile(), { ...SM, overrides: { wafRateLimitPerIp: 2_000_000_000 } }).waf.rateLimitPerIp).toBe(2_000_000_000);
  });

  test('usagePlanTiers that is not a list is an error, not a TypeError', () => {
    expect(problemsOf(() => deriveLimits(profile(), { ...SM, usagePlanTiers: 'basic' as never }))).toContain('usagePlanTiers');
  });

  test('every problem of every option is listed in one error', () => {
    const e = errorOf(() => deriveLimits(profile(), { ...SM, maxInstances: NaN, headroom: 7, overrides: { wafRateLimitPerIp: 1e12, stageBurstLimit: 0.5 } }));
    expect(e.problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['maxInstances', 'headroom', 'overrides.wafRateLimitPerIp', 'overrides.stageBurstLimit']));
  });
});

describe('construct props', () => {
  test('KerasInferenceService: instance type, limit and queue problems in one error', () => {
    const e = errorOf(() => serviceStack({ maxInstances: 0.5, headroom: NaN, jobQueue: { limits: { maxReceiveCount: 100 } } }, { hardware: 'g5.xlarge' }));
    expect(e.problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['instanceType', 'maxInstances', 'headroom', 'maxReceiveCount']));
  });

  test('InferenceQueue: maxReceiveCount 100 is refused as the review rule would (1..10); queue and limit problems together', () => {
    expect(problemsOf(() => deriveQueueLimits(profile(), { maxReceiveCount: 100 }))).toContain('maxReceiveCount');
    const stack = new Stack(new App(), 'Q');
    const e = errorOf(() => new InferenceQueue(stack, 'Jobs', {
      profile: profile(), signature: SIGNATURE, backend: WorkerBackend.sageMakerEndpointByName('ep'),
      limits: { maxReceiveCount: 100 }, resultInlineMaxBytes: 0,
    }));
    expect(e.problems.map((p) => p.prop)).toEqual(expect.arrayContaining(['maxReceiveCount', 'resultInlineMaxBytes']));
    expect(e.message).toMatch(/InferenceGuard-SQSDeadLetterQueue/);
  });

  test('InferenceApi: an invalid stage name is refused', () => {
    const { service } = serviceStack();
    for (const stageName of ['prod stage', '', 'x'.repeat(129), 'prod/v1']) {
      const stack = new Stack(new App(), 'X');
      expect(problemsOf(() => new InferenceApi(stack, 'A', { target: service.syncBackend!, limits: service.limits, signature: SIGNATURE, stageName }))).toContain('stageName');
    }
  });

  test('SageMakerAsyncBackend: resultRetention must be whole days, at least 1', () => {
    const make = (resultRetention: Duration) => new SageMakerAsyncBackend(new Stack(new App(), 'A'), 'Async', {
      model: ModelArtifact.fromS3Uri('s3://models-bucket/m.tar.gz'), profile: profile(), instanceType: 'ml.g5.xlarge', maxInstances: 2, resultRetention,
    });
    expect(problemsOf(() => make(Duration.days(0)))).toContain('resultRetention');
    expect(problemsOf(() => make(Duration.hours(1)))).toContain('resultRetention');
    expect(() => make(Duration.days(3))).not.toThrow();
  });

  test('EcsInferenceService on EC2: cpu 0 and fractional cpu are refused', () => {
    const server = () => ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'm', model: ModelSource.inImage('/opt/models/m') });
    for (const cpu of [0, 64, 1000.5]) {
      expect(problemsOf(() => new EcsInferenceService(newStack(), 'Svc', {
        profile: gpuProfile(), modelServer: server(), capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }), maxTasks: 2, cpu,
      }))).toContain('cpu');
    }
  });

  test('SageMaker: host memory is checked on CPU instance types too', () => {
    const make = (instanceType: string, peakHostMemoryMiB: number) => {
      const p = profile({ hardware: instanceType, peakHostMemoryMiB, peakGpuMemoryMiB: 0 });
      return new SageMakerRealtimeBackend(new Stack(new App(), 'S'), 'Backend', {
        model: ModelArtifact.fromS3Uri('s3://models-bucket/m.tar.gz'), profile: p, limits: deriveLimits(p, { maxInstances: 2 }),
        instanceType, image: InferenceImage.tensorflowServingDlc({ gpu: false }),
      });
    };
    // ml.m5.large: 2 vCPU x 4 GiB; ml.c5.xlarge: 4 vCPU x 2 GiB.
    expect(problemsOf(() => make('ml.m5.large', 9_000))).toContain('profile.peakHostMemoryMiB');
    expect(problemsOf(() => make('ml.c5.xlarge', 8_500))).toContain('profile.peakHostMemoryMiB');
    expect(() => make('ml.r5.large', 9_000)).not.toThrow();
  });

  test('ModelSignature: duplicate input names are refused', () => {
    const e = errorOf(() => ModelSignature.of({
      inputs: [{ name: 'x', dtype: TensorDType.FLOAT32, shape: [2] }, { name: 'x', dtype: TensorDType.INT8, shape: [1] }], maxBatchSize: 2,
    }));
    expect(e.problems.map((p) => p.prop)).toEqual(['signature.inputs[1].name']);
  });
});

describe('request schema: numbers are finite and within the dtype range', () => {
  const check = (dtype: TensorDType, value: number | boolean | string) =>
    compileRequestSchema(ModelSignature.singleTensor({ dtype, shape: [1], maxBatchSize: 1 }).toJsonSchema())({ instances: [[value]] });
  test.each(([
    [TensorDType.FLOAT16, 65504, 65505],
    [TensorDType.FLOAT32, 3.4e38, 1e39],
    [TensorDType.FLOAT32, -3.4e38, -Infinity],
    [TensorDType.FLOAT64, 1e308, Infinity],
    [TensorDType.INT8, -128, 128],
    [TensorDType.INT16, 32767, 32768],
    [TensorDType.UINT8, 255, -1],
    [TensorDType.INT32, 2147483647, 2147483648],
    [TensorDType.INT64, 9007199254740991, 9007199254740992],
    [TensorDType.INT32, 7, 7.5],
  ] as const).map(([d, ok, bad]) => [d.name, d, ok, bad] as const))('%s accepts %p, refuses %p', (_name, dtype, ok, bad) => {
    expect(check(dtype, ok)).toEqual([]);
    expect(check(dtype, bad).length).toBeGreaterThan(0);
  });
  test('bool takes true/false only', () => {
    expect(check(TensorDType.BOOL, true)).toEqual([]);
    expect(check(TensorDType.BOOL, 'true').length).toBeGreaterThan(0);
    expect(check(TensorDType.BOOL, 1).length).toBeGreaterThan(0);
  });
  test('1e400 parses to Infinity and is refused for every number type', () => {
    const parsed = JSON.parse('{"instances": [[1e400]]}');
    for (const dtype of [TensorDType.FLOAT16, TensorDType.FLOAT32, TensorDType.FLOAT64, TensorDType.INT64]) {
      expect(compileRequestSchema(ModelSignature.singleTensor({ dtype, shape: [1], maxBatchSize: 1 }).toJsonSchema())(parsed).length).toBeGreaterThan(0);
    }
  });
});

describe('props that would reach the template as garbage are refused with the prop named', () => {
  const token = () => Token.asNumber({ Ref: 'Concurrency' });

  test.each(['sustainableConcurrency', 'throughputPerInstanceRps', 'peakHostMemoryMiB', 'coldStartSeconds', 'maxRequestBytes'])(
    'a CDK token as the profile number %s is refused (it would be used as about -1.9e289)', (key) => {
      const e = errorOf(() => profile({ [key]: token() }));
      const p = e.problems.find((x) => x.prop === key)!;
      expect(p.value).toBe('a CDK token (only known at deploy time)');
      expect(p.fix).toContain('derived from the profile at synth time');
      expect(e.problems.filter((x) => x.prop === key)).toHaveLength(1);
    });

  test('a token latency percentile and a token hardware name are refused too', () => {
    const e = errorOf(() => profile({ latencyMs: { p50: token(), p90: 26, p99: 41 }, hardware: Token.asString({ Ref: 'Hw' }) }));
    expect(e.problems.map((p) => p.prop).sort()).toEqual(['hardware', 'latencyMs.p50']);
  });

  /** Limits as a user might build or edit them by hand. */
  const edited = (edit: (l: any) => void) => {
    const l = structuredClone(deriveLimits(profile(), { ...SM, maxInstances: 3 })) as any;
    edit(l);
    return l;
  };
  const api = (limits: any) => {
    const { service } = serviceStack();
    return new InferenceApi(new Stack(new App(), 'X'), 'A', { target: service.syncBackend!, limits, signature: SIGNATURE });
  };
  const realtime = (limits: any) => new SageMakerRealtimeBackend(newStack(), 'B', {
    model: ModelArtifact.fromS3Uri('s3://models-bucket/m/model.tar.gz'), profile: profile(), limits, instanceType: 'ml.g5.xlarge',
  });

  test('InferenceApi: NaN throttle rate, a negative burst and an unsupported WAF window, every one once, in one error', () => {
    const e = errorOf(() => api(edited((l) => { l.throttle.rateLimit = NaN; l.throttle.burstLimit = -5; l.waf.windowSeconds = 90; })));
    expect(e.problems.map((p) => [p.prop, p.value])).toEqual([
      ['limits.throttle.rateLimit', 'NaN'], ['limits.throttle.burstLimit', '-5'], ['limits.waf.windowSeconds', '90'],
    ]);
    expect(e.problems[2].allowed).toBe('60, 120, 300, 600');
  });

  test('SageMakerRealtimeBackend: NaN maxInstances, a negative scaling target and a token timeout, once each, and no second report from the backend checks', () => {
    const e = errorOf(() => realtime(edited((l) => {
      l.scaling.maxInstances = NaN; l.scaling.targetInvocationsPerInstancePerMinute = -5; l.timeouts.modelServerTimeoutSeconds = token();
    })));
    expect(e.problems.map((p) => p.prop)).toEqual(['limits.timeouts.modelServerTimeoutSeconds', 'limits.scaling.maxInstances', 'limits.scaling.targetInvocationsPerInstancePerMinute']);
    expect(e.problems[0].value).toBe('a CDK token (only known at deploy time)');
    expect(e.problems[2].allowed).toBe('a number > 0');
  });

  test('minInstances above maxInstances and an unnamed usage-plan tier', () => {
    const e = errorOf(() => api(edited((l) => { l.scaling.minInstances = 5; l.usagePlanTiers = [{ name: ' ', rateLimit: 1, burstLimit: 1, quotaPerDay: 10 }]; })));
    expect(e.problems.map((p) => p.prop)).toEqual(['limits.scaling.minInstances', 'limits.usagePlanTiers[0].name']);
  });

  test('EcsInferenceService and SageMakerServerlessBackend refuse hand-built limits the same way', () => {
    const ecs = errorOf(() => new EcsInferenceService(newStack(), 'S', {
      profile: gpuProfile(), capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }), limits: edited((l) => { l.scaling.maxInstances = NaN; }),
      modelServer: ModelServer.tensorflowServing({ version: '2.19.0', modelName: 'm', model: ModelSource.inImage('/opt/models/m') }),
    }));
    expect(ecs.problems.map((p) => p.prop)).toEqual(['limits.scaling.maxInstances']);
    const cpu = profile({ hardware: 'ml.c5.xlarge', peakGpuMemoryMiB: 0 });
    const serverless = errorOf(() => new SageMakerServerlessBackend(newStack(), 'S', {
      model: ModelArtifact.fromS3Uri('s3://models-bucket/m/model.tar.gz'), profile: cpu,
      limits: edited((l) => { l.scaling.maxInstances = NaN; l.scaling.minInstances = -1; }),
    }));
    // Once each: the backend's own MaxConcurrency and provisioned-concurrency checks do not report them again.
    expect(serverless.problems.map((p) => p.prop)).toEqual(['limits.scaling.minInstances', 'limits.scaling.maxInstances']);
  });

  test('derived limits pass the same check (no false alarm on what Limits.derive produces)', () => {
    expect(() => api(edited(() => undefined))).not.toThrow();
    expect(() => realtime(edited(() => undefined))).not.toThrow();
  });

  test('managedRuleGroups: an empty, malformed or repeated name is refused', () => {
    const { service } = serviceStack();
    const build = (managedRuleGroups: any) => new InferenceApi(new Stack(new App(), 'X'), 'A', { target: service.syncBackend!, limits: service.limits, signature: SIGNATURE, managedRuleGroups });
    const e = errorOf(() => build([{ name: '' }, { name: 'Known Bad Inputs' }, { name: 'AWSManagedRulesCommonRuleSet', vendor: '  ' }, { name: 'AWSManagedRulesCommonRuleSet' }]));
    expect(e.problems.map((p) => [p.prop, p.value])).toEqual([
      ['managedRuleGroups[0].name', '""'], ['managedRuleGroups[1].name', '"Known Bad Inputs"'], ['managedRuleGroups[2].vendor', '"  "'], ['managedRuleGroups[3].name', '"AWSManagedRulesCommonRuleSet"'],
    ]);
    expect(() => build([{ name: 'AWSManagedRulesKnownBadInputsRuleSet' }])).not.toThrow();
  });

  test('ModelSignature.singleTensor without a dtype is a clear error naming it, not a TypeError from toJsonSchema()', () => {
    const e = errorOf(() => ModelSignature.singleTensor({ dtype: undefined as never, shape: [4], maxBatchSize: 2 }).toJsonSchema());
    expect(e.problems.map((p) => [p.prop, p.value])).toEqual([['signature.inputs[0].dtype', 'undefined']]);
    expect(e.problems[0].allowed).toMatch(/TensorDType/);
  });
});
