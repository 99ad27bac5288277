import * as http from 'http';
import * as net from 'net';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { TEST_CREDENTIALS, TEST_REGION } from './moto';

/** What the fake endpoint answers to one call. */
export interface FakeAnswer {
  /** HTTP status. @default 200 */
  readonly status?: number;
  /** Error type for the x-amzn-ErrorType header (ModelError, ThrottlingException, ServiceUnavailable, InternalFailure, ...). */
  readonly errorType?: string;
  /** Response body (a JSON value, or a Buffer for raw bytes). @default echo of the request */
  readonly body?: unknown;
  /** Delay before answering (ms). @default 0 */
  readonly delayMs?: number;
  /**
   * Answer only once this settles: the call lasts until another step of the test has happened,
   * however long that step takes on a busy machine (a delay would have to outlast it).
   * @default answer at once (or after `delayMs`)
   */
  readonly until?: Promise<unknown>;
}

/** One call the fake endpoint received. */
export interface FakeCall {
  readonly endpointName: string;
  readonly body: string;
  readonly contentType?: string;
  /** When it arrived (ms since the epoch). */
  readonly at: number;
  /** What it answered. */
  status?: number;
  /** True when the client closed the connection before the answer (an aborted call). */
  aborted?: boolean;
}

/** Standard answers of the SageMaker runtime error shapes (sagemaker-runtime SDK model). */
export const SAGEMAKER_ERRORS = {
  modelError: { status: 424, errorType: 'ModelError', body: { message: 'Received client error (400) from primary with message "bad input"', OriginalStatusCode: 400, OriginalMessage: 'bad input' } },
  throttling: { status: 400, errorType: 'ThrottlingException', body: { message: 'Rate exceeded' } },
  throttling429: { status: 429, errorType: 'ThrottlingException', body: { message: 'Rate exceeded' } },
  serviceUnavailable: { status: 503, errorType: 'ServiceUnavailable', body: { message: 'Service unavailable' } },
  internalFailure: { status: 500, errorType: 'InternalFailure', body: { message: 'Internal failure' } },
} as const;

/**
 * A local HTTP server that speaks the SageMaker runtime InvokeEndpoint protocol
 * (`POST /endpoints/{name}/invocations`, restJson1 errors with `x-amzn-ErrorType`) and injects
 * latency, errors and throttling as told by `behave`.
 */
export class FakeSageMaker {
  /** Starts the server on a free loopback port. */
  public static async start(): Promise<FakeSageMaker> {
    const fake = new FakeSageMaker();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  public readonly calls: FakeCall[] = [];
  /** Decides the answer to each call; replace it per test. */
  public behave: (call: FakeCall, index: number) => FakeAnswer = () => ({});
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  public get url(): string {
    const { port } = this.server.address() as net.AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A real SDK client pointed at this server, with one attempt per call (the worker's setting). */
  public client(): SageMakerRuntimeClient {
    return new SageMakerRuntimeClient({ endpoint: this.url, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  }

  public reset(): void {
    this.calls.length = 0;
    this.behave = () => ({});
  }

  public async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/endpoints\/([^/]+)\/invocations$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
        res.end(JSON.stringify({ message: 'Unknown operation' }));
        return;
      }
      const call: FakeCall = { endpointName: decodeURIComponent(m[1]), body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'], at: Date.now() };
      const index = this.calls.push(call) - 1;
      const answer = this.behave(call, index);
      const send = () => {
        if (res.destroyed || req.socket.destroyed) {
          call.aborted = true;
          return;
        }
        const status = answer.status ?? 200;
        call.status = status;
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': `fake-${index}` };
        if (answer.errorType) headers['x-amzn-errortype'] = `${answer.errorType}:http://internal.amazon.com/coral/com.amazon.sagemaker/`;
        if (status === 200) headers['x-amzn-invoked-production-variant'] = 'AllTraffic';
        const body = answer.body === undefined
          ? JSON.stringify({ predictions: [call.body.length] })
          : Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
        res.writeHead(status, headers);
        res.end(body);
      };
      if (answer.delayMs || answer.until) {
        const t = answer.until ? undefined : setTimeout(send, answer.delayMs);
        void answer.until?.finally(send);
        res.on('close', () => {
          if (!res.writableFinished) {
            clearTimeout(t);
            call.aborted = true;
          }
        });
      } else {
        send();
      }
    });
  }
}
