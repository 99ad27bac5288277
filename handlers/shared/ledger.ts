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

/** Attempts of `releaseJob` when another writer changed the job or the ledger between its read and its write. */
export const RELEASE_ATTEMPTS = 8;

/**
 * Gives back the units of a job that became final (succeeded, failed, dead-lettered), once, in one
 * atomic write: the job record loses its `costHeld` flag and the ledger's counters drop by its
 * cost in the same TransactWriteItems, which succeeds or fails as a whole
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
 * An invocation stopped at its timeout therefore leaves either both writes or neither, and a
 * redelivery, a copy or the reconciler finishes the job's release. (Two separate writes would
 * lose the units for good when the timeout fell between them: the flag gone, the units held.)
 *
 * - Once: the record's write is conditional on the flag, so a duplicate delivery, a retry or two
 *   callers at once never give the units back twice. The client request token makes an SDK retry
 *   of the same call (its answer lost) idempotent for ten minutes (ClientRequestToken, same page).
 * - The key's attribute leaves the ledger in the same write when this job's units are all it held,
 *   so the ledger item lists only keys that hold units (it stays far below DynamoDB's 400 KB item
 *   size). The first write keeps the attribute under the condition that it stays above zero; a
 *   refused condition returns the ledger item as it was (ReturnValuesOnConditionCheckFailure), and
 *   the second write removes the attribute under the condition that it reaches zero.
 * - Cost: one strongly consistent read of the record, and a transaction, which DynamoDB charges two
 *   write units per KB of each item
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 * - IAM: a transaction's Update needs dynamodb:UpdateItem on the table, nothing else
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html);
 *   the read needs dynamodb:GetItem.
 *
 * With `onlyIn`, only a job in one of those states gives its units back. True when this call gave
 * units back (or, for a record that held no units, removed its flag).
 */
export async function releaseJob(ddb: DynamoDBClient, tableName: string, jobId: string, onlyIn?: readonly string[]): Promise<boolean> {
  const key = { jobId: S(jobId) };
  let keyReachesZero = false;
  for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
    const job = (await ddb.send(new GetItemCommand({
      TableName: tableName, Key: key, ConsistentRead: true,
      ProjectionExpression: 'costHeld, costUnits, costTier, costKey, #s', ExpressionAttributeNames: { '#s': 'status' },
    }))).Item;
    // Already given back, a job admitted without cost (direct integration), or not in `onlyIn`.
    if (job?.costHeld?.BOOL !== true) return false;
    if (onlyIn && !onlyIn.includes(job.status?.S ?? '')) return false;
    const units = Number(job.costUnits?.N ?? 0);
    const tierAttribute = job.costTier?.S;
    const keyAttribute = job.costKey?.S;
    const statuses = Object.fromEntries((onlyIn ?? []).map((s, i) => [`:s${i}`, S(s)]));
    const held = {
      TableName: tableName,
      Key: key,
      UpdateExpression: 'REMOVE costHeld',
      ConditionExpression: `costHeld = :t${onlyIn ? ` AND #s IN (${Object.keys(statuses).join(', ')})` : ''}`,
      ...(onlyIn ? { ExpressionAttributeNames: { '#s': 'status' } } : {}),
      ExpressionAttributeValues: { ':t': { BOOL: true }, ...statuses },
    };
    if (!(units > 0 && tierAttribute && keyAttribute)) {
      // A flag without units (not written by admission): only the flag goes.
      try {
        await ddb.send(new UpdateItemCommand(held));
        return true;
      } catch (e) {
        if (isConditionFailed(e)) return false;
        throw e;
      }
    }
    // The record's write holds as long as the record is what was read: same units, tier and key.
    const record = {
      ...held,
      ConditionExpression: `${held.ConditionExpression} AND costUnits = :u AND costTier = :ct AND costKey = :ck`,
      ExpressionAttributeValues: { ...held.ExpressionAttributeValues, ':u': N(units), ':ct': S(tierAttribute), ':ck': S(keyAttribute) },
    };
    const ledger = keyReachesZero
      ? { UpdateExpression: `ADD ${HELD} :minus, #t :minus REMOVE #k`, ConditionExpression: 'attribute_not_exists(#k) OR #k <= :u' }
      : { UpdateExpression: `ADD ${HELD} :minus, #t :minus, #k :minus`, ConditionExpression: '#k > :u' };
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
              ExpressionAttributeNames: { '#t': tierAttribute, '#k': keyAttribute },
              ExpressionAttributeValues: { ':minus': N(-units), ':u': N(units) },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }));
      return true;
    } catch (e) {
      if ((e as { name?: string }).name !== 'TransactionCanceledException') throw e;
      // One reason per item, in order (TransactionCanceledException in API_TransactWriteItems).
      const reasons = (e as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] }).CancellationReasons ?? [];
      const ledgerReason = reasons[1];
      if (ledgerReason?.Code === 'ConditionalCheckFailed') {
        // The key's counter is not what the write assumed: the returned item says which form fits.
        const now = ledgerReason.Item?.[keyAttribute]?.N;
        // (A missing item, or an answer without it: try the other form.)
        keyReachesZero = now === undefined ? !keyReachesZero : Number(now) <= units;
      }
      // Otherwise the record changed (given back by another caller, or its state moved on) or
      // another transaction held an item (TransactionConflict): read again.
    }
  }
  throw new Error(`the units of job ${jobId} were not given back after ${RELEASE_ATTEMPTS} attempts: the job record or the admission ledger kept changing`);
}
