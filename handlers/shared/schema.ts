import Ajv from 'ajv-draft-04';
import standaloneCode from 'ajv/dist/standalone';
import type { RequestProblem } from './errors';
import { problemsOf, SchemaValidateFunction } from './request-validator';

/**
 * ajv's standalone code (a CommonJS module exporting the validation function) of the model's
 * request schema: the draft-04 schema API Gateway validates `/predict` with. Generated when the
 * app is synthesized and shipped beside the admission bundle, so the function compiles no schema
 * at a cold start and carries no schema compiler. Options as the admission function always used:
 * every problem (`allErrors`), unknown keywords ignored (`strict: false`).
 *
 * The schema is a `ModelSignature`'s: types, bounds, item counts, `enum` of strings and
 * `additionalProperties`, whose code needs no ajv runtime helper. A schema whose code would
 * (`require(...)` of `ajv/dist/runtime/*`, e.g. `minLength` or `uniqueItems`) is refused here,
 * at synth, rather than failing at the function's first cold start.
 */
export function requestValidatorSource(schema: object): string {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
  const source = standaloneCode(ajv, ajv.compile(schema));
  const helper = /require\(("[^"]*")\)/.exec(source);
  if (helper) {
    throw new Error(`the request schema needs the validation runtime helper ${helper[1]}, which the admission function does not ship; `
      + 'request schemas are generated from a ModelSignature (types, bounds, item counts), which never need one');
  }
  return source;
}

/** Loads a generated validator module's function from its source text. */
export function loadValidatorSource(source: string): SchemaValidateFunction {
  const module = { exports: {} as unknown };
  // The generated code is a CommonJS module that requires nothing (checked above).
  new Function('module', 'exports', source)(module, module.exports);
  return module.exports as SchemaValidateFunction;
}

/**
 * The admission function's validator of a request schema, built the way the deployed function
 * gets it: ajv's standalone code, generated and then loaded. Lists every problem (at most 20).
 */
export function compileRequestSchema(schema: object): (body: unknown) => RequestProblem[] {
  return problemsOf(loadValidatorSource(requestValidatorSource(schema)));
}
