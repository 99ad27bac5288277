import Ajv from 'ajv-draft-04';
import type { RequestProblem } from './errors';

/** Most problems listed in one 400 body: enough to fix a request, bounded for huge tensors. */
const MAX_PROBLEMS = 20;

/**
 * Compiles the model's request schema (the draft-04 schema API Gateway validates `/predict`
 * with) into a validator that lists every problem, so `/jobs` and `/predict` accept exactly the
 * same bodies.
 */
export function compileRequestSchema(schema: object): (body: unknown) => RequestProblem[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return (body: unknown) => {
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, MAX_PROBLEMS).map((e) => ({
      path: e.instancePath === '' ? '/' : e.instancePath,
      message: e.message ?? e.keyword,
    }));
  };
}
