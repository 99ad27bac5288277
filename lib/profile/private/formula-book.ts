/**
 * The formulas behind derived numbers, by dotted path. Every derived number is "the value given,
 * or the derived one, with its formula": `pick` records which, so each section says it once.
 */
export class FormulaBook {
  private readonly entries: { [path: string]: string } = {};

  /**
   * The given value when there is one, else the derived one; records `override (value unit)` or the
   * derivation's formula under `path`.
   */
  public pick(path: string, given: number | undefined, derived: number, formula: string, unit = ''): number {
    this.entries[path] = given !== undefined ? `override (${given}${unit ? ` ${unit}` : ''})` : formula;
    return given ?? derived;
  }

  /** Records the formula of a number that has no override. */
  public set(path: string, formula: string): void {
    this.entries[path] = formula;
  }

  /** Adds to the formula already recorded under `path`. */
  public append(path: string, text: string): void {
    this.entries[path] = `${this.entries[path] ?? ''}${text}`;
  }

  /** Every formula recorded. */
  public get all(): { [path: string]: string } {
    return { ...this.entries };
  }
}
