import { AttributeValue, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isConditionFailed, N, S } from '../shared/dynamo';
import { JobStatus, parseJobMessage } from '../shared/job';
import { ADMISSION_LEDGER_KEY, isUnitCounter, KEY_ATTRIBUTE_PREFIX, releaseJob } from '../shared/ledger';
import { emfLine, RECONCILER_METRICS } from '../shared/metrics';
import { queueDepth } from '../shared/queue-depth';

/** Settings of the dead-letter reconciler. */
export interface ReconcilerConfig {
  readonly deadLetterQueueUrl: string;
  /** The job queue, whose depth tells the ledger audit whether any job is still unfinished. */
  readonly queueUrl: string;
  /** The job queue's name: the dimension of the metric a ledger repair publishes. */
  readonly queueName: string;
  readonly tableName: string;
  /**
   * How long a received dead letter stays hidden if the run stops before it makes it visible
   * again (s). The run makes every message it read visible again when it ends.
   */
  readonly holdSeconds: number;
  /** At most this many dead letters are read in one run; the next run reads on. */
  readonly maxMessagesPerRun: number;
  /** Long-poll wait of each receive (s): 0 samples some of the queue's servers, 1 to 20 asks them all. */
  readonly receiveWaitSeconds: number;
  /** Time kept back at the end of the invocation to make the messages visible again (ms). */
  readonly safetyMarginMs: number;
}

