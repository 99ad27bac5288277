/**
 * Integer rounding of derived numbers that tolerates binary floating point: 180 x 60 x 0.7 is
 * 7559.999999999999 in IEEE 754, and a plain floor makes it 7559. Values are first snapped to
 * 6 decimals, far below any unit the limits use.
 */
const snap = (n: number): number => Math.round(n * 1e6) / 1e6;

/** floor(n), with n snapped to 6 decimals first. */
export function floorInt(n: number): number {
  return Math.floor(snap(n));
}

/** ceil(n), with n snapped to 6 decimals first. */
export function ceilInt(n: number): number {
  return Math.ceil(snap(n));
}
