import { DEFAULT_FIXED_COST_SHARE } from '../core/queue-formulas';
import { referenceElements, requestCostUnits } from '../core/queue-formulas';
import * as fs from 'fs';
import * as path from 'path';
import { InferenceGuardError, ProblemCollector } from '../core';
import { ModelFileSignatureOptions, ModelSignature, TensorSpecProps } from './model-signature';
import { dtypeBytes, ModelDescription, readKerasFile, readSavedModel } from './model-file';

/**
 * The widest JSON text of one element a client writes for each dtype: Python's json.dumps of a
 * numpy array's tolist() (Keras users' clients), at values the request schema admits. float16 and
 * float32 values become Python floats, printed with up to 17 significant digits and an exponent.
 */
export const WIDEST_ELEMENT_TEXT: Readonly<Record<string, string>> = {
  float16: '-1.1920928955078125e-07',
  float32: '-1.1754942106924411e-38',
  float64: '-2.2250738585072014e-308',
  int8: '-128',
  uint8: '255',
  int32: '-2147483648',
  // The schema bounds int64 to JSON's exactly representable integers.
  int64: '-9007199254740991',
  bool: 'false',
};

/** One term of a memory floor. */
export interface MemoryTerm {
  readonly name: string;
  readonly bytes: number;
  readonly formula: string;
}

/** A lower bound of the memory a server needs for the model, with its terms. */
export interface MemoryFloor {
  readonly bytes: number;
  readonly mib: number;
  readonly terms: MemoryTerm[];
  readonly formula: string;
}

/** Everything `kig inspect` reports about a model file. */
export interface ModelInspection {
  readonly model: ModelDescription;
  readonly signature: ModelSignature;
  /** Bytes of the weights as the model stores them (SavedModel: every restored variable; .keras: the weights file). */
  readonly weightBytes: number;
  /** How `weightBytes` was found. */
  readonly weightSource: string;
  /** Distinct parameters, when the file lists its variables (SavedModel). */
  readonly params?: number;
  readonly hostMemoryFloor: MemoryFloor;
  readonly gpuMemoryFloor: MemoryFloor;
  /** The largest valid request in TF Serving's row format at the max batch. */
  readonly largestRequest: { readonly bytes: number; readonly body: string };
  /**
   * Cost units (see the job queue's cost model): one unit is one instance at its largest shape;
   * the largest request's cost with the fixed share the queue assumes until a profile measures it.
   */
  readonly cost: { readonly referenceElements: number; readonly fixedShare: number; readonly maxRequestCostUnits: number; readonly formula: string };
  /** Profile fields the model gives, the others marked unmeasured. */
  readonly draftProfile: Record<string, unknown>;
}

/** Reads a SavedModel directory or a .keras file. */
export function readModel(file: string, signatureName?: string): ModelDescription {
  return isKerasFile(file) ? readKerasFile(file) : readSavedModel(savedModelDir(file), signatureName);
}

/** A .keras file (by name, and not a directory). */
function isKerasFile(file: string): boolean {
  return /\.keras$/i.test(file) && !(fs.existsSync(file) && fs.statSync(file).isDirectory());
}

/** `…/saved_model.pb` given for the model means its directory. */
function savedModelDir(file: string): string {
  return path.basename(file) === 'saved_model.pb' ? path.dirname(file) : file;
}

function elements(shape: readonly number[], variable: number): number {
  return shape.reduce((n, d) => n * (d === -1 ? variable : d), 1);
}

/** The instance value with every element at its widest text, as nested arrays of raw JSON text. */
function instanceText(spec: TensorSpecProps): string {
  const widest = WIDEST_ELEMENT_TEXT[spec.dtype.name];
  const build = (k: number): string => {
    if (k === spec.shape.length) return widest;
    const d = spec.shape[k] === -1 ? spec.maxVariableDim ?? 1 : spec.shape[k];
    const inner = build(k + 1);
    return `[${new Array(d).fill(inner).join(', ')}]`;
  };
  return build(0);
}

/**
 * The largest request the signature admits as a client writes it (Python's json.dumps separators,
 * every element at its widest text, every variable dimension at its bound, max batch).
 */
export function largestRequestBody(signature: ModelSignature): string {
  const instance = signature.inputs.length === 1
    ? instanceText(signature.inputs[0])
    : `{${signature.inputs.map((i) => `${JSON.stringify(i.name)}: ${instanceText(i)}`).join(', ')}}`;
  return `{"instances": [${new Array(signature.maxBatchSize).fill(instance).join(', ')}]}`;
}

const MiB = 1024 * 1024;
const mib = (b: number) => Math.ceil((b / MiB) * 100) / 100;

function floor(terms: MemoryTerm[]): MemoryFloor {
  const bytes = terms.reduce((s, t) => s + t.bytes, 0);
  return { bytes, mib: mib(bytes), terms, formula: `${terms.map((t) => t.name).join(' + ')} = ${terms.map((t) => t.bytes).join(' + ')} = ${bytes} bytes` };
}

