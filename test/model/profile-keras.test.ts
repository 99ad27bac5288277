/**
 * The profiler end to end on a real Keras model: kig inspect drafts the profile from the exported
 * SavedModel, kig profile --start-cmd measures it served by TensorFlow behind TF Serving's REST
 * predict API on loopback, and the completed profile synthesizes a service whose request schema
 * came from the same model. Only what holds on a loaded machine is asserted: a knee exists, the
 * profile synthesizes; speed figures are printed, not checked.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InferenceImage, InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, TensorDType } from '../../lib';
import { freePort } from '../support/servers';
import { runKig } from '../support/cli';
import { kerasFixtures, tfServerCommand } from './support';

const cnn = kerasFixtures().find((f) => f.name === 'cnn_image')!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-keras-profile-'));

test('inspect drafts, profile completes against the real model, the profile synthesizes with the model\'s signature', async () => {
  const inspected = await runKig(['inspect', cnn.savedModel, '--max-batch', '4', '--draft-out', 'draft.json', '--json'], { cwd: dir });
  expect(inspected.code).toBe(0);
  const draft = JSON.parse(fs.readFileSync(path.join(dir, 'draft.json'), 'utf8'));
  fs.copyFileSync(cnn.requestFile, path.join(dir, 'request.json'));

  const port = await freePort();
  const r = await runKig(['profile',
    '--url', `http://127.0.0.1:${port}`, '--format', 'tfserving', '--model', 'cnn_image',
    '--start-cmd', tfServerCommand(['--port', String(port), '--model-dir', cnn.savedModel, '--model-name', 'cnn_image']),
    '--payload', 'request.json', '--concurrency', '1,2,4', '--step-seconds', '2', '--latency-bound-ms', '20000',
    '--hardware', 'ml.c5.xlarge', '--draft', 'draft.json', '--out', 'profile.json'], { cwd: dir });
  // eslint-disable-next-line no-console
  console.log(r.stdout);
  expect(r.code).toBe(0);
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'profile.json'), 'utf8'));
  expect(doc.knee.concurrency).toBeGreaterThanOrEqual(1);
  expect(doc.coldStartSeconds).toBeGreaterThan(0);
  // the draft is completed: the model's largest request bounds maxRequestBytes, the signature is carried
  expect(doc.maxRequestBytes).toBe(draft.maxRequestBytes);
  expect(doc.maxRequestBytes).toBeGreaterThan(fs.statSync(cnn.requestFile).size);
  expect(doc.extra.signature).toEqual(draft.signature);
  expect(doc.extra.draft.file).toBe(path.join(dir, 'draft.json'));

  const profile = InferenceProfile.fromFile(path.join(dir, 'profile.json'));
  const stack = new Stack(new App(), 'KerasService');
  new KerasInferenceService(stack, 'Cnn', {
    profile,
    model: ModelArtifact.fromSavedModelDirectory(cnn.savedModel), // no signature: read from saved_model.pb
    image: InferenceImage.tensorflowServingDlc({ gpu: false }),
    maxServerBatchSize: 4,
    maxInstances: 2,
  });
  const expected = ModelSignature.fromSavedModel(cnn.savedModel, { maxBatchSize: 4 }).toJsonSchema();
  const models = Template.fromStack(stack).findResources('AWS::ApiGateway::Model');
  const schemas = Object.values(models).map((m) => (m as { Properties: { Schema: Record<string, unknown> } }).Properties.Schema);
  expect(schemas).toContainEqual(expected);
  expect(JSON.stringify(expected)).toContain('"maxItems":28');
}, 900_000);

test('a hand-written signature that disagrees with the SavedModel is an error naming both', () => {
  const stack = new Stack(new App(), 'Mismatch');
  const profile = InferenceProfile.of({
    model: 'cnn_image', hardware: 'ml.c5.xlarge', latencyMs: { p50: 10, p90: 20, p99: 30 }, sustainableConcurrency: 2,
    throughputPerInstanceRps: 50, peakHostMemoryMiB: 600, peakGpuMemoryMiB: 0, coldStartSeconds: 20, maxRequestBytes: 100_000,
  });
  expect(() => new KerasInferenceService(stack, 'Cnn', {
    profile,
    model: ModelArtifact.fromSavedModelDirectory(cnn.savedModel),
    image: InferenceImage.tensorflowServingDlc({ gpu: false }),
    signature: ModelSignature.singleTensor({ name: 'image', dtype: TensorDType.FLOAT32, shape: [28, 28, 3], maxBatchSize: 4 }),
  })).toThrow(/signature = "image float32 \[28,28,3\]; max batch 4; signature \\"serving_default\\"": allowed the model's serving signature in .*cnn_image\/saved_model: image float32 \[28,28,1\]; max batch 4; .*shape \[28,28,3\], the model's is \[28,28,1\]/);
  // agreeing signatures (a narrower batch included) are accepted
  expect(() => new KerasInferenceService(new Stack(new App(), 'Agree'), 'Cnn', {
    profile,
    model: ModelArtifact.fromSavedModelDirectory(cnn.savedModel),
    image: InferenceImage.tensorflowServingDlc({ gpu: false }),
    signature: ModelSignature.fromKerasFile(cnn.kerasFile, { maxBatchSize: 2 }),
  })).not.toThrow();
});

test('a model with a variable dimension and no signature: the error says where the bound goes', () => {
  const text = kerasFixtures().find((f) => f.name === 'text_tokens')!;
  const profile = InferenceProfile.of({
    model: 'text_tokens', hardware: 'ml.c5.xlarge', latencyMs: { p50: 10, p90: 20, p99: 30 }, sustainableConcurrency: 2,
    throughputPerInstanceRps: 50, peakHostMemoryMiB: 600, peakGpuMemoryMiB: 0, coldStartSeconds: 20, maxRequestBytes: 10_000,
  });
  const make = (signature?: ModelSignature) => new KerasInferenceService(new Stack(new App(), 'Text'), 'Text', {
    profile, model: ModelArtifact.fromSavedModelDirectory(text.savedModel), image: InferenceImage.tensorflowServingDlc({ gpu: false }), signature,
  });
  expect(() => make()).toThrow(/ModelSignature\.fromSavedModel\(dir, \{ maxVariableDim: N \}\)/);
  expect(() => make(ModelSignature.fromSavedModel(text.savedModel, { maxVariableDim: 128 }))).not.toThrow();
});
