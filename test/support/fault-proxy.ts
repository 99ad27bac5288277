import * as http from 'http';
import * as net from 'net';
import { localClients, MotoServer, startMoto } from './moto';

/** One request that reached the proxy. */
export interface ProxiedRequest {
  /** Its operation, from the X-Amz-Target header of the AWS JSON protocols: `AmazonSQS.SendMessage`, `DynamoDB_20120810.UpdateItem`. */
  readonly target: string;
  /** Its JSON body as text. */
  readonly body: string;
  /** Position among the requests of the same target (0 = first). */
  readonly index: number;
}

/**
 * What the proxy does with a request:
 * - `pass`: forwards it and relays the answer;
 * - `refuse`: answers the error itself; the request never reaches the peer (nothing happened);
 * - `lose-answer`: forwards it (the peer applies it), then closes the connection instead of
 *   relaying the answer, as when a response is lost on the network: the caller cannot tell
 *   whether the request took effect, and the SDK retries it.
 */
export type Fault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'refuse'; readonly status: number; readonly errorType: string }
  | { readonly kind: 'lose-answer' };

export const PASS: Fault = { kind: 'pass' };
/** The answer SQS and DynamoDB give when they cannot serve a request (AWS JSON error shape, `__type`). */
export const UNAVAILABLE: Fault = { kind: 'refuse', status: 503, errorType: 'ServiceUnavailable' };
export const LOSE_ANSWER: Fault = { kind: 'lose-answer' };

/**
 * An HTTP proxy in front of moto_server that injects faults into chosen AWS requests, so a test
 * can place a failure exactly where a race needs it (a write applied whose answer is lost, a
 * SendMessage refused after the job record was written) with the real SDK and the real handlers.
 * `decide` may wait (return a promise) to hold a request until another step of the test has
 * happened: the order comes from the steps' own progress, not from timers.
 */
export class FaultProxy {
  /** Starts a proxy on a free loopback port that forwards to `upstream` (http://127.0.0.1:PORT). */
  public static async start(upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(upstream));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Every request seen, in arrival order. */
  public readonly requests: ProxiedRequest[] = [];
  /** Decides each request's fate; replace it per test. */
  public decide: (req: ProxiedRequest) => Fault | Promise<Fault> = () => PASS;
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly agent = new http.Agent({ keepAlive: true });

  private constructor(private readonly upstream: URL) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${e.message}`);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** The requests of one target, e.g. `requestsOf('AmazonSQS.SendMessage')`. */
  public requestsOf(target: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.target === target);
  }

  public async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
    const seen: ProxiedRequest = { target, body: body.toString('utf8'), index: this.requestsOf(target).length };
    this.requests.push(seen);
    const fault = await this.decide(seen);
    if (fault.kind === 'refuse') {
      res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': fault.errorType });
      res.end(JSON.stringify({ __type: fault.errorType, message: 'injected by the fault proxy' }));
      return;
    }
    const answer = await this.forward(req, body);
    if (fault.kind === 'lose-answer') {
      res.socket?.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = http.request({
        host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, agent: this.agent,
        headers: { ...req.headers, host: this.upstream.host, 'content-length': String(body.length) },
      }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) }));
        answer.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }
}

/** moto_server with a FaultProxy in front of it, for one test file (see motoBehindFaultProxy). */
export interface MotoBehindFaultProxy {
  /** Clients that talk to moto_server directly: the test's own setup and checks. */
  readonly direct: ReturnType<typeof localClients>;
  /** Clients that go through the proxy: the code under test. */
  readonly proxied: ReturnType<typeof localClients>;
  /** The proxy: its faults (`decide`) and the requests it saw; both reset before each test. */
  readonly proxy: FaultProxy;
}

/**
 * Starts one moto_server and a FaultProxy in front of it for the calling test file (jest's
 * beforeAll), stops both after its tests, and resets the proxy's faults and record before each
 * test. Call it at the top level of the file; read the fields inside the tests.
 */
export function motoBehindFaultProxy(): MotoBehindFaultProxy {
  let state: (MotoBehindFaultProxy & { server: MotoServer }) | undefined;
  beforeAll(async () => {
    const server = await startMoto();
    const proxy = await FaultProxy.start(server.endpoint);
    state = { server, proxy, direct: localClients(server.endpoint), proxied: localClients(proxy.endpoint) };
  });
  afterAll(async () => {
    await state?.proxy.stop();
    await state?.server.stop();
  });
  beforeEach(() => {
    if (!state) return;
    state.proxy.decide = () => PASS;
    state.proxy.requests.length = 0;
  });
  const get = () => {
    if (!state) throw new Error('moto_server is not running: read the peer inside a test, after beforeAll');
    return state;
  };
  return { get direct() { return get().direct; }, get proxied() { return get().proxied; }, get proxy() { return get().proxy; } };
}
