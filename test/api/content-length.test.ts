/** The WAF Content-Length rule's regex against numeric `>`: an independent reference, over random caps and lengths. */
import fc from 'fast-check';
import { regexGreaterThan } from '../../lib/api/content-length';

const blocks = (cap: number, length: number | string) => new RegExp(regexGreaterThan(cap)).test(String(length));

describe('regexGreaterThan(cap) matches exactly the decimal lengths above the cap', () => {
  test('property: random caps and random lengths of any size', () => {
    fc.assert(fc.property(fc.nat({ max: 50_000_000 }), fc.nat({ max: 2_000_000_000 }), (cap, length) => blocks(cap, length) === length > cap), { numRuns: 500 });
  });

  test('property: lengths near the cap (same number of digits, one digit changed, off by one)', () => {
    const near = fc.nat({ max: 50_000_000 }).chain((cap) => fc.tuple(fc.constant(cap), fc.oneof(
      fc.integer({ min: Math.max(0, cap - 3), max: cap + 3 }),
      fc.integer({ min: 0, max: String(cap).length - 1 }).chain((i) => fc.integer({ min: 0, max: 9 }).map((d) => {
        const s = String(cap);
        const changed = `${s.slice(0, i)}${d}${s.slice(i + 1)}`;
        return Number(changed.length > 1 ? changed.replace(/^0+(?=\d)/, '') : changed);
      })),
      fc.integer({ min: 10 ** (String(cap).length - 1), max: 10 ** String(cap).length - 1 }),
    )));
    fc.assert(fc.property(near, ([cap, length]) => blocks(cap, length) === length > cap), { numRuns: 1000 });
  });

  test('the payload cap of the example service (150,000 bytes): the cap passes, one byte more is blocked, 6 and 7 digits', () => {
    // Worked out by hand from the cap's digits "150000": longer numbers, then a larger digit after an equal prefix.
    expect(regexGreaterThan(150_000)).toBe('^([1-9][0-9]{6,}|[2-9][0-9]{5}|1[6-9][0-9]{4}|15[1-9][0-9]{3}|150[1-9][0-9]{2}|1500[1-9][0-9]{1}|15000[1-9])$');
    for (const ok of [0, 1, 9, 99_999, 100_000, 149_999, 150_000]) expect([ok, blocks(150_000, ok)]).toEqual([ok, false]);
    for (const over of [150_001, 150_010, 151_000, 199_999, 200_000, 999_999, 1_000_000, 6_291_456]) expect([over, blocks(150_000, over)]).toEqual([over, true]);
  });

  test('caps with 9s and 0s, and single digits', () => {
    expect(regexGreaterThan(0)).toBe('^([1-9][0-9]{1,}|[1-9])$');
    expect(regexGreaterThan(9)).toBe('^([1-9][0-9]{1,})$');
    expect(regexGreaterThan(99)).toBe('^([1-9][0-9]{2,})$');
    expect(regexGreaterThan(109)).toBe('^([1-9][0-9]{3,}|[2-9][0-9]{2}|1[1-9][0-9]{1})$');
    for (const [cap, length, over] of [[9, 9, false], [9, 10, true], [99, 100, true], [109, 110, true], [109, 109, false], [0, 0, false], [0, 1, true]] as const) {
      expect([cap, length, blocks(cap, length)]).toEqual([cap, length, over]);
    }
  });

  test('text that is not a plain decimal length does not match', () => {
    for (const s of ['', '-1', '+200000', '2e6', '200000.0', ' 200000', 'abc']) expect([s, blocks(150_000, s)]).toEqual([s, false]);
  });

  test('a cap that is not a non-negative integer is refused, naming the value', () => {
    expect(() => regexGreaterThan(-1)).toThrow('n = -1: allowed a non-negative integer');
    expect(() => regexGreaterThan(1.5)).toThrow('n = 1.5: allowed a non-negative integer');
    expect(() => regexGreaterThan(Number.NaN)).toThrow('allowed a non-negative integer');
  });
});
