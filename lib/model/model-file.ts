import * as fs from 'fs';
import * as path from 'path';
import { InferenceGuardError } from '../core';
import { thirdParty } from '../core/third-party';
import { decodeSavedModel, DTYPE_BYTES, MetaGraphMessage, SavedModelMessage, ShapeMessage, TensorInfoMessage } from './tensorflow-protos';

/** One tensor of a model's signature as the file states it, batch dimension included (-1 = unknown). */
export interface ModelTensor {
  readonly name: string;
  /** TensorFlow dtype name: float32, float16, int32, uint8, ... */
  readonly dtype: string;
  /** Every dimension including the batch; -1 where unknown. Empty with `unknownRank`. */
  readonly shape: number[];
  readonly unknownRank?: boolean;
}

/** Parameters and bytes of one dtype. */
export interface DtypeWeights {
  /** Distinct parameters (elements) of this dtype. */
  readonly params: number;
  /** Bytes the model stores and loads for them (copies included). */
  readonly bytes: number;
}

/** The model's variables as the SavedModel's object graph lists them. */
export interface ModelWeights {
  /** Distinct parameters (a variable listed twice counts once): what Keras's count_params() says. */
  readonly params: number;
  /** Bytes of every variable the server restores, copies included. */
  readonly bytes: number;
  readonly byDtype: Record<string, DtypeWeights>;
  /** Variables in the object graph, and how many of them are further copies of another. */
  readonly variables: number;
  readonly duplicateVariables: number;
}

/** A file of the model on disk. */
export interface ModelFilePart {
  readonly path: string;
  readonly bytes: number;
}

/** What a SavedModel directory or a `.keras` archive says about the model. */
export interface ModelDescription {
  readonly kind: 'saved-model' | 'keras';
  /** The directory or file read (the versioned subdirectory when a version was picked). */
  readonly source: string;
  readonly signatureName: string;
  /** Every serving signature in the file (for a .keras archive: the one model.export() writes). */
  readonly signatureNames: string[];
  /** Inputs sorted by name. */
  readonly inputs: ModelTensor[];
  readonly outputs: ModelTensor[];
  /** Variables, when the file lists them (SavedModel object graph). */
  readonly weights?: ModelWeights;
  /** Files that hold the weights, with their sizes on disk (uncompressed inside an archive). */
  readonly weightFiles: ModelFilePart[];
  /** Producer versions found in the file. */
  readonly producer: Record<string, string>;
}

/** Default serving signature of `model.export()` and of TF Serving. */
export const DEFAULT_SIGNATURE_NAME = 'serving_default';

function unreadable(file: string, prop: string, value: string, allowed: string, fix: string): InferenceGuardError {
  return new InferenceGuardError('MODEL_UNREADABLE', file, [{ prop, value, allowed, fix }], `cannot read the model in ${file}`);
}

/** TensorFlow's DataType enum name as the dtype name Keras and TF Serving use (DT_FLOAT -> float32). */
export function dtypeName(enumName: string): string {
  const special: Record<string, string> = { DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16' };
  return special[enumName] ?? enumName.replace(/^DT_/, '').toLowerCase();
}

/** Bytes per element of a dtype name (float32 -> 4); undefined for strings and other variable-size types. */
export function dtypeBytes(name: string): number | undefined {
  const byName: Record<string, string> = { float32: 'DT_FLOAT', float64: 'DT_DOUBLE', float16: 'DT_HALF' };
  return DTYPE_BYTES[byName[name] ?? `DT_${name.toUpperCase()}`];
}

function shapeOf(s: ShapeMessage | undefined): { shape: number[]; unknownRank?: boolean } {
  if (!s || s.unknown_rank) return { shape: [], unknownRank: true };
  return { shape: (s.dim ?? []).map((d) => (d.size === undefined ? 0 : Number(d.size))) };
}

function tensor(name: string, info: TensorInfoMessage): ModelTensor {
  return { name, dtype: dtypeName(info.dtype ?? 'DT_INVALID'), ...shapeOf(info.tensor_shape) };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/**
 * Finds `saved_model.pb` in a directory written by `model.export(dir)`, or, in a directory of
 * numeric version folders (TF Serving's layout), in the highest version, which TF Serving serves.
 */
function locateSavedModel(dir: string): string {
  if (!fs.existsSync(dir)) throw unreadable(dir, 'directory', JSON.stringify(dir), 'an existing SavedModel directory', 'check the path; write one with model.export(dir) in Keras 3');
  if (!fs.statSync(dir).isDirectory()) throw unreadable(dir, 'directory', JSON.stringify(dir), 'a SavedModel directory, not a file', 'pass the directory model.export(dir) wrote (for a .keras file use ModelSignature.fromKerasFile)');
  if (fs.existsSync(path.join(dir, 'saved_model.pb'))) return dir;
  const versions = fs.readdirSync(dir).filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(dir, v, 'saved_model.pb'))).sort((a, b) => Number(b) - Number(a));
  if (versions.length) return path.join(dir, versions[0]);
  throw unreadable(dir, 'saved_model.pb', 'missing', 'a directory holding saved_model.pb, or numeric version folders holding it', 'export the model with model.export(dir) and pass that directory');
}

