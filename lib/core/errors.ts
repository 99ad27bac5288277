/**
 * One problem found while checking props or a profile.
 *
 * Every message names the prop, the value given, what is allowed and how to fix it,
 * so a user can act on it without reading the library's source.
 */
export interface ValidationProblem {
  /** Dotted path of the prop or field, e.g. `limits.integrationTimeout`. */
  readonly prop: string;
  /** The value that was given, rendered for humans. */
  readonly value: string;
  /** What is allowed. */
  readonly allowed: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Renders one problem as a single line. */
export function formatProblem(p: ValidationProblem): string {
  return `${p.prop} = ${p.value}: allowed ${p.allowed}. Fix: ${p.fix}`;
}

/**
 * The error type of this library. `code` is stable and machine-readable; `path` is the
 * construct path (or file) the problems belong to; `problems` lists every problem found,
 * because validation collects all of them and throws once.
 *
 * An Error subclass cannot be a jsii type: from Python the error arrives as a RuntimeError whose
 * message is this error's message, every problem included.
 *
 * @jsii ignore
 */
export class InferenceGuardError extends Error {
  public readonly code: string;
  public readonly path: string;
  public readonly problems: ValidationProblem[];

  constructor(code: string, path: string, problems: ValidationProblem[], summary?: string) {
    const head = summary ?? `${problems.length} invalid setting${problems.length === 1 ? '' : 's'} in ${path}`;
    super([`[${code}] ${head}:`, ...problems.map((p) => `  - ${formatProblem(p)}`)].join('\n'));
    this.name = 'InferenceGuardError';
    this.code = code;
    this.path = path;
    this.problems = problems;
  }
}
