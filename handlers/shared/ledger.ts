import { randomUUID } from 'crypto';
import { AttributeValue, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailed, N, S } from './dynamo';

/**
 * Key of the admission ledger item in the job table. Job ids are UUIDs (the status endpoint
 * refuses anything else), so this key never collides with a job and is never served.
 */
export const ADMISSION_LEDGER_KEY = '#admission-ledger';

/** Attribute of the ledger item holding the cost units of every admitted job not yet final. */
export const HELD = 'heldUnits';

/** The units a job holds in the ledger and the attributes they are charged to. */
export interface HeldUnits {
  readonly units: number;
  /** Ledger attribute of the tier's held units. */
  readonly tierAttribute: string;
  /** Ledger attribute of the key's held units. */
  readonly keyAttribute: string;
}

/** The job record's fields that say what it holds (`costHeld` is removed once given back). */
export function costFields(cost: HeldUnits): Record<string, AttributeValue> {
  if (cost.units <= 0) return {};
  return { costUnits: N(cost.units), costTier: S(cost.tierAttribute), costKey: S(cost.keyAttribute), costHeld: { BOOL: true } };
}

/**
 * Gives a job's units back to the ledger: the queue's, its tier's and its key's counters drop by
 * its cost in one write. A key whose counter reaches zero loses its attribute, so the ledger item
 * only lists keys that hold units now (it stays far below DynamoDB's 400 KB item size).
 */
export async function release(ddb: DynamoDBClient, tableName: string, cost: HeldUnits): Promise<void> {
  if (cost.units <= 0) return;
  const out = await ddb.send(new UpdateItemCommand({
    TableName: tableName,
    Key: { jobId: S(ADMISSION_LEDGER_KEY) },
    UpdateExpression: `ADD ${HELD} :minus, #t :minus, #k :minus`,
    ExpressionAttributeNames: { '#t': cost.tierAttribute, '#k': cost.keyAttribute },
    ExpressionAttributeValues: { ':minus': N(-cost.units) },
    ReturnValues: 'UPDATED_NEW',
  }));
  if (Number(out.Attributes?.[cost.keyAttribute]?.N ?? 1) <= 0) {
    await ddb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { jobId: S(ADMISSION_LEDGER_KEY) },
      UpdateExpression: 'REMOVE #k',
      ConditionExpression: '#k <= :zero',
      ExpressionAttributeNames: { '#k': cost.keyAttribute },
      ExpressionAttributeValues: { ':zero': N(0) },
    })).catch((e) => {
      // A new job of the key was admitted in between: the attribute stays, rightly.
      if (!isConditionFailed(e)) throw e;
    });
  }
}

/** Attempts of an atomic release when another writer changed the job or the ledger between a read and a write. */
export const RELEASE_ATTEMPTS = 8;

/** The units a job record holds (`costHeld` set by admission and not yet given back), if any. */
export function heldOf(item: Record<string, AttributeValue> | undefined): HeldUnits | undefined {
  const units = Number(item?.costUnits?.N ?? 0);
  const tierAttribute = item?.costTier?.S;
  const keyAttribute = item?.costKey?.S;
  if (item?.costHeld?.BOOL !== true || !(units > 0) || !tierAttribute || !keyAttribute) return undefined;
  return { units, tierAttribute, keyAttribute };
}

/** A conditional update of a job record, in parts: `SET` clauses, attributes to `REMOVE`, the condition. */
export interface JobWrite {
  readonly set: readonly string[];
  readonly remove: readonly string[];
  readonly condition: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, AttributeValue>;
}

/** What an atomic write-and-release did: written, or refused by the job's condition (with the record as it was). */
export type ReleaseOutcome = { readonly written: true } | { readonly written: false; readonly old?: Record<string, AttributeValue> };