function serveGraph(file: string, sm: SavedModelMessage): MetaGraphMessage {
  const graphs = sm.meta_graphs ?? [];
  const serve = graphs.find((g) => (g.meta_info_def?.tags ?? []).includes('serve')) ?? (graphs.length === 1 ? graphs[0] : undefined);
  if (!serve) {
    throw unreadable(file, 'meta_graphs', `${graphs.length} MetaGraph(s), tags ${JSON.stringify(graphs.map((g) => g.meta_info_def?.tags ?? []))}`, 'a MetaGraph tagged "serve"', 'export the model for serving with model.export(dir)');
  }
  return serve;
}

/** Reads the serving signature and the variables of a SavedModel directory. */
export function readSavedModel(directory: string, signatureName = DEFAULT_SIGNATURE_NAME): ModelDescription {
  const dir = locateSavedModel(path.resolve(directory));
  const file = path.join(dir, 'saved_model.pb');
  const bytes = fs.readFileSync(file);
  let sm: SavedModelMessage;
  try {
    sm = decodeSavedModel(bytes);
  } catch (e) {
    throw unreadable(file, 'saved_model.pb', `${bytes.length} bytes`, 'a complete SavedModel protocol buffer', `the file is truncated or not a SavedModel (${(e as Error).message}); export the model again`);
  }
  const graph = serveGraph(file, sm);
  const signatures = graph.signature_def ?? {};
  // __saved_model_init_op is an initializer, not a signature clients can call.
  const names = Object.keys(signatures).filter((n) => !n.startsWith('__')).sort();
  const sig = signatures[signatureName];
  if (!sig || signatureName.startsWith('__')) {
    throw unreadable(file, 'signatureName', JSON.stringify(signatureName), `one of the file's serving signatures: ${names.map((n) => JSON.stringify(n)).join(', ') || 'none'}`, 'pass one of those names (saved_model_cli show --dir DIR lists them)');
  }
  const inputs = Object.entries(sig.inputs ?? {}).map(([n, info]) => tensor(n, info)).sort(byName);
  if (inputs.length === 0) throw unreadable(file, `signature_def["${signatureName}"].inputs`, '[]', 'at least one input', 'export a model that takes an input');
  const outputs = Object.entries(sig.outputs ?? {}).map(([n, info]) => tensor(n, info)).sort(byName);

  const weights = weightsOf((graph.object_graph_def?.nodes ?? []).flatMap((n) => (n.variable ? [n.variable] : [])));
  const varDir = path.join(dir, 'variables');
  const weightFiles = fs.existsSync(varDir)
    ? fs.readdirSync(varDir).filter((f) => f.startsWith('variables.')).sort().map((f) => ({ path: path.join(varDir, f), bytes: fs.statSync(path.join(varDir, f)).size }))
    : [];
  const producer: Record<string, string> = {};
  if (graph.meta_info_def?.tensorflow_version) producer.tensorflow = graph.meta_info_def.tensorflow_version;
  return { kind: 'saved-model', source: dir, signatureName, signatureNames: names, inputs, outputs, weights, weightFiles, producer };
}

