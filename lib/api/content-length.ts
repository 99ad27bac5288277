/**
 * A regular expression that matches a decimal integer strictly greater than `n` (no sign, no
 * leading zeros), used by WAF to block a `Content-Length` above the payload cap: WAF inspects at
 * most 64 KB of a body, but it can read the header of any request.
 */
export function regexGreaterThan(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new Error(`regexGreaterThan: n = ${n}: allowed a non-negative integer`);
  const s = String(n);
  const alternatives: string[] = [];
  // Longer numbers are always larger.
  alternatives.push(`[1-9][0-9]{${s.length},}`);
  // Same length: equal prefix, then a larger digit, then anything.
  for (let i = 0; i < s.length; i++) {
    const d = Number(s[i]);
    if (d === 9) continue;
    const lo = i === 0 ? Math.max(d + 1, 1) : d + 1;
    if (lo > 9) continue;
    const rest = s.length - i - 1;
    alternatives.push(`${s.slice(0, i)}[${lo}-9]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^(${alternatives.join('|')})$`;
}
