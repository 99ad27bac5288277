/**
 * One admission end to end on a warm environment: the admission function's code as the construct
 * stages it (the bundle and the validator generated from the request schema), loaded once as Lambda
 * loads it, then `POST /jobs` events one after the other against the local SQS/DynamoDB/S3 peer
 * (moto_server on loopback, real AWS SDK over HTTP). A counting proxy between the function and the
 * peer counts every AWS call by operation.
 *
 * Prints the latency of one admission (median, p90), admissions per second of one environment, and
 * AWS calls per admitted job. The figures measure the handler plus the local peer, not AWS.
 *
 * Run: `npm run build:lib && node dist/bench/admission-e2e.js [--jobs N]` (also run by `npm run bench`).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { HANDLER_ENV as ENV } from '../lib/queue/handler-env';
import { constructedHandlerEnvironments } from './handler-environment';
import { stageAdmission } from '../lib/queue/private/admission-code';
import { localClients, startMoto, TEST_CREDENTIALS, TEST_REGION } from '../test/support/moto';
import { counts, createFixture } from '../test/support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../test/support/requests';

const WARM_UP = 20;

interface ProxyResultLike { readonly statusCode: number; readonly body: string }

/** A loopback HTTP proxy in front of the peer that counts requests by AWS operation. */
class CountingProxy {
  public readonly calls = new Map<string, number>();
  private constructor(private readonly server: http.Server, public readonly url: string) {}

  public static async start(upstream: string): Promise<CountingProxy> {
    const target = new URL(upstream);
    let proxy: CountingProxy | undefined;
    const server = http.createServer((req, res) => {
      proxy!.count(req);
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CountingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  public total(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  public reset(): void {
    this.calls.clear();
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** DynamoDB and SQS name the operation in X-Amz-Target (JSON protocols); S3 is REST: method and bucket. */
  private count(req: http.IncomingMessage): void {
    const target = req.headers['x-amz-target'];
    const op = typeof target === 'string' ? target.replace(/^DynamoDB_\d+\./, 'DynamoDB ').replace(/^AmazonSQS\./, 'SQS ') : `S3 ${req.method}`;
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function main(): Promise<void> {
  const jobsArg = process.argv.indexOf('--jobs');
  const jobs = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 300;
  let moto;
  try {
    moto = await startMoto();
  } catch (e) {
    process.stdout.write(`admission end to end: skipped (moto_server not available: ${(e as Error).message.split('\n')[0]})\n`);
    return;
  }
  const proxy = await CountingProxy.start(moto.endpoint);
  try {
    // Created through the proxy, so the queue URL names it and the function's SQS calls go through it too.
    const f = await createFixture(localClients(proxy.url), { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
    Object.assign(process.env, {
      // What the construct sets (the cost model and tiers included), then this run's resources and limits.
      ...constructedHandlerEnvironments().admission,
      AWS_REGION: TEST_REGION, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: proxy.url, AWS_ENDPOINT_URL_DYNAMODB: proxy.url, AWS_ENDPOINT_URL_S3: proxy.url,
      [ENV.queueUrl]: f.queueUrl, [ENV.queueName]: f.queueName, [ENV.tableName]: f.tableName, [ENV.bucketName]: f.bucketName,
      // A budget no run reaches, and the depth cache TTL the construct derives for a small queue.
      [ENV.depthBudget]: '1000000', [ENV.drainRate]: '10', [ENV.maxRetryAfter]: '300', [ENV.depthCacheTtlMs]: '5000',
      [ENV.admissionEnvironments]: '1', [ENV.maxRequestBytes]: '100000', [ENV.maxInlineMessageBytes]: '262144', [ENV.jobTtlSeconds]: '86400',
      // TEST_SIGNATURE: one instance of 3 elements is one unit; budgets no run reaches.
      [ENV.costModel]: JSON.stringify({ referenceElements: 3, fixedShare: 0 }), [ENV.costBudgetUnits]: '1000000', [ENV.drainUnitsPerSecond]: '10',
      [ENV.maxJobCostUnits]: '4', [ENV.costTiers]: JSON.stringify([{ name: 'default', budgetUnits: 1_000_000, keyBudgetUnits: 1_000_000 }]), [ENV.keyTiers]: '{}',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const admission = require(path.join(stageAdmission(TEST_SIGNATURE.toJsonSchema()), 'index.js')) as { handler: (e: unknown) => Promise<ProxyResultLike> };
    const admit = async (i: number): Promise<number> => {
      const res = await admission.handler(postJobs({ instances: [[i, 0.5, -1]] }));
      if (res.statusCode !== 202) throw new Error(`admission answered ${res.statusCode}: ${res.body}`);
      return res.statusCode;
    };
    // The function writes one Embedded Metric Format line per admission to standard output: kept
    // out of the figures, and counted (one JobsAdmitted line per job).
    const write = process.stdout.write.bind(process.stdout);
    let metricLines = 0;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      metricLines += String(chunk).split('"JobsAdmitted":1').length - 1;
      return true;
    }) as typeof process.stdout.write;
    for (let i = 0; i < WARM_UP; i++) await admit(i);
    proxy.reset();

    const latencies: number[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < jobs; i++) {
      const t = process.hrtime.bigint();
      await admit(i);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write = write;
    if (metricLines !== WARM_UP + jobs) throw new Error(`${metricLines} JobsAdmitted metric lines, expected ${WARM_UP + jobs}`);
    const depth = (await counts(localClients(moto.endpoint).sqs, f.queueUrl)).total;
    if (depth !== WARM_UP + jobs) throw new Error(`the queue holds ${depth} messages, expected ${WARM_UP + jobs}`);

    process.stdout.write(`admission end to end, one warm environment (bundled handler, generated validator, moto_server on loopback), ${jobs} jobs one after the other:\n`);
    process.stdout.write(`  latency per admission: median ${percentile(latencies, 0.5).toFixed(2)} ms, p90 ${percentile(latencies, 0.9).toFixed(2)} ms\n`);
    process.stdout.write(`  ${(jobs / seconds).toFixed(0)} admissions per second\n`);
    process.stdout.write(`  AWS calls per admitted job: ${(proxy.total() / jobs).toFixed(2)}`);
    process.stdout.write(` (${[...proxy.calls].sort().map(([op, n]) => `${op} ${(n / jobs).toFixed(2)}`).join(', ')})\n`);
    process.stdout.write('  The depth reading (DynamoDB GetItem + SQS GetQueueAttributes) is taken once per depth cache TTL (5 s here), so its share falls as the rate rises.\n');
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
