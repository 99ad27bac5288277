import { ProblemCollector } from '../core';
import { DEFAULT_SIGNATURE_NAME, ModelDescription, readKerasFile, readSavedModel } from './model-file';

/**
 * Element type of a tensor. JSON has no fixed-width numbers, so ranges are enforced by the schema:
 * every number type has finite bounds, which also refuses `1e400` (JSON.parse reads it as Infinity,
 * which JSON-schema `type: number` alone accepts). Float bounds are the largest finite values of
 * IEEE 754 binary16 / binary32 / binary64; int64 stops at 2^53 - 1, the largest integer a JSON
 * number carries exactly.
 */
export class TensorDType {
  public static readonly FLOAT16 = new TensorDType('float16', 'number', -65504, 65504, 12);
  public static readonly FLOAT32 = new TensorDType('float32', 'number', -3.4028234663852886e38, 3.4028234663852886e38, 16);
  public static readonly FLOAT64 = new TensorDType('float64', 'number', -Number.MAX_VALUE, Number.MAX_VALUE, 25);
  public static readonly INT8 = new TensorDType('int8', 'integer', -128, 127, 5);
  public static readonly UINT8 = new TensorDType('uint8', 'integer', 0, 255, 4);
  public static readonly INT16 = new TensorDType('int16', 'integer', -32768, 32767, 7);
  public static readonly INT32 = new TensorDType('int32', 'integer', -2147483648, 2147483647, 12);
  public static readonly INT64 = new TensorDType('int64', 'integer', -9007199254740991, 9007199254740991, 21);
  public static readonly BOOL = new TensorDType('bool', 'boolean', undefined, undefined, 6);

  /** Looks a dtype up by its TensorFlow name (`float32`, `DT_FLOAT`, ...). */
  public static of(name: string): TensorDType {
    const key = name.toLowerCase().replace(/^dt_/, '');
    const alias: Record<string, TensorDType> = {
      float: TensorDType.FLOAT32, half: TensorDType.FLOAT16, double: TensorDType.FLOAT64,
      float16: TensorDType.FLOAT16, float32: TensorDType.FLOAT32, float64: TensorDType.FLOAT64,
      int8: TensorDType.INT8, int16: TensorDType.INT16, uint8: TensorDType.UINT8, int32: TensorDType.INT32, int64: TensorDType.INT64, bool: TensorDType.BOOL,
    };
    const found = alias[key];
    if (!found) throw new Error(`dtype = "${name}": allowed float16, float32, float64, int8, int16, uint8, int32, int64, bool. Fix: use the dtype of the model's serving signature (saved_model_cli show --all)`);
    return found;
  }

  private constructor(
    /** TensorFlow name of the dtype. */
    public readonly name: string,
    /** JSON-schema type of one element. */
    public readonly jsonType: 'number' | 'integer' | 'boolean',
    /** Smallest allowed element, if bounded. */
    public readonly minimum: number | undefined,
    /** Largest allowed element, if bounded. */
    public readonly maximum: number | undefined,
    /** Longest JSON text of one element including its separator (bytes), for payload estimates. */
    public readonly maxJsonChars: number,
  ) {}
}

/** One named input of the model's serving signature. */
export interface TensorSpecProps {
  /** Input name in the serving signature, e.g. `input_1`. */
  readonly name: string;
  /** Element type. */
  readonly dtype: TensorDType;
  /**
   * Shape of ONE instance, without the batch dimension. Use -1 for a variable dimension; it is
   * then bounded by `maxVariableDim`.
   */
  readonly shape: number[];
  /**
   * Upper bound for each variable (-1) dimension.
   * @default - required when the shape has a -1
   */
  readonly maxVariableDim?: number;
}

/** A single-input signature: the tensor's spec (its name optional) and the largest batch. */
export interface SingleTensorSignatureProps {
  /**
   * Input name in the serving signature.
   * @default "input"
   */
  readonly name?: string;
  /** Element type. */
  readonly dtype: TensorDType;
  /** Shape of ONE instance, without the batch dimension (-1 for a variable dimension). */
  readonly shape: number[];
  /**
   * Upper bound for each variable (-1) dimension.
   * @default - required when the shape has a -1
   */
  readonly maxVariableDim?: number;
  /** Largest batch (number of instances) one request may carry. */
  readonly maxBatchSize: number;
}