/** Clients and clock of the reconciler. */
export interface ReconcilerDeps {
  readonly ddb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** The parts of the Lambda context the reconciler reads. */
export interface ReconcilerContext {
  getRemainingTimeInMillis(): number;
}

/** What one run found in the dead-letter queue, message by message. */
export interface ReconcileReport {
  /** Distinct dead letters read. */
  readonly read: number;
  /** Jobs marked DEAD_LETTERED here: SQS moved their message without a worker writing an outcome. */
  readonly settled: number;
  /** Jobs whose held cost units were given back to the admission ledger by this run. */
  readonly released: number;
  /** Jobs already DEAD_LETTERED, SUCCEEDED or FAILED: not written again (units they still held count in `released`). */
  readonly alreadySettled: number;
  /** Jobs a worker holds under a live lease (a redriven copy at work): left to it. */
  readonly leased: number;
  /** Job messages whose job has no record (the direct integration writes none, or it expired). */
  readonly noRecord: number;
  /** Messages that are not job messages. */
  readonly poison: number;
  /** True when the run stopped at maxMessagesPerRun or its time before the queue answered empty. */
  readonly truncated: boolean;
  /** What the admission ledger's audit found (auditLedger). */
  readonly ledger: LedgerAudit;
}

/**
 * The admission ledger's audit:
 * - `balanced`: it holds no units;
 * - `busy`: the job queue holds jobs, so units may be held rightly;
 * - `watching`: units held while the queue is empty and nothing was admitted since the run that
 *   first saw it so, or since this run (the next runs check again);
 * - `repaired`: that lasted LEDGER_QUIET_MS, so the units belonged to no job and were set to zero;
 * - `skipped`: this run left dead letters unsettled (truncated, or a job a worker holds);
 * - `failed`: the audit could not read or write (logged; the next run tries again).
 */
export type LedgerAudit = 'balanced' | 'busy' | 'watching' | 'repaired' | 'skipped' | 'failed';

/**
 * How long the job queue must stay empty, with no job admitted, before the units the admission
 * ledger still holds are taken for leaked (ms). SQS's approximate counts can lag about a minute
 * behind the queue ("may not achieve consistency until at least 1 minute after the producers stop
 * sending messages", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html);
 * runs are RECONCILE_INTERVAL (5 minutes) apart, so two runs in a row that see the queue empty and
 * the same admission count are enough.
 */
export const LEDGER_QUIET_MS = 4 * 60_000;

/** Ledger attributes whose names a repair writes in one expression at most (the rest in the next write). */
const REPAIR_ATTRIBUTES_PER_WRITE = 100;

/**
 * Settles the jobs whose message SQS moved to the dead-letter queue while no worker could write
 * their outcome: the worker's invocation crashed or hit its timeout on the job's last receive, or
 * the job's receives ran out while another copy held it. The worker marks a job DEAD_LETTERED and
 * gives its cost units back only when it sees the last delivery fail (handlers/worker/core.ts);
 * without this run such a job would stay QUEUED or RUNNING and hold its units in the admission
 * ledger until it expires, and every such job would shrink what admission lets in, for good.
 *
 * SQS moves a message to the dead-letter queue when its receive count exceeds the queue's
 * maxReceiveCount (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html):
 * nothing tells the job record. Each run reads the dead letters (up to maxMessagesPerRun) and
 * leaves them where they are, for an operator to inspect and redrive. A read hides a message for
 * the VisibilityTimeout given to ReceiveMessage, so successive receives return other messages
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html);
 * when the run ends it makes every message it read visible again, a visibility timeout of 0
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html).
 * A message read again after a redrive or by a later run is harmless: each step is conditional and
 * happens once per job.
 *
 * For each job: the record becomes DEAD_LETTERED (with an error saying why) only if it is QUEUED,
 * or RUNNING under a lease that has expired (its worker's invocation is over: the lease is the
 * invocation's deadline); then its units go back once (releaseJob removes the record's `costHeld`
 * flag before it gives them back). A worker's claim takes DEAD_LETTERED jobs, so a redriven
 * message is processed as before.
 */
export async function reconcile(context: ReconcilerContext, config: ReconcilerConfig, deps: ReconcilerDeps): Promise<ReconcileReport> {
  const counts = { read: 0, settled: 0, released: 0, alreadySettled: 0, leased: 0, noRecord: 0, poison: 0 };
  const held = new Map<string, string>();
  let truncated = false;
  try {
    for (;;) {
      if (held.size >= config.maxMessagesPerRun || context.getRemainingTimeInMillis() < config.safetyMarginMs + config.receiveWaitSeconds * 1_000) {
        truncated = true;
        break;
      }
      const out = await deps.sqs.send(new ReceiveMessageCommand({
        QueueUrl: config.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, config.maxMessagesPerRun - held.size),
        VisibilityTimeout: config.holdSeconds,
        WaitTimeSeconds: config.receiveWaitSeconds,
      }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      // Every message received is hidden now: all of them are made visible again at the end, even
      // when a write below fails. The newest receipt handle is the one that changes a visibility.
      const fresh = messages.filter((m) => m.MessageId !== undefined && m.ReceiptHandle !== undefined && !held.has(m.MessageId));
      for (const m of messages) if (m.MessageId !== undefined && m.ReceiptHandle !== undefined) held.set(m.MessageId, m.ReceiptHandle);
      for (const m of fresh) {
        counts.read++;
        const job = parseJobMessage(m.Body ?? '');
        if (!job) {
          counts.poison++;
          continue;
        }
        counts[await settle(config, deps, job.jobId)]++;
        if (await release(deps, config, job.jobId)) counts.released++;
      }
      // Only messages read before: the hold of the first ones ran out while this run went on.
      if (fresh.length === 0) break;
    }
  } finally {
    await unhide(deps, config, held);
  }
  const ledger = truncated || counts.leased > 0 ? 'skipped' : await auditLedger(config, deps).catch((e: Error) => {
    deps.log(JSON.stringify({ level: 'warn', msg: 'admission ledger audit failed; the next run tries again', error: e.message }));
    return 'failed' as const;
  });
  const report = { ...counts, truncated, ledger };
  deps.log(JSON.stringify({ level: report.settled > 0 || report.released > 0 ? 'warn' : 'info', msg: 'dead letters reconciled', ...report }));
  return report;
}

type Settlement = 'settled' | 'alreadySettled' | 'leased' | 'noRecord';

/** Marks the job DEAD_LETTERED unless it is final or leased by a live worker. */
async function settle(config: ReconcilerConfig, deps: ReconcilerDeps, jobId: string): Promise<Settlement> {
  const now = deps.now();
  try {
    await deps.ddb.send(new UpdateItemCommand({
      TableName: config.tableName,
      Key: { jobId: S(jobId) },
      ConditionExpression: '#s = :queued OR (#s = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))',
      UpdateExpression: 'SET #s = :dead, updatedAt = :now, #e = if_not_exists(#e, :why) REMOVE leaseOwner, leaseUntil',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: {
        ':queued': S(JobStatus.QUEUED), ':running': S(JobStatus.RUNNING), ':dead': S(JobStatus.DEAD_LETTERED), ':now': N(now),
        ':why': S(JSON.stringify({ code: 'DeadLettered', message: 'SQS moved the job to the dead-letter queue after its last delivery ended without an outcome (the worker crashed or timed out)' })),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }));
    return 'settled';
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
    const old = (e as { Item?: Record<string, AttributeValue> }).Item;
    if (!old) return 'noRecord';
    return old.status?.S === JobStatus.RUNNING ? 'leased' : 'alreadySettled';
  }
}

/**
 * Gives the job's units back unless a live worker holds it: a settled job, and a final one whose
 * worker stopped between its outcome and the release. True when this call gave units back.
 */
async function release(deps: ReconcilerDeps, config: ReconcilerConfig, jobId: string): Promise<boolean> {
  return releaseJob(deps.ddb, config.tableName, jobId, [JobStatus.DEAD_LETTERED, JobStatus.SUCCEEDED, JobStatus.FAILED]);
}

/** Makes the messages this run read visible again, ten per call. Best effort: the hold ends by itself. */
async function unhide(deps: ReconcilerDeps, config: ReconcilerConfig, held: Map<string, string>): Promise<void> {
  const handles = [...held.values()];
  for (let i = 0; i < handles.length; i += 10) {
    await deps.sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: config.deadLetterQueueUrl,
      Entries: handles.slice(i, i + 10).map((ReceiptHandle, j) => ({ Id: String(i + j), ReceiptHandle, VisibilityTimeout: 0 })),
    })).catch((e) => deps.log(JSON.stringify({ level: 'warn', msg: 'dead letters stay hidden until their hold ends', error: (e as Error).message })));
  }
}

