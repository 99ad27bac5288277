/** Internal: limits of `kig review` input and the cutting of long text in its messages. Not exported by the package index. */

/**
 * Bounds on the input of `kig review`, so hostile or broken input gets a one-line error instead of
 * a hang, a crash or unbounded memory. Stated in `kig review --help`.
 */
export const REVIEW_LIMITS = {
  /**
   * Largest file read (bytes). CloudFormation itself takes templates of at most 1 MB (from S3); the
   * margin leaves room for unprocessed and generated templates.
   */
  maxFileBytes: 64 * 1024 * 1024,
  /** Deepest nesting of objects and arrays. Real templates stay below about 20 levels. */
  maxNestingDepth: 200,
  /** Characters of a logical id or value shown in an error message before it is cut. */
  maxShownChars: 120,
  /** Characters of one label, message or note in a report before it is cut (keeps reports bounded). */
  maxReportTextChars: 1_000,
} as const;

/** A string cut to `max` characters for a message, saying how much was cut. */
export function clip(s: string, max: number = REVIEW_LIMITS.maxShownChars): string {
  return s.length <= max ? s : `${s.slice(0, max)}... (${s.length - max} more characters)`;
}
