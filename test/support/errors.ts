import { InferenceGuardError } from '../../lib/core';

/** Runs `fn`, expects an InferenceGuardError, and returns the props its problems name. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InferenceGuardError);
    return (e as InferenceGuardError).problems.map((p) => p.prop);
  }
  throw new Error('expected an InferenceGuardError, but nothing was thrown');
}

/** Runs `fn` and returns the InferenceGuardError it throws (any other outcome fails the test). */
export function errorOf(fn: () => unknown): InferenceGuardError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InferenceGuardError) return e;
    throw e;
  }
  throw new Error('expected an InferenceGuardError');
}
