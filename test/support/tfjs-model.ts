import * as fs from 'fs';
import * as path from 'path';

/** Input shape of the test model: one 28 x 28 grey image, as in MNIST. */
export const MODEL_INPUT_SHAPE = [28, 28, 1] as const;

/**
 * Builds a small Keras-architecture convolutional classifier with TensorFlow.js layers (the same
 * layer types and topology JSON as Keras) and saves it as model.json + weights.bin in `dir`, the
 * layout `tensorflowjs_converter` writes for a Keras model.
 */
export async function buildAndSaveModel(dir: string): Promise<{ modelJson: string; weights: string; params: number }> {
  // TensorFlow.js's core, its CPU backend and its Keras layers API: the parts a model needs in Node
  // (the @tensorflow/tfjs bundle adds the WebGL backend, the graph-model converter and the data API).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const tf = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');
  /* eslint-enable @typescript-eslint/no-require-imports */
  await core.setBackend('cpu');
  const model = tf.sequential({ name: 'mnist_cnn' });
  model.add(tf.layers.conv2d({ inputShape: [...MODEL_INPUT_SHAPE], filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  fs.mkdirSync(dir, { recursive: true });
  const modelJson = path.join(dir, 'model.json');
  const weights = path.join(dir, 'weights.bin');
  await model.save(core.io.withSaveHandler(async (artifacts) => {
    const data = artifacts.weightData as ArrayBuffer;
    fs.writeFileSync(weights, Buffer.from(data));
    fs.writeFileSync(modelJson, JSON.stringify({
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
  }));
  const params = model.countParams();
  model.dispose();
  return { modelJson, weights, params };
}

/** A TF Serving request body with `batch` images of deterministic pixels. */
export function predictBody(batch: number): string {
  const instances = Array.from({ length: batch }, (_, b) =>
    Array.from({ length: 28 }, (_, i) => Array.from({ length: 28 }, (_, j) => [((i * 28 + j + b) % 255) / 255])));
  return JSON.stringify({ instances });
}

// Run as a script (`node -r ts-register.js tfjs-model.ts DIR`) the model is built in its own
// process, so the test runner's worker never loads TensorFlow.js.
if (require.main === module) {
  buildAndSaveModel(process.argv[2]).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`), (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
