import * as fs from 'fs';
import * as zlib from 'zlib';
import { App, Stack, aws_kms as kms } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as tar from 'tar';
import {
  InferenceImage, ModelArtifact, SageMakerRealtimeBackend, SageMakerRealtimeBackendProps,
} from '../../lib';
import { dlcAccountFor, packSavedModel } from '../../lib/compute';
import { deriveLimits } from '../../lib/profile';
import { profile } from '../support/profiles';
import { problemsOf } from '../support/errors';

const FIXTURE = `${__dirname}/../support/fixtures/saved-model`;

function backend(props: Partial<SageMakerRealtimeBackendProps> = {}, region?: string) {
  const app = new App();
  const stack = new Stack(app, 'S', region ? { env: { region, account: '111111111111' } } : undefined);
  const p = props.profile ?? profile();
  const b = new SageMakerRealtimeBackend(stack, 'Backend', {
    model: ModelArtifact.fromS3Uri('s3://models-bucket/mnist/model.tar.gz'),
    profile: p,
    limits: props.limits ?? deriveLimits(p, { maxInstances: 3 }),
    instanceType: 'ml.g5.xlarge',
    ...props,
  });
  return { stack, b, template: Template.fromStack(stack) };
}


describe('SageMakerRealtimeBackend template', () => {
  const { template } = backend();

  test('TF Serving settings come from the limits, as variables the container reads without an inference.py', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      PrimaryContainer: {
        ModelDataUrl: 's3://models-bucket/mnist/model.tar.gz',
        Environment: {
          SAGEMAKER_NGINX_PROXY_READ_TIMEOUT_SECONDS: '5',
          SAGEMAKER_TFS_ENABLE_BATCHING: 'true',
          SAGEMAKER_TFS_MAX_BATCH_SIZE: '8',
          SAGEMAKER_TFS_BATCH_TIMEOUT_MICROS: '1000',
          SAGEMAKER_TFS_MAX_ENQUEUED_BATCHES: String(Math.floor(5000 / 41)),
          // ceil(sustainable concurrency / batch size) batches in flight
          SAGEMAKER_TFS_NUM_BATCH_THREADS: String(Math.ceil(profile().sustainableConcurrency / 8)),
          SAGEMAKER_TFS_INTRA_OP_PARALLELISM: '4',
          SAGEMAKER_TFS_INTER_OP_PARALLELISM: '2',
        },
      },
    });
    const env = Object.values(template.findResources('AWS::SageMaker::Model'))[0].Properties.PrimaryContainer.Environment;
    expect(Object.keys(env).filter((k) => k.startsWith('SAGEMAKER_MODEL_SERVER'))).toEqual([]);
    // gunicorn only runs with an inference.py: its variables would claim a bound that does not exist.
    expect(Object.keys(env).filter((k) => k.startsWith('SAGEMAKER_GUNICORN'))).toEqual([]);
  });

  test('without server-side batching the batch queue is still bounded (batches of one)', () => {
    const { template: t } = backend({ limits: deriveLimits(profile(), { maxInstances: 3, maxBatchSize: 1 }) });
    const env = Object.values(t.findResources('AWS::SageMaker::Model'))[0].Properties.PrimaryContainer.Environment;
    expect(env).toEqual(expect.objectContaining({
      SAGEMAKER_TFS_ENABLE_BATCHING: 'true', SAGEMAKER_TFS_MAX_BATCH_SIZE: '1',
      SAGEMAKER_TFS_NUM_BATCH_THREADS: String(profile().sustainableConcurrency),
    }));
  });

  test('image is the TF Serving GPU DLC resolved per Region through a mapping', () => {
    const model = Object.values(template.findResources('AWS::SageMaker::Model'))[0];
    // The newest TensorFlow Serving DLC (2.20, Amazon Linux 2023; aws/deep-learning-containers changelog 2026-08-20).
    expect(JSON.stringify(model.Properties.PrimaryContainer.Image)).toContain('tensorflow-inference:2.20.0-gpu-py312-cu129-amzn2023-sagemaker');
    const mapping = template.toJSON().Mappings.KerasInferenceGuardDlcAccounts;
    expect(mapping['us-east-1'].account).toBe('763104351884');
    expect(mapping['af-south-1'].account).toBe('626614931356');
    expect(mapping['me-central-1'].account).toBe('914824155844');
    // Regions whose DLC account is not the common one (docs/reference/region_availability.md).
    expect(mapping['ca-west-1'].account).toBe('204538143572');
    expect(mapping['mx-central-1'].account).toBe('637423239942');
    expect(mapping['eu-central-2'].account).toBe('380420809688');
    expect(mapping['eu-south-2'].account).toBe('503227376785');
    expect(mapping['il-central-1'].account).toBe('780543022126');
    expect(mapping['ap-south-2'].account).toBe('772153158452');
    expect(mapping['ap-southeast-4'].account).toBe('457447274322');
    expect(mapping['ap-southeast-5'].account).toBe('550225433462');
    expect(mapping['ap-southeast-7'].account).toBe('590183813437');
    expect(mapping['ap-east-2'].account).toBe('975050140332');
    expect(mapping['ap-southeast-6'].account).toBe('633930458069');
  });

  test('a Region without Deep Learning Containers is refused instead of guessed', () => {
    expect(() => dlcAccountFor('xx-nowhere-1')).toThrow(/region = "xx-nowhere-1": allowed a Region with Deep Learning Containers/);
  });

  test('a known Region resolves the registry account directly', () => {
    const { template: t } = backend({}, 'ap-east-1');
    const model = Object.values(t.findResources('AWS::SageMaker::Model'))[0];
    expect(JSON.stringify(model.Properties.PrimaryContainer.Image)).toContain('871362719292.dkr.ecr.ap-east-1');
    expect(dlcAccountFor('eu-west-1')).toBe('763104351884');
  });

  test('endpoint config: instance, count, startup timeouts; no KMS key on a local-NVMe instance', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({
        InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 1, ModelDataDownloadTimeoutInSeconds: 190, ContainerStartupHealthCheckTimeoutInSeconds: 190,
      })],
      KmsKeyId: Match.absent(),
    });
  });

  test('autoscaling: min/max and per-minute invocations target with cooldowns', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1, MaxCapacity: 3, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', ServiceNamespace: 'sagemaker',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: 7560, ScaleOutCooldown: 60, ScaleInCooldown: 600,
      },
    });
  });

  test('execution role: least privilege, no managed policies', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const r of Object.values(roles)) expect(r.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('AmazonSageMakerFullAccess');
    expect(policies).toContain('arn:');
    expect(policies).toContain('models-bucket/mnist/model.tar.gz');
    expect(policies).not.toMatch(/"s3:\*"|"sagemaker:\*"/);
  });
});