/** Reads a model file and derives the figures `kig inspect` prints. */
export function inspectModel(file: string, options: ModelFileSignatureOptions = {}): ModelInspection {
  const model = readModel(file, options.signatureName);
  const signature = model.kind === 'keras' ? ModelSignature.fromKerasFile(file, options) : ModelSignature.fromSavedModel(savedModelDir(file), options);
  const batch = signature.maxBatchSize;
  const variable = options.maxVariableDim ?? 1;

  const fileBytes = model.weightFiles.reduce((s, f) => s + f.bytes, 0);
  const weightBytes = model.weights ? model.weights.bytes : fileBytes;
  const weightSource = !model.weights
    ? `size of ${model.weightFiles.map((f) => f.path.split('!').pop()).join(', ') || 'no weights file'} in the archive (${model.weightFiles.some((f) => f.path.endsWith('.npz'))
      ? 'NumPy .npz: the weights plus each layer\'s pickled array header'
      : 'HDF5: the weights plus the file\'s own index'})`
    : model.kind === 'keras'
      ? `${model.weights.variables} datasets in model.weights.h5, element count x dtype size (TF Serving restores the SavedModel's variables: inspect it for what the server holds)`
      : `${model.weights.variables} variables in saved_model.pb's object graph (${model.weights.duplicateVariables} of them further copies the server also restores), element count x dtype size`;

  const inputPer = signature.inputs.reduce((s, i) => s + elements(i.shape, i.maxVariableDim ?? variable) * (dtypeBytes(i.dtype.name) ?? 8), 0);
  const unknownOutputs = model.outputs.filter((o) => o.unknownRank || o.shape.slice(1).some((d) => d < 0));
  const outputPer = model.outputs.filter((o) => !unknownOutputs.includes(o)).reduce((s, o) => s + elements(o.shape.slice(1), 1) * (dtypeBytes(o.dtype) ?? 8), 0);
  const body = largestRequestBody(signature);
  const requestBytes = Buffer.byteLength(body);
  const weightsTerm: MemoryTerm = { name: 'weights', bytes: weightBytes, formula: 'the weight bytes above' };
  const inputsTerm: MemoryTerm = { name: `input tensors (${batch} x ${inputPer} bytes)`, bytes: batch * inputPer, formula: `max batch ${batch} x (elements x dtype size of every input, variable dimensions at ${variable})` };
  const outputsTerm: MemoryTerm = {
    name: `output tensors (${batch} x ${outputPer} bytes)`, bytes: batch * outputPer,
    formula: model.kind === 'keras' ? 'not in config.json (read the SavedModel for outputs)' : `max batch ${batch} x (elements x dtype size of every output)${unknownOutputs.length ? `; ${unknownOutputs.map((o) => o.name).join(', ')} of unknown size not counted` : ''}`,
  };
  const requestTerm: MemoryTerm = { name: 'request JSON', bytes: requestBytes, formula: 'the largest request body, held while it is parsed' };
  const hostMemoryFloor = floor([weightsTerm, requestTerm, inputsTerm, outputsTerm]);
  const gpuMemoryFloor = floor([weightsTerm, inputsTerm, outputsTerm]);

  const unmeasured = (how: string) => ({ unmeasured: true, how });
  const draftProfile: Record<string, unknown> = {
    schemaVersion: 1,
    draft: true,
    model: modelName(model),
    hardware: unmeasured('the instance type you run kig profile on (--hardware)'),
    latencyMs: unmeasured('kig profile: percentiles at the knee'),
    sustainableConcurrency: unmeasured('kig profile: the knee'),
    throughputPerInstanceRps: unmeasured('kig profile: throughput at the knee'),
    peakHostMemoryMiB: { ...unmeasured('kig profile --start-cmd or --pid: peak RSS'), floorMiB: hostMemoryFloor.mib },
    peakGpuMemoryMiB: { ...unmeasured('kig profile on a GPU host (nvidia-smi)'), floorMiB: gpuMemoryFloor.mib },
    coldStartSeconds: unmeasured('kig profile --start-cmd'),
    maxRequestBytes: requestBytes,
    provenance: { tool: 'kig inspect', notes: `read from ${model.source}; maxRequestBytes is the largest request the signature admits` },
    signature: signatureJson(signature),
  };
  return {
    model, signature, weightBytes, weightSource, params: model.weights?.params,
    hostMemoryFloor, gpuMemoryFloor, largestRequest: { bytes: requestBytes, body }, draftProfile, cost: costOf(signature),
  };
}

/** The signature as JSON: what `signatureFromJson` reads back. */
export function signatureJson(s: ModelSignature): Record<string, unknown> {
  return {
    signatureName: s.signatureName,
    maxBatchSize: s.maxBatchSize,
    inputs: s.inputs.map((i) => ({ name: i.name, dtype: i.dtype.name, shape: [...i.shape], ...(i.maxVariableDim !== undefined ? { maxVariableDim: i.maxVariableDim } : {}) })),
  };
}

