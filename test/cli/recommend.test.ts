import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InferenceProfile } from '../../lib/profile';
import { runKig } from '../support/cli';
import { startSageMakerApi } from '../support/sagemaker-api-server';

const COMPLETED = {
  JobName: 'mnist-rec', JobType: 'Default', JobArn: 'arn:aws:sagemaker:us-east-1:123456789012:inference-recommendations-job/mnist-rec',
  RoleArn: 'arn:aws:iam::123456789012:role/rec', Status: 'COMPLETED', CreationTime: 1700000000, LastModifiedTime: 1700003600,
  InputConfig: { ModelPackageVersionArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mnist/1' },
  InferenceRecommendations: [
    { RecommendationId: 'r-cpu', Metrics: { CostPerHour: 0.23, CostPerInference: 0.00002, MaxInvocations: 1200, ModelLatency: 35, CpuUtilization: 70, MemoryUtilization: 30 },
      EndpointConfiguration: { EndpointName: 'e1', VariantName: 'v', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 }, ModelConfiguration: {} },
    { RecommendationId: 'r-gpu', Metrics: { CostPerHour: 1.4, CostPerInference: 0.00004, MaxInvocations: 9000, ModelLatency: 12, MemoryUtilization: 20, ModelSetupTime: 95 },
      EndpointConfiguration: { EndpointName: 'e2', VariantName: 'v', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 1 }, ModelConfiguration: {} },
  ],
};

describe('kig recommend against a local SageMaker API peer (awsJson1_1)', () => {
  const env = { ...process.env };
  let dir: string;
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_REGION = 'us-east-1';
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-rec-'));
  });
  afterAll(() => { process.env = env; });

  test('--job reads the job and writes the cheapest recommendation as a profile', async () => {
    const api = await startSageMakerApi({ DescribeInferenceRecommendationsJob: () => ({ json: COMPLETED }) });
    try {
      const out = path.join(dir, 'rec.json');
      const r = await runKig(['recommend', '--job', 'mnist-rec', '--endpoint-url', api.url, '--out', out, '--max-request-bytes', '20000']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(api.calls).toHaveLength(1);
      expect(api.calls[0].target).toBe('SageMaker.DescribeInferenceRecommendationsJob');
      expect(api.calls[0].body).toEqual({ JobName: 'mnist-rec' });
      expect(api.calls[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sagemaker\/aws4_request/);
      const p = InferenceProfile.fromFile(out);
      expect(p.hardware).toBe('ml.m5.xlarge');
      expect(p.throughputPerInstanceRps).toBe(20);
      expect(p.maxRequestBytes).toBe(20000);
      expect(p.provenance.notes).toMatch(/estimated: latencyMs, sustainableConcurrency/);
      expect(r.stdout).toMatch(/ml.m5.xlarge: 20 req\/s per instance/);
    } finally {
      await api.close();
    }
  });

  test('--rank latency and --json', async () => {
    const api = await startSageMakerApi({ DescribeInferenceRecommendationsJob: () => ({ json: COMPLETED }) });
    try {
      const r = await runKig(['recommend', '--job', 'mnist-rec', '--endpoint-url', api.url, '--out', path.join(dir, 'g.json'), '--rank', 'latency', '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.profile.hardware).toBe('ml.g5.xlarge');
      expect(j.profile.coldStartSeconds).toBe(95);
      expect(j.profile.throughputPerInstanceRps).toBe(150);
    } finally {
      await api.close();
    }
  });

  test('--start --wait creates the job, polls until COMPLETED, then writes the profile', async () => {
    const api = await startSageMakerApi({
      CreateInferenceRecommendationsJob: () => ({ json: { JobArn: COMPLETED.JobArn } }),
      DescribeInferenceRecommendationsJob: (_b, n) => ({ json: n < 3 ? { ...COMPLETED, Status: 'IN_PROGRESS', InferenceRecommendations: undefined } : COMPLETED }),
    });
    try {
      const out = path.join(dir, 'started.json');
      const r = await runKig(['recommend', '--start', '--wait', '--poll-seconds', '0.05', '--model-package-arn', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mnist/1',
        '--job-name', 'mnist-rec', '--role-arn', 'arn:aws:iam::123456789012:role/rec', '--instance-types', 'ml.m5.xlarge,ml.g5.xlarge', '--endpoint-url', api.url, '--out', out]);
      expect(r.code).toBe(0);
      expect(api.calls.map((c) => c.target)).toEqual(['SageMaker.CreateInferenceRecommendationsJob', ...Array(3).fill('SageMaker.DescribeInferenceRecommendationsJob')]);
      expect(api.calls[0].body).toEqual({
        JobName: 'mnist-rec', JobType: 'Default', RoleArn: 'arn:aws:iam::123456789012:role/rec',
        InputConfig: { ModelPackageVersionArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mnist/1', EndpointConfigurations: [{ InstanceType: 'ml.m5.xlarge' }, { InstanceType: 'ml.g5.xlarge' }] },
      });
      expect(r.stderr).toMatch(/job mnist-rec: IN_PROGRESS/);
      expect(fs.existsSync(out)).toBe(true);
    } finally {
      await api.close();
    }
  });

  test('--start without --wait creates the job and says how to read it later', async () => {
    const api = await startSageMakerApi({ CreateInferenceRecommendationsJob: () => ({ json: { JobArn: COMPLETED.JobArn } }) });
    try {
      const r = await runKig(['recommend', '--start', '--model-package-arn', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mnist/1',
        '--job-name', 'mnist-rec', '--role-arn', 'arn:aws:iam::123456789012:role/rec', '--endpoint-url', api.url, '--json']);
      expect(r.code).toBe(0);
      expect(api.calls.map((c) => c.target)).toEqual(['SageMaker.CreateInferenceRecommendationsJob']);
      expect(api.calls[0].body).not.toHaveProperty('InputConfig.EndpointConfigurations');
      expect(JSON.parse(r.stdout)).toEqual({ status: 'started', jobName: 'mnist-rec', jobArn: COMPLETED.JobArn });
    } finally {
      await api.close();
    }
  });

  test('a failed job exits 1 with the failure reason', async () => {
    const api = await startSageMakerApi({ DescribeInferenceRecommendationsJob: () => ({ json: { ...COMPLETED, Status: 'FAILED', FailureReason: 'model container crashed', InferenceRecommendations: undefined } }) });
    try {
      const r = await runKig(['recommend', '--job', 'mnist-rec', '--endpoint-url', api.url, '--out', path.join(dir, 'f.json')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/job mnist-rec is FAILED: model container crashed/);
    } finally {
      await api.close();
    }
  });

  test('an API error (unknown job) exits 3 and names the operation and error', async () => {
    const api = await startSageMakerApi({ DescribeInferenceRecommendationsJob: () => ({ status: 400, json: { __type: 'ResourceNotFound', Message: 'Job nope not found' } }) });
    try {
      const r = await runKig(['recommend', '--job', 'nope', '--endpoint-url', api.url, '--out', path.join(dir, 'n.json')]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/DescribeInferenceRecommendationsJob failed: ResourceNotFound \(HTTP 400\): Job nope not found/);
    } finally {
      await api.close();
    }
  });

  test('bad usage names each option', async () => {
    const r = await runKig(['recommend', '--start', '--model-package-arn', 'nope', '--instance-types', 'g5.xlarge']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--job-name = undefined: allowed required with --start/);
    expect(r.stderr).toMatch(/--model-package-arn = "nope": allowed a versioned model package ARN/);
    expect(r.stderr).toMatch(/--instance-types = "g5.xlarge"/);
  });
});