function weightsOf(vars: Array<{ dtype?: string; shape?: ShapeMessage; name?: string }>): ModelWeights {
  const seen = new Set<string>();
  const byDtype: Record<string, { params: number; bytes: number }> = {};
  let params = 0;
  let bytes = 0;
  let duplicates = 0;
  for (const v of vars) {
    const dtype = dtypeName(v.dtype ?? 'DT_INVALID');
    const { shape } = shapeOf(v.shape);
    const elements = shape.reduce((n, d) => n * Math.max(d, 0), 1);
    const size = elements * (dtypeBytes(dtype) ?? 0);
    const entry = (byDtype[dtype] ??= { params: 0, bytes: 0 });
    entry.bytes += size;
    bytes += size;
    // Keras 3's export tracks each variable twice (as `variables` and `_all_variables`); both are
    // stored and restored, but they are one parameter.
    const key = `${v.name ?? ''}|${dtype}|${shape.join(',')}`;
    if (v.name && seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    entry.params += elements;
    params += elements;
  }
  return { params, bytes, byDtype, variables: vars.length, duplicateVariables: duplicates };
}

/** Keras dtype in a config: a string, or a DTypePolicy object naming it. */
function kerasDtype(d: unknown): string {
  if (typeof d === 'string') return d;
  const name = (d as { config?: { name?: string } } | null)?.config?.name;
  return typeof name === 'string' ? name : 'float32';
}

interface KerasLayer { class_name?: string; name?: string; config?: Record<string, unknown> }

/**
 * The weights file of a .keras archive: Keras 3 writes model.weights.h5, or model.weights.npz when
 * saved with `weights_format="npz"`, and loads neither archive without one (keras 3.15
 * `saving/saving_lib.py`: `_VARS_FNAME_H5`, `_VARS_FNAME_NPZ`, "Expected a model.weights.h5 or
 * model.weights.npz file").
 */
export const KERAS_WEIGHT_FILES = ['model.weights.h5', 'model.weights.npz'] as const;

/**
 * Reads a Keras 3 `.keras` archive (a zip holding config.json, metadata.json and
 * model.weights.h5): the model's inputs from its config and, `withWeights`, the variables in the weights file.
 * An archive of the npz format has its weights file's size only: NpzIOStore saves each layer's
 * variables as one pickled object array, whose header gives no shapes.
 */
export function readKerasFile(file: string, withWeights = true): ModelDescription {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw unreadable(abs, 'file', JSON.stringify(file), 'an existing .keras file', 'check the path; write one with model.save("model.keras")');
  const data = fs.readFileSync(abs);
  const sizes: Record<string, number> = {};
  let entries: Record<string, Uint8Array>;
  try {
    entries = thirdParty().unzipSync(data, {
      filter: (f) => {
        sizes[f.name] = f.originalSize;
        return f.name === 'config.json' || f.name === 'metadata.json' || (withWeights && f.name === 'model.weights.h5');
      },
    });
  } catch (e) {
    throw unreadable(abs, 'file', `${data.length} bytes`, 'a Keras 3 .keras archive (a zip file)', `the file is not a zip (${(e as Error).message}); save the model with model.save("model.keras") in Keras 3`);
  }
  if (!entries['config.json']) throw unreadable(abs, 'config.json', 'missing', 'a .keras archive holding config.json', 'save the model with model.save("model.keras") in Keras 3');
  let config: { class_name?: string; config?: { layers?: KerasLayer[]; input_layers?: unknown; name?: string } };
  try {
    config = JSON.parse(Buffer.from(entries['config.json']).toString('utf8'));
  } catch (e) {
    throw unreadable(abs, 'config.json', 'invalid JSON', 'the JSON model config Keras writes', `save the model again (${(e as Error).message})`);
  }
  const layers = config.config?.layers ?? [];
  const inputLayers = layers.filter((l) => l.class_name === 'InputLayer');
  const wanted = inputNames(config.config?.input_layers) ?? (config.class_name === 'Sequential' ? inputLayers.slice(0, 1).map((l) => String(l.config?.name ?? l.name)) : inputLayers.map((l) => String(l.config?.name ?? l.name)));
  const inputs: ModelTensor[] = [];
  for (const name of wanted) {
    const layer = inputLayers.find((l) => (l.config?.name ?? l.name) === name);
    const shape = (layer?.config?.batch_shape ?? layer?.config?.batch_input_shape) as Array<number | null> | undefined;
    if (!layer || !Array.isArray(shape)) throw unreadable(abs, `config.json input "${name}"`, JSON.stringify(layer?.config ?? null), 'an InputLayer with batch_shape', 'build the model with keras.Input(shape=...) before saving');
    inputs.push({ name, dtype: kerasDtype(layer.config?.dtype), shape: shape.map((d) => (d === null ? -1 : d)) });
  }
  if (inputs.length === 0) throw unreadable(abs, 'config.json', 'no InputLayer', 'a model with at least one keras.Input', 'build the model with keras.Input(...) before saving');
  const producer: Record<string, string> = {};
  if (entries['metadata.json']) {
    try {
      const meta = JSON.parse(Buffer.from(entries['metadata.json']).toString('utf8')) as { keras_version?: string };
      if (meta.keras_version) producer.keras = meta.keras_version;
    } catch {
      // metadata is informative only
    }
  }
  // Where the weights cannot be listed (no model.weights.h5), the weight bytes are the sizes of the
  // archive's HDF5 and NumPy files.
  const weightFiles = Object.entries(sizes).filter(([n]) => /\.(h5|npz)$/.test(n)).map(([n, b]) => ({ path: `${abs}!${n}`, bytes: b }));
  if (withWeights && weightFiles.length === 0) {
    // Without one the weights would count as 0 bytes: a memory floor that leaves out the model.
    throw unreadable(abs, KERAS_WEIGHT_FILES.join(' or '), 'missing', 'a .keras archive holding the weights file Keras writes (Keras cannot load the archive without it either)',
      'save the model again with model.save("model.keras") in Keras 3');
  }
  const h5 = entries['model.weights.h5'];
  const weights = h5 ? kerasWeights(abs, h5) : undefined;
  return {
    kind: 'keras', source: abs, signatureName: DEFAULT_SIGNATURE_NAME, signatureNames: [DEFAULT_SIGNATURE_NAME],
    inputs: inputs.sort(byName), outputs: [], weights, weightFiles, producer,
  };
}

/** Names in `input_layers`: ["x", 0, 0], [["a", 0, 0], ["b", 0, 0]] or {"a": ["a", 0, 0], ...}. */
function inputNames(spec: unknown): string[] | undefined {
  if (Array.isArray(spec)) {
    if (spec.length && typeof spec[0] === 'string') return [spec[0]];
    return spec.filter(Array.isArray).map((s) => String((s as unknown[])[0]));
  }
  if (spec && typeof spec === 'object') return Object.values(spec as Record<string, unknown>).filter(Array.isArray).map((s) => String((s as unknown[])[0]));
  return undefined;
}

/** The part of jsfive's API used here (the package ships no type declarations). */
interface H5Node { readonly keys?: string[]; get(name: string): H5Node; readonly shape?: number[]; readonly dtype?: unknown }
interface Jsfive { File: new (buffer: ArrayBuffer, name: string) => H5Node; Dataset: abstract new (...a: never[]) => H5Node }

/** numpy dtype strings as HDF5 readers give them ('<f4', '|u1') to dtype names. */
function numpyDtype(d: unknown): string | undefined {
  const m = typeof d === 'string' ? /^[<>|=]?([fiub])(\d+)$/.exec(d) : null;
  if (!m) return undefined;
  const bits = Number(m[2]) * 8;
  return m[1] === 'f' ? `float${bits}` : m[1] === 'b' ? 'bool' : `${m[1] === 'u' ? 'uint' : 'int'}${bits}`;
}

/**
 * The variables in a .keras archive's model.weights.h5 (Keras 3 keeps each layer's variables as
 * datasets under layers/<name>/vars). Only the metadata is read (jsfive, a pure JavaScript HDF5
 * reader); an optimizer's state, saved beside the layers of a compiled model, is not served and is
 * left out.
 */
function kerasWeights(file: string, h5: Uint8Array): ModelWeights {
  const hdf5 = thirdParty().jsfive as Jsfive;
  let root: H5Node;
  try {
    root = new hdf5.File(h5.buffer.slice(h5.byteOffset, h5.byteOffset + h5.byteLength) as ArrayBuffer, 'model.weights.h5');
  } catch (e) {
    throw unreadable(file, 'model.weights.h5', `${h5.length} bytes`, 'the HDF5 weights file Keras writes', `save the model again (${(e as Error).message})`);
  }
  const vars: Array<{ dtype: string; shape: ShapeMessage }> = [];
  const walk = (node: H5Node, depth: number) => {
    for (const key of node.keys ?? []) {
      if (depth === 0 && key === 'optimizer') continue;
      const child = node.get(key);
      const isDataset: boolean = child instanceof hdf5.Dataset;
      if (isDataset) {
        const dtype = numpyDtype(child.dtype);
        if (dtype) vars.push({ dtype: dtype === 'float32' ? 'DT_FLOAT' : dtype === 'float64' ? 'DT_DOUBLE' : dtype === 'float16' ? 'DT_HALF' : `DT_${dtype.toUpperCase()}`, shape: { dim: (child.shape ?? []).map((size) => ({ size })) } });
      } else if (Array.isArray(child.keys)) {
        walk(child, depth + 1);
      }
    }
  };
  walk(root, 0);
  return weightsOf(vars);
}
