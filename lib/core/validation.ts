import { Token } from 'aws-cdk-lib';
import { InferenceGuardError, ValidationProblem } from './errors';

/** Renders a value for an error message. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** True when a value (or any string/number inside it) is an unresolved CDK token. */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'string') return Token.isUnresolved(value);
  return false;
}

/**
 * Collects every problem found while validating, then throws once.
 *
 * Checks on values that are unresolved tokens are skipped: they are only known at deploy time.
 */
export class ProblemCollector {
  private readonly problems: ValidationProblem[] = [];

  constructor(private readonly code: string, private readonly path: string) {}

  /** Records a problem. */
  public add(prop: string, value: unknown, allowed: string, fix: string): void {
    this.problems.push({ prop, value: show(value), allowed, fix });
  }

  /** Records a problem unless `ok` holds or `value` is an unresolved token. */
  public require(ok: boolean, prop: string, value: unknown, allowed: string, fix: string): void {
    if (ok || isUnresolved(value)) return;
    this.add(prop, value, allowed, fix);
  }

  /** Checks that an optional number is an integer within [min, max]. */
  public intInRange(prop: string, value: number | undefined, min: number, max: number, fix?: string): void {
    if (value === undefined || isUnresolved(value)) return;
    this.require(
      Number.isInteger(value) && value >= min && value <= max,
      prop, value, `an integer from ${min} to ${max}`, fix ?? `set ${prop} between ${min} and ${max}`,
    );
  }

  /** Checks that an optional number is finite and within [min, max]. */
  public numberInRange(prop: string, value: number | undefined, min: number, max: number, fix?: string): void {
    if (value === undefined || isUnresolved(value)) return;
    this.require(
      Number.isFinite(value) && value >= min && value <= max,
      prop, value, `a number from ${min} to ${max}`, fix ?? `set ${prop} between ${min} and ${max}`,
    );
  }

  /**
   * Checks that a number the library computes with is known at synth time and finite: NaN,
   * ±Infinity and CDK tokens (which encode as huge negative numbers) would otherwise flow into
   * formulas and come out as `null` or nonsense in the template.
   */
  public concreteNumber(prop: string, value: unknown, fix?: string): boolean {
    if (value === undefined) return true;
    const token = typeof value === 'number' && Token.isUnresolved(value);
    const ok = typeof value === 'number' && Number.isFinite(value) && !token;
    if (!ok) {
      this.problems.push({
        prop, value: token ? 'a CDK token (only known at deploy time)' : show(value),
        allowed: 'a finite number known at synth time',
        fix: fix ?? `give ${prop} a plain number: limits are derived from it at synth time`,
      });
    }
    return ok;
  }

  /**
   * Runs another validation pass and keeps its problems instead of stopping at its error, so one
   * error lists every problem of every pass. Returns the pass's result, or undefined when it failed.
   */
  public collect<T>(pass: () => T): T | undefined {
    try {
      return pass();
    } catch (e) {
      if (!(e instanceof InferenceGuardError)) throw e;
      this.problems.push(...e.problems);
      return undefined;
    }
  }

  /** Merges problems from another collector or list. */
  public addAll(problems: readonly ValidationProblem[]): void {
    this.problems.push(...problems);
  }

  public get list(): readonly ValidationProblem[] {
    return this.problems;
  }

  public get empty(): boolean {
    return this.problems.length === 0;
  }

  /** Throws one `InferenceGuardError` listing every problem, if there are any. */
  public throwIfAny(summary?: string): void {
    if (this.problems.length > 0) throw new InferenceGuardError(this.code, this.path, [...this.problems], summary);
  }
}