function modelName(model: ModelDescription): string {
  const parts = model.source.split(/[\\/]/).filter(Boolean);
  const base = parts[parts.length - 1] ?? 'model';
  if (model.kind === 'keras') return base.replace(/\.keras$/i, '');
  // model.export("…/name/saved_model") or "…/name/1": name the folder above a generic one.
  return (/^(\d+|saved_?model|export)$/i.test(base) && parts.length > 1 ? parts[parts.length - 2] : base).replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** What `kig profile --draft` takes from a draft profile written by `kig inspect --draft-out`. */
export interface DraftProfile {
  readonly file: string;
  readonly model: string;
  readonly maxRequestBytes: number;
  readonly hostFloorMiB?: number;
  readonly gpuFloorMiB?: number;
  readonly signature?: Record<string, unknown>;
}

/** Reads a draft profile; errors name the file and the field. */
export function readDraftProfile(file: string): DraftProfile {
  const c = new ProblemCollector('DRAFT_INVALID', file);
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    c.add('--draft', file, 'a readable JSON file written by kig inspect --draft-out', `check the path or write it again (${(e as Error).message})`);
    c.throwIfAny('cannot read the draft profile');
  }
  c.require(doc.draft === true, 'draft', doc.draft, 'true (a draft written by kig inspect --draft-out)', 'write the draft with kig inspect MODEL --draft-out FILE');
  c.require(typeof doc.model === 'string' && doc.model.length > 0, 'model', doc.model, 'a model name', 'write the draft with kig inspect');
  const max = doc.maxRequestBytes;
  c.require(Number.isInteger(max) && (max as number) > 0, 'maxRequestBytes', max, 'a positive integer (bytes)', 'write the draft with kig inspect');
  c.throwIfAny('invalid draft profile');
  const floorOf = (v: unknown) => (typeof (v as { floorMiB?: unknown })?.floorMiB === 'number' ? (v as { floorMiB: number }).floorMiB : undefined);
  return {
    file, model: doc.model as string, maxRequestBytes: max as number,
    hostFloorMiB: floorOf(doc.peakHostMemoryMiB), gpuFloorMiB: floorOf(doc.peakGpuMemoryMiB),
    signature: typeof doc.signature === 'object' && doc.signature !== null ? doc.signature as Record<string, unknown> : undefined,
  };
}

/**
 * The request signature a service uses: the model's own when the model is a local SavedModel
 * directory (read from saved_model.pb), the given one otherwise. A given signature that disagrees
 * with the model's is an error that names both.
 */
export function serviceSignature(scopePath: string, modelDirectory: string | undefined, given: ModelSignature | undefined, defaultMaxBatchSize: number): ModelSignature {
  const c = new ProblemCollector('SIGNATURE_MISMATCH', scopePath);
  if (modelDirectory === undefined) {
    c.require(given !== undefined, 'signature', given, 'a ModelSignature when the model is not a local SavedModel directory', 'pass signature: ModelSignature.of(...), or model: ModelArtifact.fromSavedModelDirectory(dir) to read it from the model');
    c.throwIfAny('the request signature is missing');
    return given!;
  }
  let model: ModelSignature;
  try {
    model = ModelSignature.fromSavedModel(modelDirectory, {
      signatureName: given?.signatureName, maxBatchSize: given?.maxBatchSize ?? defaultMaxBatchSize,
      maxVariableDim: given ? Math.max(1, ...given.inputs.map((i) => i.maxVariableDim ?? 1)) : undefined,
    });
  } catch (e) {
    // A variable dimension needs a bound the model cannot give: say where to put it. (A given
    // signature passes a bound, so only a model read without one can lack it.)
    if (e instanceof InferenceGuardError && e.problems.some((p) => p.prop === 'maxVariableDim')) {
      c.add('signature', undefined, `a signature with a bound for the variable dimension of the model in ${modelDirectory}`, 'pass signature: ModelSignature.fromSavedModel(dir, { maxVariableDim: N })');
      c.throwIfAny('the model has a variable dimension without a bound');
    }
    throw e;
  }
  if (!given) return model;
  const differences = given.differencesFrom(model);
  c.require(differences.length === 0, 'signature', given.describe(),
    `the model's serving signature in ${modelDirectory}: ${model.describe()} (${differences.join('; ')})`,
    'drop the signature prop to use the model\'s own, or export the model you mean to serve');
  c.throwIfAny('the signature disagrees with the model');
  return given;
}

/** The cost units of a signature's requests, with the fixed share assumed before a profile measures it. */
function costOf(signature: ModelSignature): ModelInspection['cost'] {
  const fixedShare = DEFAULT_FIXED_COST_SHARE;
  const ref = referenceElements(signature.inputs);
  const maxRequestCostUnits = requestCostUnits(signature.maxBatchSize * ref, { referenceElements: ref, fixedShare });
  return {
    referenceElements: ref, fixedShare, maxRequestCostUnits,
    formula: `cost = fixedShare ${fixedShare} + (1 - ${fixedShare}) x elements / ${ref}; max batch ${signature.maxBatchSize}: ${maxRequestCostUnits} units`,
  };
}
