import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { supportFile, testPython } from './source-files';

/** Region and dummy credentials for the local peers. */
export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A running moto server. */
export interface MotoServer {
  readonly endpoint: string;
  /** The server's process id (for CPU figures in bench/). */
  readonly pid: number;
  stop(): Promise<void>;
}

function ping(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1_000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts `moto_server` on a free loopback port and waits until it answers. It speaks the real
 * SQS, S3 and DynamoDB protocols, so handlers are tested with the real AWS SDK over HTTP. `route`:
 * requests of the AWS JSON protocol straight to moto's response classes (`direct`, the default), or
 * all of them through moto's Flask apps as moto_server routes them (`flask`; see moto-server.py).
 */
export async function startMoto(timeoutMs = 30_000, server: 'waitress' | 'werkzeug' = 'waitress', route: 'direct' | 'flask' = 'direct'): Promise<MotoServer> {
  // moto_server's app, with DynamoDB writes atomic as DynamoDB makes them (see moto-server.py).
  // The Python is the one beside moto_server in the test environment's .venv; the script is found
  // in the sources when this module runs compiled (dist/test/support, for the benchmarks).
  // Port 0: the server binds a port the system picks and prints it. A port chosen here and passed in
  // could be taken by another process while Python starts (a second or two), and the ping below
  // would then get that process's answer.
  const proc: ChildProcess = spawn(testPython(), [supportFile(__dirname, 'moto-server.py'), '-H', '127.0.0.1', '-p', '0', '--server', server, '--route', route], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  let stdout = '';
  let port: string | undefined;
  proc.stdout?.on('data', (d: Buffer) => {
    if (port !== undefined) return;
    stdout += d.toString();
    port = /listening on (\d+)/.exec(stdout)?.[1];
  });
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  const started = Date.now();
  const fail = (why: string) => {
    proc.kill('SIGKILL');
    return new Error(`moto_server ${why}:\n${stderr}`);
  };
  while (port === undefined) {
    if (exited) throw new Error(`moto_server exited before listening:\n${stderr}`);
    if (Date.now() - started > timeoutMs) throw fail(`did not listen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  while (!(await ping(`${endpoint}/moto-api/`))) {
    if (exited) throw new Error(`moto_server exited before answering:\n${stderr}`);
    if (Date.now() - started > timeoutMs) throw fail(`did not answer on ${endpoint} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    pid: proc.pid!,
    stop: () => new Promise<void>((resolve) => {
      if (exited) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 3_000).unref();
    }),
  };
}

/** The clients `localClients` makes. */
export type LocalClients = ReturnType<typeof localClients>;

/** The moto_server of one test file, and clients pointed at it (available inside its tests). */
export interface MotoPeer {
  readonly server: MotoServer;
  readonly clients: LocalClients;
}

/**
 * Starts one moto_server for the calling test file before its tests (jest's beforeAll) and stops
 * it after them (afterAll). Call it at the top level of the file; read `clients` inside the tests.
 */
export function motoPerTestFile(): MotoPeer {
  let started: MotoPeer | undefined;
  beforeAll(async () => {
    const server = await startMoto();
    started = { server, clients: localClients(server.endpoint) };
  });
  afterAll(async () => {
    await started?.server.stop();
  });
  const get = (): MotoPeer => {
    if (!started) throw new Error('moto_server is not running: read the peer inside a test, after beforeAll');
    return started;
  };
  return { get server() { return get().server; }, get clients() { return get().clients; } };
}

/** Real SDK clients pointed at a local endpoint. */
export function localClients(endpoint: string): { sqs: SQSClient; s3: S3Client; ddb: DynamoDBClient } {
  const common = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  return {
    sqs: new SQSClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    ddb: new DynamoDBClient(common),
  };
}
