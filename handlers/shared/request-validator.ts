import type { RequestProblem } from './errors';

/** Most problems listed in one 400 body: enough to fix a request, bounded for huge tensors. */
const MAX_PROBLEMS = 20;

/** One problem as an ajv validation function reports it (its `errors` after a failed call). */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
}

/**
 * A validation function of the model's request schema: ajv's standalone code, generated from the
 * schema when the app is synthesized (`schema.ts`), so a cold start compiles nothing.
 */
export interface SchemaValidateFunction {
  (data: unknown): boolean;
  errors?: readonly SchemaError[] | null;
}

/**
 * Turns a validation function into a validator that lists every problem (at most 20), so `/jobs`
 * and `/predict` (validated by API Gateway with the same draft-04 schema) accept exactly the same bodies.
 */
export function problemsOf(validate: SchemaValidateFunction): (body: unknown) => RequestProblem[] {
  return (body: unknown) => {
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, MAX_PROBLEMS).map((e) => ({
      path: e.instancePath === '' ? '/' : e.instancePath,
      message: e.message ?? e.keyword,
    }));
  };
}