/** Options for the request signature. */
export interface ModelSignatureProps {
  /** The model's inputs. One input means each instance is the tensor itself; several mean each instance is an object keyed by input name. */
  readonly inputs: TensorSpecProps[];
  /** Largest batch (number of instances) one request may carry. */
  readonly maxBatchSize: number;
  /**
   * Name of the serving signature clients may select with `signature_name`.
   * @default "serving_default"
   */
  readonly signatureName?: string;
}

/** Options for reading a signature from a model file (`ModelSignature.fromSavedModel`, `ModelSignature.fromKerasFile`). */
export interface ModelFileSignatureOptions {
  /**
   * Serving signature to read (SavedModel) or to name in requests (.keras).
   * @default "serving_default"
   */
  readonly signatureName?: string;
  /**
   * Largest batch one request may carry. The file leaves the batch dimension open, so this is the
   * one number it cannot give.
   * @default - the model's batch dimension when it is fixed, else DEFAULT_MODEL_MAX_BATCH_SIZE (8)
   */
  readonly maxBatchSize?: number;
  /**
   * Upper bound for every variable dimension other than the batch (a text model's sequence length).
   * @default - required when an input has a variable dimension
   */
  readonly maxVariableDim?: number;
}

/** Request batch limit used when a model file leaves the batch dimension open and none is given. */
export const DEFAULT_MODEL_MAX_BATCH_SIZE = 8;

/** Largest batch size accepted by the signature validator. */
export const MAX_BATCH_SIZE_LIMIT = 10_000;

/**
 * The input signature of a Keras model exported as a TF SavedModel. It generates the JSON
 * schema (draft-04, as API Gateway requires) for TF Serving's REST `instances` request format,
 * and an upper estimate of the body size that schema admits.
 */
export class ModelSignature {
  /** A signature with a single input tensor. */
  public static singleTensor(props: SingleTensorSignatureProps): ModelSignature {
    return new ModelSignature({ inputs: [{ name: props.name ?? 'input', dtype: props.dtype, shape: props.shape, maxVariableDim: props.maxVariableDim }], maxBatchSize: props.maxBatchSize });
  }

  /** A signature with one or more named inputs. */
  public static of(props: ModelSignatureProps): ModelSignature {
    return new ModelSignature(props);
  }

  /**
   * Reads the serving signature of a SavedModel directory (Keras 3 `model.export(dir)`, or a
   * directory of numeric versions, whose highest is read as TF Serving would serve it): input
   * names, dtypes and shapes from `saved_model.pb`. Errors name the file.
   */
  public static fromSavedModel(directory: string, options: ModelFileSignatureOptions = {}): ModelSignature {
    return ModelSignature.fromDescription(readSavedModel(directory, options.signatureName ?? DEFAULT_SIGNATURE_NAME), options);
  }

  /**
   * Reads the inputs of a Keras 3 `.keras` archive (`model.save("model.keras")`) from its
   * config: the same signature `model.export()` gives the model. Errors name the file.
   */
  public static fromKerasFile(file: string, options: ModelFileSignatureOptions = {}): ModelSignature {
    const model = readKerasFile(file, false);
    return ModelSignature.fromDescription({ ...model, signatureName: options.signatureName ?? DEFAULT_SIGNATURE_NAME }, options);
  }

  private static fromDescription(model: ModelDescription, options: ModelFileSignatureOptions): ModelSignature {
    const c = new ProblemCollector('SIGNATURE_INVALID', model.source);
    const fixedBatches = [...new Set(model.inputs.map((i) => i.shape[0]).filter((d) => d !== undefined && d > 0))];
    const inputs: TensorSpecProps[] = [];
    for (const input of model.inputs) {
      const p = `input "${input.name}"`;
      if (input.unknownRank || input.shape.length === 0) {
        c.add(`${p}.shape`, 'unknown rank', 'a known rank with a batch dimension first', 'export the model with keras.Input(shape=...) so every input has a known shape');
        continue;
      }
      let dtype: TensorDType | undefined;
      try {
        dtype = TensorDType.of(input.dtype);
      } catch {
        c.add(`${p}.dtype`, input.dtype, 'float16, float32, float64, int8, uint8, int32, int64 or bool (a JSON request can carry them)', 'cast the input inside the model and export it with one of those dtypes');
      }
      const shape = input.shape.slice(1);
      const variable = shape.some((d) => d === -1);
      if (variable && options.maxVariableDim === undefined) {
        c.add('maxVariableDim', undefined, `a positive integer: ${p} has a variable dimension (shape ${JSON.stringify(input.shape)})`, 'pass { maxVariableDim: N } (kig inspect --max-variable-dim N) with the longest sequence a client may send');
      }
      if (dtype) inputs.push({ name: input.name, dtype, shape, ...(variable ? { maxVariableDim: options.maxVariableDim } : {}) });
    }
    const fixed = fixedBatches.length === 1 ? fixedBatches[0] : undefined;
    const maxBatchSize = options.maxBatchSize ?? fixed ?? DEFAULT_MODEL_MAX_BATCH_SIZE;
    if (fixed !== undefined) c.require(maxBatchSize <= fixed, 'maxBatchSize', maxBatchSize, `at most the model's fixed batch dimension ${fixed}`, `pass maxBatchSize <= ${fixed} or export the model with an open batch dimension`);
    c.throwIfAny(`cannot build a request signature from ${model.source}`);
    return new ModelSignature({ inputs, maxBatchSize, signatureName: model.signatureName });
  }

