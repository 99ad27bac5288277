import * as http from 'http';

/** One request the fake SageMaker API received. */
export interface ApiCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string;
}

/**
 * A local peer for the SageMaker control-plane API (protocol awsJson1_1: POST / with
 * `X-Amz-Target: SageMaker.<Operation>` and a JSON body). `handlers` answer by operation name;
 * an operation without a handler answers a 400 `UnknownOperationException` like the service.
 */
export async function startSageMakerApi(handlers: Record<string, (body: Record<string, unknown>, n: number) => { status?: number; json: unknown }>): Promise<{ url: string; calls: ApiCall[]; close(): Promise<void> }> {
  const calls: ApiCall[] = [];
  const counts: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      calls.push({ target, body, authorization: String(req.headers.authorization ?? '') });
      const op = target.replace(/^SageMaker\./, '');
      counts[op] = (counts[op] ?? 0) + 1;
      const h = handlers[op];
      const r = req.method === 'POST' && req.url === '/' && h ? h(body, counts[op]) : { status: 400, json: { __type: 'UnknownOperationException', message: `no handler for ${target}` } };
      const text = JSON.stringify(r.json);
      res.writeHead(r.status ?? 200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}
