import { AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromItem, S } from '../../handlers/shared/dynamo';
import { parseJobMessage } from '../../handlers/shared/job';
import { ADMISSION_LEDGER_KEY, HELD } from '../../handlers/shared/ledger';
import { counts, QueueFixture } from './queue-fixture';

/** A job that did not end exactly once, with all there is to know about it for a replay. */
export interface ProblemJob {
  readonly marker: number;
  readonly jobId: string;
  /** Its full DynamoDB item (every attribute, as stored), or null when there is none. */
  readonly record: Record<string, unknown> | null;
  readonly successfulCalls: number;
  readonly dlqCopies: number;
}

/** The outcome of an audit: job records by status, and every job that did not end exactly once. */
export interface JobAudit {
  readonly tally: Record<string, number>;
  readonly deadLettered: Map<string, number>;
  readonly problems: string[];
  readonly problemJobs: ProblemJob[];
}

/** An item as plain values (`{ status: 'QUEUED', attempts: 2, costHeld: true }`), to print. */
function plain(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | null {
  if (!item) return null;
  const value = (v: AttributeValue): unknown => (v.S ?? (v.N !== undefined ? Number(v.N) : v.BOOL ?? (v.NULL ? null : v.M ? plain(v.M) : v.L ? v.L.map(value) : v)));
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, value(v)]));
}

/**
 * Checks that every accepted job ended exactly once after the queue was drained: a SUCCEEDED
 * record with its result and one successful model call, a FAILED record (a model 4xx) with none,
 * or exactly one copy in the dead-letter queue with a DEAD_LETTERED record (which a redrive can
 * claim again; the dead-letter reconciler settles the jobs no worker marked, so run it first).
 * A job with none of these was lost; one with more was duplicated. No job may still hold cost
 * units then, and the admission ledger must hold none: a unit held by a job that ended is
 * admission capacity lost for good.
 *
 * `jobs` maps a marker (the job's first input value) to its job id; `successfulCalls` counts the
 * model calls that answered 200 for each marker (a caller leaves out the calls of an invocation
 * that Lambda's timeout ended: those jobs are called again by design). Reads (and hides for 10 min)
 * the whole DLQ.
 */
export async function auditJobs(c: { sqs: SQSClient; ddb: DynamoDBClient }, f: QueueFixture, jobs: Map<number, string>, successfulCalls: Map<number, number>): Promise<JobAudit> {
  const deadLettered = new Map<string, number>();
  for (;;) {
    const out = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    if (!out.Messages?.length) break;
    for (const m of out.Messages) {
      const id = parseJobMessage(m.Body!)!.jobId;
      deadLettered.set(id, (deadLettered.get(id) ?? 0) + 1);
    }
  }
  const tally: Record<string, number> = {};
  const problems: string[] = [];
  const problemJobs: ProblemJob[] = [];
  for (const [marker, jobId] of jobs) {
    const item = (await c.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(jobId) }, ConsistentRead: true }))).Item;
    const rec = fromItem(item);
    const before = problems.length;
    const status = rec?.status ?? 'NO RECORD';
    tally[status] = (tally[status] ?? 0) + 1;
    const calls = successfulCalls.get(marker) ?? 0;
    const dead = deadLettered.get(jobId) ?? 0;
    const seen = `status ${status}, ${calls} successful model call(s), ${dead} DLQ cop(ies)`;
    if (status === 'SUCCEEDED') {
      if (calls !== 1 || dead !== 0) problems.push(`job ${marker} (${jobId}) succeeded more than once or also dead-lettered: ${seen}`);
      else if (rec!.result !== JSON.stringify({ marker })) problems.push(`job ${marker} (${jobId}) has someone else's result: ${rec!.result}`);
    } else if (status === 'FAILED') {
      if (calls !== 0 || dead !== 0) problems.push(`job ${marker} (${jobId}) failed but was also answered or dead-lettered: ${seen}`);
    } else if (dead !== 1) {
      problems.push(dead === 0 ? `job ${marker} (${jobId}) was lost: ${seen}` : `job ${marker} (${jobId}) is in the DLQ ${dead} times: ${seen}`);
    } else if (status !== 'DEAD_LETTERED') {
      problems.push(`job ${marker} (${jobId}) is in the DLQ but its record was not settled: ${seen}`);
    }
    if (problems.length === before && item?.costHeld?.BOOL === true) problems.push(`job ${marker} (${jobId}) ended but still holds its cost units: ${seen}`);
    if (problems.length > before) problemJobs.push({ marker, jobId, record: plain(item), successfulCalls: calls, dlqCopies: dead });
  }
  const ledger = (await c.ddb.send(new GetItemCommand({ TableName: f.tableName, Key: { jobId: S(ADMISSION_LEDGER_KEY) }, ConsistentRead: true }))).Item;
  const heldUnits = Number(ledger?.[HELD]?.N ?? 0);
  if (heldUnits !== 0) problems.push(`the admission ledger still holds ${heldUnits} cost unit(s)`);
  const left = (await counts(c.sqs, f.queueUrl)).total;
  if (left !== 0) problems.push(`${left} message(s) still in the queue`);
  return { tally, deadLettered, problems, problemJobs };
}