  public readonly inputs: TensorSpecProps[];
  public readonly maxBatchSize: number;
  public readonly signatureName: string;

  private constructor(props: ModelSignatureProps) {
    const c = new ProblemCollector('SIGNATURE_INVALID', 'ModelSignature');
    c.require(Array.isArray(props.inputs) && props.inputs.length > 0, 'signature.inputs', props.inputs, 'at least one input', 'list the inputs of the serving signature');
    c.intInRange('signature.maxBatchSize', props.maxBatchSize, 1, MAX_BATCH_SIZE_LIMIT, 'set the largest batch a client may send in one request');
    (props.inputs ?? []).forEach((input, i) => {
      const p = `signature.inputs[${i}]`;
      c.require(typeof input.name === 'string' && /^[A-Za-z0-9_.:/-]+$/.test(input.name), `${p}.name`, input.name, 'a tensor name ([A-Za-z0-9_.:/-]+)', 'use the input name from the serving signature');
      const first = (props.inputs ?? []).findIndex((other) => other.name === input.name);
      c.require(first === i, `${p}.name`, input.name, `a name no other input has (inputs[${first}] has it too)`, 'give each input its own name: the request keys instances by input name');
      c.require(input.dtype instanceof TensorDType, `${p}.dtype`, input.dtype, 'a TensorDType (TensorDType.FLOAT32, TensorDType.of("float32"), ...)',
        "give the dtype of the model's serving signature (saved_model_cli show --all)");
      c.require(Array.isArray(input.shape) && input.shape.every((d) => d === -1 || (Number.isInteger(d) && d > 0)), `${p}.shape`, input.shape, 'positive integers or -1 (variable), without the batch dimension', 'drop the batch dimension and use -1 for variable dimensions');
      const variable = (input.shape ?? []).some((d) => d === -1);
      if (variable) c.require(Number.isInteger(input.maxVariableDim) && (input.maxVariableDim ?? 0) > 0, `${p}.maxVariableDim`, input.maxVariableDim, 'a positive integer when the shape has -1', 'bound the variable dimension so the request size is bounded');
    });
    c.throwIfAny('invalid model signature');
    this.inputs = props.inputs.map((i) => ({ ...i, shape: [...i.shape] }));
    this.maxBatchSize = props.maxBatchSize;
    this.signatureName = props.signatureName ?? 'serving_default';
  }

  /**
   * The same signature with a smaller batch and, optionally, a smaller bound on every variable
   * dimension (each input keeps its own bound when that is smaller): what `POST /predict` admits
   * when its cost is capped (`QueueLimits.syncMaxBatchSize`, `syncMaxVariableDim`).
   * @param maxBatchSize largest batch, at most this signature's
   * @param maxVariableDim bound of every variable dimension; 0 or none keeps each input's own
   */
  public narrowed(maxBatchSize: number, maxVariableDim?: number): ModelSignature {
    const bound = maxVariableDim ?? 0;
    const c = new ProblemCollector('SIGNATURE_INVALID', 'ModelSignature.narrowed');
    c.intInRange('maxBatchSize', maxBatchSize, 1, this.maxBatchSize, 'narrow the batch, never widen it');
    c.intInRange('maxVariableDim', bound, 0, Number.MAX_SAFE_INTEGER, '0 keeps each input\'s own bound');
    c.throwIfAny('invalid narrowed signature');
    return new ModelSignature({
      inputs: this.inputs.map((i) => (i.maxVariableDim !== undefined && bound > 0 ? { ...i, maxVariableDim: Math.min(i.maxVariableDim, bound) } : i)),
      maxBatchSize,
      signatureName: this.signatureName,
    });
  }

