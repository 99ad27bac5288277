import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { formatProblem, InferenceGuardError, ProblemCollector } from '../core';
import { inspectModel, MemoryFloor, ModelInspection, signatureJson } from '../model/inspection';
import { DEFAULT_MODEL_MAX_BATCH_SIZE, MAX_BATCH_SIZE_LIMIT } from '../model';
import { withUsageErrors } from './args';
import { CliCommand, CliIo, EXIT } from './io';

const HELP = `Usage: kig inspect <SavedModel directory | model.keras> [options]

Reads the model itself and prints what the limits need from it:
  - the serving signature: input and output names, dtypes and shapes (-1 = open), and the request
    schema built from it (ModelSignature.fromSavedModel / fromKerasFile);
  - the parameter count and the weight bytes by dtype (SavedModel: every variable the server
    restores, from saved_model.pb's object graph; .keras: the datasets in model.weights.h5);
  - a memory floor for the host and for the GPU, with the formula:
      host = weights + largest request JSON + input tensors + output tensors at the max batch
      GPU  = weights + input tensors + output tensors at the max batch
    (activations and the server's own memory are not included: kig profile measures the peak);
  - the largest valid request in TF Serving's row format at the max batch, every element at the
    widest JSON text a client writes for its dtype: the payload cap is derived from it;
  - cost units: one unit is one instance at its largest shape; the largest request's cost, which
    the job queue budgets (kig limits --model prints the calibrated figures);
  - a draft profile: the fields the model gives (maxRequestBytes, memory floors, signature), every
    other field marked unmeasured. kig profile --draft FILE completes it.

A SavedModel directory is what model.export(dir) writes (or a folder of numeric versions, the
highest of which is read, as TF Serving serves it). A .keras file is what model.save() writes.

Options:
  --signature NAME        serving signature to read (default serving_default)
  --max-batch N           largest batch one request may carry (default: the model's fixed batch
                          dimension, else ${DEFAULT_MODEL_MAX_BATCH_SIZE})
  --max-variable-dim N    bound for variable dimensions other than the batch (required when the
                          model has one, e.g. a text model's sequence length)
  --draft-out FILE        write the draft profile JSON here
  --request-out FILE      write the largest request body here (a payload for kig profile)
  --json                  print everything as JSON; a failure is a JSON document
                          {"error": {...}} on stdout too
  -h, --help              show this help

Exit codes:
  0    inspected
  2    bad usage, or the model cannot be read (missing directory, truncated saved_model.pb, a
       .keras file that is not a zip, a signature name the model does not have); one line names
       the file
`;

const n = (v: number) => v.toLocaleString('en-US');

function floorLines(title: string, f: MemoryFloor): string[] {
  return [`  ${title}: ${n(f.bytes)} bytes (${f.mib} MiB)`, `    = ${f.formula}`, ...f.terms.map((t) => `      ${t.name}: ${t.formula}`)];
}

