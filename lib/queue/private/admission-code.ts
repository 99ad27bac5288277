import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { aws_lambda as lambda } from 'aws-cdk-lib';
import { builtAsset } from '../../core/package-assets';

/** Name of the generated validator beside the admission bundle (handlers/shared/request-validator.ts reads the same name). */
const VALIDATOR_FILE = 'request-validator.js';

/** The code generator bundled at build time (handlers/shared/schema.ts): ajv's standalone mode. */
interface RequestSchemaCodegen {
  requestValidatorSource(schema: object): string;
}

/**
 * The admission function's code for one request schema: the bundled handler and, beside it, the
 * schema compiled to ajv's standalone validation code here, at synth, so the function compiles no
 * schema at a cold start and carries no schema compiler.
 *
 * The pair is written once per content to a folder of the system's temporary directory named after
 * its hash (the asset hash follows the content, as for any `Code.fromAsset`); the CDK copies it into
 * the cloud assembly.
 */
export function admissionCode(schema: object): lambda.Code {
  return lambda.Code.fromAsset(stageAdmission(schema));
}

/** Writes (once) the folder with the admission bundle and the schema's validator; returns it. */
export function stageAdmission(schema: object): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const codegen = require(builtAsset('codegen/request-schema.js')) as RequestSchemaCodegen;
  const validator = codegen.requestValidatorSource(schema);
  const bundle = fs.readFileSync(builtAsset('handlers/admission/index.js'));
  const hash = createHash('sha256').update(bundle).update('\0').update(validator).digest('hex').slice(0, 32);
  const dir = path.join(os.tmpdir(), `keras-inference-guard-admission-${hash}`);
  if (fs.existsSync(path.join(dir, VALIDATOR_FILE))) return dir;
  // Written to a private folder, then renamed into place: a concurrent synth never sees half a folder.
  const partial = fs.mkdtempSync(`${dir}.partial-`);
  fs.writeFileSync(path.join(partial, 'index.js'), bundle);
  fs.writeFileSync(path.join(partial, VALIDATOR_FILE), validator);
  try {
    fs.renameSync(partial, dir);
  } catch (e) {
    // Another process staged the same content first.
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, VALIDATOR_FILE))) throw e;
  }
  return dir;
}