describe('SageMakerRealtimeBackend validation (one test per rule)', () => {
  test('GPU image on a CPU instance', () => {
    expect(problemsOf(() => backend({ instanceType: 'ml.c5.xlarge' }))).toEqual(['instanceType']);
  });
  test('CPU image on a GPU instance', () => {
    expect(problemsOf(() => backend({ image: InferenceImage.tensorflowServingDlc({ gpu: false }) }))).toEqual(['instanceType']);
  });
  test('malformed instance type', () => {
    expect(problemsOf(() => backend({ instanceType: 'g5.xlarge' }))).toContain('instanceType');
  });
  test('volume size on a local-NVMe instance', () => {
    expect(problemsOf(() => backend({ volumeSizeGb: 50 }))).toEqual(['volumeSizeGb']);
  });
  test('volume size out of range', () => {
    expect(problemsOf(() => backend({ instanceType: 'ml.p3.2xlarge', volumeSizeGb: 1000 }))).toEqual(['volumeSizeGb']);
  });
  test('KMS key on a local-NVMe instance', () => {
    const app = new App();
    const stack = new Stack(app, 'K');
    const key = new kms.Key(stack, 'Key');
    const p = profile();
    expect(problemsOf(() => new SageMakerRealtimeBackend(stack, 'B', {
      model: ModelArtifact.fromS3Uri('s3://models-bucket/k'), profile: p, limits: deriveLimits(p), instanceType: 'ml.g5.xlarge', kmsKey: key,
    }))).toEqual(['kmsKey']);
  });
  test('EBS-only GPU instance gets a rotated KMS key', () => {
    const p = profile({ hardware: 'ml.p3.2xlarge' });
    const { template } = backend({ instanceType: 'ml.p3.2xlarge', profile: p, limits: deriveLimits(p), volumeSizeGb: 30 });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: Match.anyValue(), ProductionVariants: [Match.objectLike({ VolumeSizeInGB: 30 })] });
  });
  test('startup timeouts outside 60-3600 s', () => {
    const { Duration } = require('aws-cdk-lib');
    expect(problemsOf(() => backend({ modelDownloadTimeout: Duration.seconds(30), startupHealthCheckTimeout: Duration.hours(2) }))).toEqual(['modelDownloadTimeout', 'startupHealthCheckTimeout']);
  });
  test('health-check timeout shorter than the cold start', () => {
    const { Duration } = require('aws-cdk-lib');
    expect(problemsOf(() => backend({ startupHealthCheckTimeout: Duration.seconds(60) }))).toEqual(['startupHealthCheckTimeout']);
  });
  test('SAGEMAKER_MODEL_SERVER_* on a TF Serving image', () => {
    expect(problemsOf(() => backend({ environment: { SAGEMAKER_MODEL_SERVER_TIMEOUT: '60', SAGEMAKER_MODEL_SERVER_WORKERS: '2' } })))
      .toEqual(['environment.SAGEMAKER_MODEL_SERVER_TIMEOUT', 'environment.SAGEMAKER_MODEL_SERVER_WORKERS']);
  });
  test('profile GPU memory above the instance', () => {
    const p = profile({ hardware: 'ml.g4dn.xlarge', peakGpuMemoryMiB: 20_000 });
    expect(problemsOf(() => backend({ instanceType: 'ml.g4dn.xlarge', profile: p, limits: deriveLimits(profile()) }))).toContain('profile.peakGpuMemoryMiB');
  });
  test('profile host memory above the instance', () => {
    const p = profile({ peakHostMemoryMiB: 20_000 });
    expect(problemsOf(() => backend({ profile: p, limits: deriveLimits(profile()) }))).toContain('profile.peakHostMemoryMiB');
  });
  test('invalid thread counts', () => {
    expect(problemsOf(() => backend({ intraOpParallelism: 0, interOpParallelism: 2000 }))).toEqual(['intraOpParallelism', 'interOpParallelism']);
  });
  test('a profile from other hardware is a warning', () => {
    const p = profile({ hardware: 'ml.g6.xlarge' });
    const { stack } = backend({ profile: p, limits: deriveLimits(p) });
    Annotations.fromStack(stack).hasWarning('/S/Backend', Match.stringLikeRegexp('measured on ml.g6.xlarge'));
  });
  describe('DLC end of patch: a warning only for an image past it, naming what to use instead', () => {
    const DAY = 24 * 3600 * 1000;
    const at = (iso: string) => jest.spyOn(Date, 'now').mockReturnValue(new Date(`${iso}T12:00:00Z`).getTime());
    const warnings = (image: InferenceImage) => Annotations.fromStack(backend(image.gpu ? { image } : { image, instanceType: 'ml.c5.xlarge', profile: profile({ hardware: 'ml.c5.xlarge', peakGpuMemoryMiB: 0 }) }).stack)
      .findWarning('*', Match.stringLikeRegexp('end of patch')).map((w) => String(w.entry.data));
    afterEach(() => jest.restoreAllMocks());

    test('the default (2.20) within its end of patch: no warning, GPU and CPU tags from the DLC data', () => {
      at('2026-12-06');
      expect(warnings(InferenceImage.tensorflowServingDlc())).toEqual([]);
      expect(warnings(InferenceImage.tensorflowServingDlc({ gpu: false }))).toEqual([]);
      expect(InferenceImage.tensorflowServingDlc({ gpu: false }).description).toBe('tensorflow-inference:2.20.0-cpu-py312-amzn2023-sagemaker');
      expect(InferenceImage.tensorflowServingDlc().description).toBe('tensorflow-inference:2.20.0-gpu-py312-cu129-amzn2023-sagemaker');
    });

    test('2.19 past its end of patch (2026-03-11): warned, pointing at 2.20', () => {
      at('2026-12-06');
      const [w, ...rest] = warnings(InferenceImage.tensorflowServingDlc({ tensorflowVersion: '2.19.0' }));
      expect(rest).toEqual([]);
      expect(w).toContain('tensorflow-inference:2.19.0-gpu-py312-cu122-ubuntu22.04-sagemaker is past its end of patch (2026-03-11');
      expect(w).toContain("Use TensorFlow 2.20.0 (end of patch 2027-08-20): InferenceImage.tensorflowServingDlc({ tensorflowVersion: '2.20.0' })");
      expect(w).not.toContain('No newer TensorFlow inference DLC');
    });

    test('the last day of patch is not past it; the day after is, and with nothing newer the warning says so', () => {
      at('2027-08-20');
      expect(warnings(InferenceImage.tensorflowServingDlc())).toEqual([]);
      jest.spyOn(Date, 'now').mockReturnValue(new Date('2027-08-21T00:00:00Z').getTime() + DAY / 2);
      const [w] = warnings(InferenceImage.tensorflowServingDlc());
      expect(w).toContain('is past its end of patch (2027-08-20');
      expect(w).toContain('No newer TensorFlow inference DLC within its end of patch');
    });
  });

  test('unknown DLC version and mismatched tag', () => {
    expect(() => InferenceImage.tensorflowServingDlc({ tensorflowVersion: '1.15.0' })).toThrow(/tensorflowVersion/);
    expect(() => InferenceImage.tensorflowServingDlc({ gpu: true, tag: '2.19.0-cpu-py312-ubuntu22.04-sagemaker' })).toThrow(/make `gpu` and the tag agree/);
  });
  test('bad S3 URI', () => {
    expect(() => ModelArtifact.fromS3Uri('https://bucket/model')).toThrow(/s3:\/\/<bucket>\/<key>/);
  });
});

describe('ModelArtifact.fromSavedModelDirectory', () => {
  test('packs a deterministic model.tar.gz under version 1/', () => {
    const a = packSavedModel(FIXTURE);
    const b = packSavedModel(FIXTURE);
    expect(a).toBe(b);
    expect(zlib.gunzipSync(fs.readFileSync(a)).length).toBeGreaterThan(0);
    const entries: string[] = [];
    tar.list({ file: a, sync: true, onReadEntry: (e) => { entries.push(e.path); } });
    expect(entries.sort()).toEqual(['1/saved_model.pb', '1/variables/variables.index']);
  });

  test('becomes a file asset read by the exact object ARN', () => {
    const { template } = backend({ model: ModelArtifact.fromSavedModelDirectory(FIXTURE) });
    const model = Object.values(template.findResources('AWS::SageMaker::Model'))[0];
    expect(JSON.stringify(model.Properties.PrimaryContainer.ModelDataUrl)).toMatch(/\.gz/);
  });

  test('a directory without saved_model.pb is refused with a hint about .keras files', () => {
    expect(() => packSavedModel(`${FIXTURE}/variables`)).toThrow(/export a SavedModel/);
    expect(() => packSavedModel('/nonexistent-dir')).toThrow(/model.export/);
  });
});
