import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The stored job record (DynamoDB item, partition key `jobId`). */
export interface JobRecord {
  readonly jobId: string;
  readonly status: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly requestHash?: string;
  readonly enqueued?: boolean;
  readonly attempts?: number;
  readonly leaseOwner?: string;
  readonly leaseUntil?: number;
  readonly result?: string;
  readonly resultKey?: string;
  readonly resultContentType?: string;
  readonly error?: string;
}

/** Reads a job record from a DynamoDB item without the document client (one dependency fewer). */
export function fromItem(item: Record<string, AttributeValue> | undefined): JobRecord | undefined {
  if (!item) return undefined;
  const s = (k: string) => item[k]?.S;
  const n = (k: string) => (item[k]?.N !== undefined ? Number(item[k].N) : undefined);
  return {
    jobId: s('jobId') ?? '',
    status: s('status') ?? '',
    createdAt: n('createdAt'),
    updatedAt: n('updatedAt'),
    requestHash: s('requestHash'),
    enqueued: item.enqueued?.BOOL,
    attempts: n('attempts'),
    leaseOwner: s('leaseOwner'),
    leaseUntil: n('leaseUntil'),
    result: s('result'),
    resultKey: s('resultKey'),
    resultContentType: s('resultContentType'),
    error: s('error'),
  };
}

export const S = (v: string): AttributeValue => ({ S: v });
export const N = (v: number): AttributeValue => ({ N: String(v) });

/** True for DynamoDB's failed-condition error. */
export function isConditionFailed(e: unknown): boolean {
  return (e as { name?: string })?.name === 'ConditionalCheckFailedException';
}
