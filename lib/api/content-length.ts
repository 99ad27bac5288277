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
    // No larger digit than 9. Otherwise d + 1 >= 1, so the first digit is never a leading zero.
    if (d === 9) continue;
    const rest = s.length - i - 1;
    alternatives.push(`${s.slice(0, i)}[${d + 1}-9]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^(${alternatives.join('|')})$`;
}