/**
 * Applies a write to a job record and gives its units back to the ledger in one atomic step: one
 * TransactWriteItems updates the record (its write, plus removing `costHeld`) and lowers the
 * ledger's counters, and succeeds or fails as a whole
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
 * An invocation stopped at its timeout leaves both writes or neither: never the outcome written and
 * the units still held with nobody left to give them back, nor the flag gone and the units held.
 *
 * - Once: the record's condition adds `costHeld` with the units, tier and key read, so a duplicate,
 *   a retry or two callers at once never give the units back twice. The client request token makes
 *   an SDK retry of the same call (its answer lost) idempotent for ten minutes (same page).
 * - The key's attribute leaves the ledger in the same write when these units are all it holds, so
 *   the ledger item lists only keys that hold units (it stays far below DynamoDB's 400 KB item
 *   size). The first form keeps the attribute, under the condition that it stays above zero; a
 *   refused condition returns the ledger item as it was (ReturnValuesOnConditionCheckFailure), and
 *   the other form removes the attribute, under the condition that it reaches zero.
 * - Cost: DynamoDB charges a transaction two write units per KB of each item, twice a plain write
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 * - IAM: a transaction's Update items need dynamodb:UpdateItem on the table, nothing else
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export async function writeAndRelease(ddb: DynamoDBClient, tableName: string, jobId: string, write: JobWrite, held: HeldUnits): Promise<ReleaseOutcome> {
  const record = {
    TableName: tableName,
    Key: { jobId: S(jobId) },
    UpdateExpression: `${write.set.length > 0 ? `SET ${write.set.join(', ')} ` : ''}REMOVE ${[...write.remove, 'costHeld'].join(', ')}`,
    ConditionExpression: `(${write.condition}) AND costHeld = :heldFlag AND costUnits = :heldUnits AND costTier = :heldTier AND costKey = :heldKey`,
    ...(write.names && Object.keys(write.names).length > 0 ? { ExpressionAttributeNames: write.names } : {}),
    ExpressionAttributeValues: {
      ...write.values, ':heldFlag': { BOOL: true }, ':heldUnits': N(held.units), ':heldTier': S(held.tierAttribute), ':heldKey': S(held.keyAttribute),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  let keyReachesZero = false;
  for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
    const ledger = keyReachesZero
      ? { UpdateExpression: `ADD ${HELD} :minus, #t :minus REMOVE #k`, ConditionExpression: 'attribute_not_exists(#k) OR #k <= :units' }
      : { UpdateExpression: `ADD ${HELD} :minus, #t :minus, #k :minus`, ConditionExpression: '#k > :units' };
    try {
      await ddb.send(new TransactWriteItemsCommand({
        ClientRequestToken: randomUUID(),
        TransactItems: [
          { Update: record },
          {
            Update: {
              TableName: tableName,
              Key: { jobId: S(ADMISSION_LEDGER_KEY) },
              ...ledger,
              ExpressionAttributeNames: { '#t': held.tierAttribute, '#k': held.keyAttribute },
              ExpressionAttributeValues: { ':minus': N(-held.units), ':units': N(held.units) },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }));
      return { written: true };
    } catch (e) {
      if ((e as { name?: string }).name !== 'TransactionCanceledException') throw e;
      // One reason per item, in order (TransactionCanceledException in API_TransactWriteItems).
      const [jobReason, ledgerReason] = (e as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] }).CancellationReasons ?? [];
      if (jobReason?.Code === 'ConditionalCheckFailed') return { written: false, old: jobReason.Item };
      if (ledgerReason?.Code === 'ConditionalCheckFailed') {
        // The key's counter is not what this form assumed: the returned item says which form fits
        // (a missing item, or an answer without it: the other form).
        const now = ledgerReason.Item?.[held.keyAttribute]?.N;
        keyReachesZero = now === undefined ? !keyReachesZero : Number(now) <= held.units;
      }
      // Otherwise another transaction held one of the items (TransactionConflict): try again.
    }
  }
  throw new Error(`the units of job ${jobId} were not given back after ${RELEASE_ATTEMPTS} attempts: the admission ledger kept changing`);
}

/**
 * Gives back the units of a job that is final (succeeded, failed, dead-lettered) but still holds
 * them, once: it reads the record (strongly consistent), then removes its `costHeld` flag and lowers
 * the ledger in one atomic write (writeAndRelease). The worker's final write gives the units back
 * itself; this is for a record whose writer did not (the reconciler's dead-lettered jobs, a record
 * written before that). With `onlyIn`, only a job in one of those states gives its units back. True
 * when this call gave units back.
 */
export async function releaseJob(ddb: DynamoDBClient, tableName: string, jobId: string, onlyIn?: readonly string[]): Promise<boolean> {
  const statuses = Object.fromEntries((onlyIn ?? []).map((s, i) => [`:s${i}`, S(s)]));
  for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
    const item = (await ddb.send(new GetItemCommand({
      TableName: tableName, Key: { jobId: S(jobId) }, ConsistentRead: true,
      ProjectionExpression: 'costHeld, costUnits, costTier, costKey, #s', ExpressionAttributeNames: { '#s': 'status' },
    }))).Item;
    const held = heldOf(item);
    // Already given back, a job admitted without cost (direct integration), or not in `onlyIn`.
    if (!held || (onlyIn && !onlyIn.includes(item?.status?.S ?? ''))) return false;
    const out = await writeAndRelease(ddb, tableName, jobId, onlyIn
      ? { set: [], remove: [], condition: `#s IN (${Object.keys(statuses).join(', ')})`, names: { '#s': 'status' }, values: statuses }
      : { set: [], remove: [], condition: 'attribute_exists(jobId)' }, held);
    if (out.written) return true;
    // The record changed between the read and the write (given back by another caller, or its
    // state moved on): read it again.
  }
  throw new Error(`the units of job ${jobId} were not given back after ${RELEASE_ATTEMPTS} attempts: the job record kept changing`);
}
