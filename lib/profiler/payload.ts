import * as fs from 'fs';
import * as path from 'path';
import { ProblemCollector } from '../core';

/** Wire format of the model server. */
export type RequestFormat = 'tfserving' | 'sagemaker' | 'raw';

/** A request body read from a payload file. */
export interface Payload {
  /** The path as given. */
  readonly file: string;
  readonly body: Buffer;
}

/**
 * Picks the request format from the URL when none is given: TF Serving's REST predict route ends
 * in `:predict`, SageMaker containers serve `/invocations`; anything else is sent as is.
 */
export function detectFormat(url: string): RequestFormat {
  const p = new URL(url).pathname;
  if (/:predict$/.test(p)) return 'tfserving';
  if (/\/invocations$/.test(p)) return 'sagemaker';
  return 'raw';
}

/**
 * Completes a base URL for the format: `http://host:8501` + tfserving + model `m` becomes
 * `http://host:8501/v1/models/m:predict`; a bare host + sagemaker gets `/invocations`.
 * A URL that already has a path is used as given.
 */
export function resolveTargetUrl(url: string, format: RequestFormat, model?: string): string {
  const u = new URL(url);
  if (u.pathname !== '/' && u.pathname !== '') return url;
  if (format === 'tfserving' && model) u.pathname = `/v1/models/${encodeURIComponent(model)}:predict`;
  if (format === 'sagemaker') u.pathname = '/invocations';
  return u.toString();
}

/**
 * Reads every payload file and checks it fits the format. Collects every problem and throws
 * once, naming the option, the file and what is expected.
 */
export function loadPayloads(files: readonly string[], format: RequestFormat, cwd: string): Payload[] {
  const c = new ProblemCollector('PAYLOAD_INVALID', '--payload');
  if (files.length === 0) {
    c.add('--payload', undefined, 'at least one request body file', 'pass --payload FILE (repeat it for several input sizes)');
  }
  const payloads: Payload[] = [];
  for (const file of files) {
    let body: Buffer;
    try {
      body = fs.readFileSync(path.resolve(cwd, file));
    } catch (e) {
      c.add('--payload', file, 'a readable file', `check the path (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      continue;
    }
    if (body.length === 0) {
      c.add('--payload', file, 'a non-empty request body', 'write one request body into the file');
      continue;
    }
    if (format === 'tfserving') {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (e) {
        c.add('--payload', file, 'a JSON request body for TF Serving\'s REST predict API', `fix the JSON (${(e as Error).message})`);
        continue;
      }
      const obj = json as Record<string, unknown>;
      const ok = typeof obj === 'object' && obj !== null && !Array.isArray(obj)
        && (Array.isArray(obj.instances) || obj.inputs !== undefined);
      if (!ok) {
        c.add('--payload', file, 'a JSON object with "instances": [...] (row format) or "inputs" (columnar format)',
          'wrap the model input as {"instances": [<input>]}, or pass --format raw to send the file as is');
        continue;
      }
    }
    payloads.push({ file, body });
  }
  c.throwIfAny('cannot use the payload files');
  return payloads;
}

