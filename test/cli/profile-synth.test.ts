/** A profile written by `kig profile` is what KerasInferenceService reads: the stage throttles are the derived ones. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InferenceCompute, InferenceImage, ModelArtifact } from '../../lib/compute';
import { KerasInferenceService } from '../../lib/patterns';
import { deriveLimits, InferenceProfile } from '../../lib/profile';
import { ModelSignature, TensorDType } from '../../lib/model';
import { runKig } from '../support/cli';
import { startModelServer } from '../support/servers';

test('a measured profile synthesizes through KerasInferenceService', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-synth-'));
  fs.writeFileSync(path.join(dir, 'req.json'), JSON.stringify({ instances: [[1, 2, 3]] }));
  const server = await startModelServer(['--concurrency', '2', '--service-ms', '20']);
  try {
    const r = await runKig(['profile', '--url', `${server.base}/v1/models/model:predict`, '--payload', 'req.json', '--concurrency', '1,2,4',
      '--step-seconds', '0.6', '--latency-bound-ms', '2000', '--pid', String(server.pid), '--hardware', 'ml.c5.xlarge', '--out', 'profile.json'], { cwd: dir });
    expect(r.code).toBe(0);
  } finally {
    await server.stop();
  }
  const profile = InferenceProfile.fromFile(path.join(dir, 'profile.json'));
  const limits = deriveLimits(profile, { maxInstances: 3 });
  const stack = new Stack(new App(), 'ProfiledService');
  new KerasInferenceService(stack, 'Mnist', {
    profile,
    // profiled on a CPU instance type
    compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://example-bucket/model/model.tar.gz'), image: InferenceImage.tensorflowServingDlc({ gpu: false }) }),
    signature: ModelSignature.singleTensor({ name: 'x', dtype: TensorDType.FLOAT32, shape: [3], maxBatchSize: 4 }),
    maxInstances: 3,
  });
  Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
    MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: limits.throttle.rateLimit, ThrottlingBurstLimit: limits.throttle.burstLimit })]),
  });
});
