export { HANDLER_ENV as ENV } from '../../lib/queue/handler-env';

/** Reads a handler setting set by the construct. Fails fast at init when it is missing. */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set; the construct sets it`);
  return v;
}

/** A numeric setting. */
export function numberEnv(name: string, fallback?: number): number {
  const raw = process.env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const n = Number(requireEnv(name));
  if (!Number.isFinite(n)) throw new Error(`environment variable ${name} = ${JSON.stringify(raw)} is not a number`);
  return n;
}
