import { AttributeValue, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailed, N, S } from './dynamo';

/**
 * Key of the admission ledger item in the job table. Job ids are UUIDs (the status endpoint
 * refuses anything else), so this key never collides with a job and is never served.
 */
export const ADMISSION_LEDGER_KEY = '#admission-ledger';

/** Attribute of the ledger item holding the cost units of every admitted job not yet final. */
export const HELD = 'heldUnits';

/** Prefix of the ledger attribute of each tier's held units (`t_<tier name>`). */
export const TIER_ATTRIBUTE_PREFIX = 't_';

/** Prefix of the ledger attribute of each key's held units (`k_<hash of the caller>`); removed at zero. */
export const KEY_ATTRIBUTE_PREFIX = 'k_';

/** Whether a ledger attribute counts held units: the queue's, a tier's or a key's. */
export function isUnitCounter(attribute: string): boolean {
  return attribute === HELD || attribute.startsWith(TIER_ATTRIBUTE_PREFIX) || attribute.startsWith(KEY_ATTRIBUTE_PREFIX);
}

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
 *
 * Only while the key holds at least these units: a key holds the units of every job of it not yet
 * given back, so it holds less only after the dead-letter reconciler's audit set a leaking ledger to
 * zero (its key attributes gone). Those units are given back already, and the counters never go
 * below zero.
 */
export async function release(ddb: DynamoDBClient, tableName: string, cost: HeldUnits): Promise<void> {
  if (cost.units <= 0) return;
  let out;
  try {
    out = await ddb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { jobId: S(ADMISSION_LEDGER_KEY) },
      UpdateExpression: `ADD ${HELD} :minus, #t :minus, #k :minus`,
      ConditionExpression: '#k >= :units',
      ExpressionAttributeNames: { '#t': cost.tierAttribute, '#k': cost.keyAttribute },
      ExpressionAttributeValues: { ':minus': N(-cost.units), ':units': N(cost.units) },
      ReturnValues: 'UPDATED_NEW',
    }));
  } catch (e) {
    if (isConditionFailed(e)) return;
    throw e;
  }
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

/**
 * Gives back the units of a job that became final (succeeded, failed, dead-lettered), once: the
 * record's `costHeld` flag is removed by a conditional write first, so a duplicate delivery or a
 * retry of this call never gives them back twice. A crash between the two writes keeps the units
 * held (the ledger errs on the safe side: it admits less) until the dead-letter reconciler's audit
 * finds the queue quiet and sets them to zero (handlers/reconciler). The two writes are not one
 * TransactWriteItems on purpose: a transaction on the ledger item makes every admission's plain
 * write to it fail with TransactionConflictException while it runs (docs/fairness.md). With
 * `onlyIn`, only a job in one of those states gives its units back. True when this call gave
 * units back.
 */
export async function releaseJob(ddb: DynamoDBClient, tableName: string, jobId: string, onlyIn?: readonly string[]): Promise<boolean> {
  let old: Record<string, AttributeValue> | undefined;
  const statuses = Object.fromEntries((onlyIn ?? []).map((s, i) => [`:s${i}`, S(s)]));
  try {
    old = (await ddb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { jobId: S(jobId) },
      UpdateExpression: 'REMOVE costHeld',
      ConditionExpression: onlyIn ? `costHeld = :t AND #s IN (${Object.keys(statuses).join(', ')})` : 'costHeld = :t',
      ...(onlyIn ? { ExpressionAttributeNames: { '#s': 'status' } } : {}),
      ExpressionAttributeValues: { ':t': { BOOL: true }, ...statuses },
      ReturnValues: 'ALL_OLD',
    }))).Attributes;
  } catch (e) {
    // Already given back, a job admitted without cost (direct integration), or not in `onlyIn`.
    if (isConditionFailed(e)) return false;
    throw e;
  }
  const units = Number(old?.costUnits?.N ?? 0);
  const tierAttribute = old?.costTier?.S;
  const keyAttribute = old?.costKey?.S;
  if (units > 0 && tierAttribute && keyAttribute) await release(ddb, tableName, { units, tierAttribute, keyAttribute });
  return true;
}