  /** JSON schema (draft-04) of one instance. */
  private instanceSchema(): Record<string, unknown> {
    if (this.inputs.length === 1) return tensorSchema(this.inputs[0]);
    return {
      type: 'object',
      additionalProperties: false,
      required: this.inputs.map((i) => i.name),
      properties: Object.fromEntries(this.inputs.map((i) => [i.name, tensorSchema(i)])),
    };
  }

  /**
   * JSON schema (draft-04) of a request body in TF Serving's row format:
   * `{"signature_name"?: string, "instances": [instance, ...]}`, at most `maxBatchSize` instances,
   * no unknown fields.
   */
  public toJsonSchema(): Record<string, unknown> {
    return {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'PredictRequest',
      type: 'object',
      additionalProperties: false,
      required: ['instances'],
      properties: {
        signature_name: { type: 'string', enum: [this.signatureName] },
        instances: { type: 'array', minItems: 1, maxItems: this.maxBatchSize, items: this.instanceSchema() },
      },
    };
  }

  /** One line describing the signature: `name dtype [shape], ... max batch N, signature S`. */
  public describe(): string {
    const inputs = this.inputs.map((i) => `${i.name} ${i.dtype.name} ${JSON.stringify(i.shape)}${i.maxVariableDim !== undefined ? ` (variable <= ${i.maxVariableDim})` : ''}`).join(', ');
    return `${inputs}; max batch ${this.maxBatchSize}; signature "${this.signatureName}"`;
  }

  /**
   * Where this signature disagrees with the model's own (`model`, read from the model file): a
   * missing or extra input, another dtype, another rank, a fixed dimension of another size, or a
   * variable dimension where the model's is fixed, or another signature name. A fixed size where
   * the model's dimension is variable narrows it and is allowed. Empty when they agree.
   */
  public differencesFrom(model: ModelSignature): string[] {
    const out: string[] = [];
    if (this.signatureName !== model.signatureName) out.push(`signature name "${this.signatureName}" is not the model's "${model.signatureName}"`);
    for (const m of model.inputs) {
      const mine = this.inputs.find((i) => i.name === m.name) ?? (this.inputs.length === 1 && model.inputs.length === 1 ? this.inputs[0] : undefined);
      if (!mine) {
        out.push(`input "${m.name}" of the model is missing`);
        continue;
      }
      if (mine.dtype !== m.dtype) out.push(`input "${m.name}": dtype ${mine.dtype.name}, the model's is ${m.dtype.name}`);
      const agrees = mine.shape.length === m.shape.length && mine.shape.every((d, k) => m.shape[k] === -1 || d === m.shape[k]);
      if (!agrees) out.push(`input "${m.name}": shape ${JSON.stringify(mine.shape)}, the model's is ${JSON.stringify(m.shape)}`);
    }
    for (const i of this.inputs) {
      if (!model.inputs.some((m) => m.name === i.name) && !(this.inputs.length === 1 && model.inputs.length === 1)) out.push(`input "${i.name}" is not an input of the model`);
    }
    return out;
  }

  /** Upper estimate (bytes) of a body the schema accepts, with every element at its longest JSON text. */
  public estimatedMaxBodyBytes(): number {
    const perInstance = this.inputs.reduce((sum, i) => {
      const elements = i.shape.reduce((n, d) => n * (d === -1 ? (i.maxVariableDim ?? 1) : d), 1);
      const brackets = i.shape.reduce((n, _d, k) => n + 2 * i.shape.slice(0, k).reduce((m, e) => m * (e === -1 ? (i.maxVariableDim ?? 1) : e), 1), 0);
      return sum + elements * i.dtype.maxJsonChars + brackets + (this.inputs.length > 1 ? i.name.length + 4 : 0);
    }, 0);
    return 64 + this.signatureName.length + this.maxBatchSize * (perInstance + 2);
  }
}

function tensorSchema(spec: TensorSpecProps): Record<string, unknown> {
  const element: Record<string, unknown> = { type: spec.dtype.jsonType };
  if (spec.dtype.minimum !== undefined) element.minimum = spec.dtype.minimum;
  if (spec.dtype.maximum !== undefined) element.maximum = spec.dtype.maximum;
  // Build from the innermost dimension outwards.
  let schema: Record<string, unknown> = element;
  for (let k = spec.shape.length - 1; k >= 0; k--) {
    const d = spec.shape[k];
    schema = d === -1
      ? { type: 'array', minItems: 1, maxItems: spec.maxVariableDim, items: schema }
      : { type: 'array', minItems: d, maxItems: d, items: schema };
  }
  return schema;
}