function text(r: ModelInspection): string {
  const m = r.model;
  const shape = (s: number[], unknown?: boolean) => (unknown ? 'unknown rank' : `[${s.join(', ')}]`);
  const producer = Object.entries(m.producer).map(([k, v]) => `${k} ${v}`).join(', ');
  const out: string[] = [
    `${m.kind === 'keras' ? 'Keras archive' : 'SavedModel'}: ${m.source}${producer ? ` (${producer})` : ''}`,
    '',
    `Serving signature "${m.signatureName}"${m.signatureNames.length > 1 ? ` (in the file: ${m.signatureNames.join(', ')})` : ''}`,
    ...m.inputs.map((i) => `  input   ${i.name}  ${i.dtype}  ${shape(i.shape, i.unknownRank)}`),
    ...m.outputs.map((o) => `  output  ${o.name}  ${o.dtype}  ${shape(o.shape, o.unknownRank)}`),
    `  request schema: ${r.signature.describe()}`,
    '',
  ];
  if (m.weights) {
    const byDtype = Object.entries(m.weights.byDtype);
    out.push(`Parameters: ${n(m.weights.params)} (${byDtype.map(([d, w]) => `${d} ${n(w.params)}`).join(', ')})`);
    out.push(`Weight bytes: ${n(r.weightBytes)} (${byDtype.map(([d, w]) => `${d} ${n(w.bytes)}`).join(', ')})`);
  } else {
    out.push(m.weightFiles.some((f) => f.path.endsWith('.npz'))
      ? 'Parameters: not counted (model.weights.npz keeps each layer\'s variables in one pickled array; its size is the weight bytes)'
      : 'Parameters: not found (no model.weights.h5 in the archive)');
    out.push(`Weight bytes: ${n(r.weightBytes)}`);
  }
  out.push(`  from ${r.weightSource}`);
  out.push(`  files: ${m.weightFiles.map((f) => `${path.basename(f.path.replace('!', '/'))} ${n(f.bytes)} bytes`).join(', ') || 'none'}`);
  out.push('', 'Memory floor (activations and the server itself not included; kig profile measures the peak):');
  out.push(...floorLines('host', r.hostMemoryFloor), ...floorLines('GPU', r.gpuMemoryFloor));
  out.push('', `Largest request: ${n(r.largestRequest.bytes)} bytes ({"instances": [...]} at max batch ${r.signature.maxBatchSize}, every element at its widest JSON text)`);
  out.push('  the profile\'s maxRequestBytes; the API payload cap is derived from it (kig limits)');
  out.push('', `Cost units: one unit is one instance at its largest shape (${n(r.cost.referenceElements)} elements); the largest request costs ${r.cost.maxRequestCostUnits} units`);
  out.push(`  ${r.cost.formula} (fixed share assumed; kig limits --model with a profile of several payload sizes measures it)`);
  const unmeasured = Object.entries(r.draftProfile).filter(([, v]) => typeof v === 'object' && v !== null && (v as { unmeasured?: boolean }).unmeasured).map(([k]) => k);
  out.push('', `Draft profile: maxRequestBytes ${r.largestRequest.bytes}, memory floors and signature from the model; unmeasured: ${unmeasured.join(', ')}`);
  out.push('  complete it with: kig profile --draft DRAFT.json --url ... --payload ...');
  return out.join('\n') + '\n';
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('inspect', () => parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: {
      'signature': { type: 'string' },
      'max-batch': { type: 'string' },
      'max-variable-dim': { type: 'string' },
      'draft-out': { type: 'string' },
      'request-out': { type: 'string' },
      'json': { type: 'boolean' },
    },
  }));
  const c = new ProblemCollector('CLI_USAGE', 'kig inspect');
  c.require(positionals.length === 1, '<model>', positionals.join(' ') || undefined, 'one SavedModel directory or .keras file', 'e.g. kig inspect ./export');
  const int = (name: string, t: string | undefined, max: number) => {
    if (t === undefined) return undefined;
    const v = Number(t);
    c.require(Number.isInteger(v) && v >= 1 && v <= max, name, t, `an integer from 1 to ${max}`, `pass ${name} N`);
    return v;
  };
  const maxBatchSize = int('--max-batch', values['max-batch'], MAX_BATCH_SIZE_LIMIT);
  const maxVariableDim = int('--max-variable-dim', values['max-variable-dim'], 1_000_000);
  c.throwIfAny('invalid options');
  const file = path.resolve(io.cwd, positionals[0]);
  let r: ModelInspection;
  try {
    r = inspectModel(file, { signatureName: values.signature, maxBatchSize, maxVariableDim });
  } catch (e) {
    if (!(e instanceof InferenceGuardError)) throw e;
    // One line that names the file: the reader's problems joined.
    io.stderr(`kig inspect: ${e.path}: ${e.problems.map(formatProblem).join('; ')}\n`);
    return EXIT.USAGE;
  }
  const write = (opt: string | undefined, content: string) => {
    if (!opt) return undefined;
    const f = path.resolve(io.cwd, opt);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
    return f;
  };
  const draftFile = write(values['draft-out'], JSON.stringify(r.draftProfile, null, 2) + '\n');
  const requestFile = write(values['request-out'], r.largestRequest.body);
  if (values.json) {
    const { largestRequest, signature, ...rest } = r;
    io.stdout(JSON.stringify({
      ...rest, signature: signatureJson(signature), requestSchema: signature.toJsonSchema(),
      largestRequest: { bytes: largestRequest.bytes, file: requestFile }, draftFile,
    }, null, 2) + '\n');
    return EXIT.OK;
  }
  io.stdout(text(r) + (draftFile ? `draft profile: ${draftFile}\n` : '') + (requestFile ? `largest request: ${requestFile}\n` : ''));
  return EXIT.OK;
}

/** `kig inspect`. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'read a SavedModel or .keras file: signature, weights, memory floor, largest request, draft profile',
  help: HELP,
  run,
};