/**
 * Repairs the admission ledger when it holds units that belong to no job. A job's units can stay
 * held for good when its worker or its admission stops between two writes (the flag and the ledger
 * of releaseJob; the ledger's reservation and the job record; see docs/fairness.md), and nothing
 * else would ever give them back: each such stop shrinks what admission lets in.
 *
 * Units are held rightly only by jobs not yet final, whose messages are in the job queue (visible,
 * in flight or delayed) or in the dead-letter queue until this run settles them. So when the job
 * queue is empty, this run settled every dead letter, and no job was admitted for LEDGER_QUIET_MS
 * (the ledger's `admitted` counter grows with every admission), whatever the ledger still holds is
 * leaked, and this run sets its counters to zero. The first run that sees the queue quiet records
 * the admission count on the ledger item (`auditAdmitted`, `auditAt`); a later run repairs only if
 * the count is still the same, and its write is conditional on that, so an admission between the
 * read and the write cancels the repair. A release of a job after a repair finds its key's counter
 * gone and gives nothing back (ledger `release`), so the counters never go below zero.
 */
async function auditLedger(config: ReconcilerConfig, deps: ReconcilerDeps): Promise<LedgerAudit> {
  const key = { jobId: S(ADMISSION_LEDGER_KEY) };
  const item = (await deps.ddb.send(new GetItemCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }))).Item ?? {};
  const counters = Object.keys(item).filter((k) => isUnitCounter(k) && Number(item[k].N ?? 0) !== 0);
  if (counters.length === 0) return 'balanced';
  if (await queueDepth(deps.sqs, config.queueUrl) > 0) return 'busy';
  const admitted = item.admitted?.N ?? '0';
  const now = deps.now();
  // Every admission adds to `admitted`: the same count means no admission in between.
  const sameAdmissions = item.admitted ? 'admitted = :a' : 'attribute_not_exists(admitted)';
  if (item.auditAdmitted?.N !== admitted) {
    // The first run to see the queue quiet at this count: the watch starts.
    await deps.ddb.send(new UpdateItemCommand({
      TableName: config.tableName, Key: key,
      UpdateExpression: 'SET auditAdmitted = :a, auditAt = :now',
      ConditionExpression: sameAdmissions,
      ExpressionAttributeValues: { ':a': N(Number(admitted)), ':now': N(now) },
    })).catch((e) => {
      if (!isConditionFailed(e)) throw e;
    });
    return 'watching';
  }
  if (now - Number(item.auditAt?.N) < LEDGER_QUIET_MS) return 'watching';
  const leaked = Object.fromEntries(counters.map((k) => [k, Number(item[k].N)]));
  for (let i = 0; i < counters.length; i += REPAIR_ATTRIBUTES_PER_WRITE) {
    const part = counters.slice(i, i + REPAIR_ATTRIBUTES_PER_WRITE);
    const names: Record<string, string> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    part.forEach((k, j) => {
      names[`#c${j}`] = k;
      // A key's attribute goes (the ledger lists only keys that hold units); the others become zero.
      if (k.startsWith(KEY_ATTRIBUTE_PREFIX)) removes.push(`#c${j}`);
      else sets.push(`#c${j} = :zero`);
    });
    // The last write also ends the watch (its marker); every earlier one still needs it in its condition.
    if (i + REPAIR_ATTRIBUTES_PER_WRITE >= counters.length) removes.push('auditAdmitted', 'auditAt');
    try {
      await deps.ddb.send(new UpdateItemCommand({
        TableName: config.tableName, Key: key,
        UpdateExpression: [sets.length > 0 ? `SET ${sets.join(', ')}` : '', `REMOVE ${removes.join(', ')}`].join(' ').trim(),
        ConditionExpression: `${sameAdmissions} AND auditAdmitted = :a`,
        ExpressionAttributeNames: names,
        // DynamoDB refuses a value the expressions do not use (ValidationException).
        ExpressionAttributeValues: { ':a': N(Number(admitted)), ...(sets.length > 0 ? { ':zero': N(0) } : {}) },
      }));
    } catch (e) {
      // A job was admitted since the read: the queue is not quiet any more.
      if (isConditionFailed(e)) return 'watching';
      throw e;
    }
  }
  deps.log(JSON.stringify({ level: 'warn', msg: 'admission ledger repaired: it held units no job held (a worker or an admission stopped between two writes)', leaked }));
  // The units admission had lost, as a metric the queue's LedgerRepaired alarm reads: the queue's own
  // counter, which every reservation adds to with its tier's and its key's, so the largest of them.
  deps.log(emfLine(RECONCILER_METRICS.namespace, { [RECONCILER_METRICS.dimension]: config.queueName },
    { [RECONCILER_METRICS.ledgerUnitsRepaired]: Math.max(...Object.values(leaked)) }, now));
  return 'repaired';
}
