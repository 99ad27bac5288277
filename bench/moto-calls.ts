/**
 * What one AWS call to the local peer costs: a fixed sequence of calls (8 callers, each making
 * GetQueueAttributes, SendMessage and a conditional DynamoDB UpdateItem in turn, as the queue tests
 * do) against moto_server (test/support/moto-server.py) served by waitress (keep-alive connections,
 * a thread pool; what the tests use) and by werkzeug's development server (a new connection and
 * thread per request; what they used before). Prints, per server and round, the wall time, the CPU
 * time of this Node process (the SDK's side) and of the moto_server process (read from
 * /proc/PID/stat, Linux only).
 *
 * Run: `npm run build:lib && node dist/bench/moto-calls.js [rounds] [calls per caller]` (default 2, 300).
 */
import * as fs from 'fs';
import { CreateTableCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { localClients, startMoto } from '../test/support/moto';

const CALLERS = 8;

/** CPU time (user + system) of a process in ms, from /proc; undefined where there is none. */
function processCpuMs(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of the file (11 and 12 after the command name), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

async function round(server: 'waitress' | 'werkzeug', callsPerCaller: number): Promise<string> {
  const moto = await startMoto(30_000, server);
  const c = localClients(moto.endpoint);
  try {
    const queueUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'bench' }))).QueueUrl!;
    await c.ddb.send(new CreateTableCommand({
      TableName: 'bench', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
    }));
    const calls = [
      () => c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] })),
      () => c.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' })),
      () => c.ddb.send(new UpdateItemCommand({
        TableName: 'bench', Key: { k: { S: 'ledger' } }, UpdateExpression: 'ADD held :one',
        ConditionExpression: 'attribute_not_exists(held) OR held < :cap', ExpressionAttributeValues: { ':one': { N: '1' }, ':cap': { N: '1000000' } },
      })),
    ];
    // Warm-up: the first calls load moto's backends and the SDK's code paths.
    for (let i = 0; i < 60; i++) await calls[i % calls.length]();
    const motoBefore = processCpuMs(moto.pid);
    const nodeBefore = process.cpuUsage();
    const started = Date.now();
    await Promise.all(Array.from({ length: CALLERS }, async () => {
      for (let i = 0; i < callsPerCaller; i++) await calls[i % calls.length]();
    }));
    const wall = Date.now() - started;
    const node = process.cpuUsage(nodeBefore);
    const motoAfter = processCpuMs(moto.pid);
    const n = CALLERS * callsPerCaller;
    const nodeMs = (node.user + node.system) / 1000;
    const motoMs = motoBefore !== undefined && motoAfter !== undefined ? motoAfter - motoBefore : undefined;
    return `${server.padEnd(8)} ${n} calls: ${wall} ms wall; CPU: Node ${nodeMs.toFixed(0)} ms (${(nodeMs / n).toFixed(2)} ms a call), `
      + `moto_server ${motoMs === undefined ? 'n/a' : `${motoMs} ms (${(motoMs / n).toFixed(2)} ms a call)`}`;
  } finally {
    c.sqs.destroy();
    c.ddb.destroy();
    c.s3.destroy();
    await moto.stop();
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 2);
  const callsPerCaller = Number(process.argv[3] ?? 300);
  process.stdout.write(`moto_server per call: ${CALLERS} callers x ${callsPerCaller} calls, ${rounds} rounds per server, alternating\n`);
  for (let r = 0; r < rounds; r++) {
    for (const server of ['werkzeug', 'waitress'] as const) process.stdout.write(`  round ${r + 1} ${await round(server, callsPerCaller)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
