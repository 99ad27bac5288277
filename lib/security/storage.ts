import { Duration, RemovalPolicy, Validations, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SecurityPosture } from './security-posture';
import { acknowledgeCompliance, acknowledgeUnlessRegulated } from './compliance';

/** Encryption and versioning of a bucket holding inference data, by posture. */
export function dataBucketProps(posture: SecurityPosture, scope: Construct): Pick<s3.BucketProps, 'encryption' | 'encryptionKey' | 'bucketKeyEnabled' | 'versioned'> {
  const key = posture.encryptionKey(scope);
  // A bucket key cuts KMS requests (and their cost) to one per bucket and time window.
  return key ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true, versioned: true } : { encryption: s3.BucketEncryption.S3_MANAGED };
}

/** Lifecycle of the older versions a versioned (regulated) bucket keeps: they expire like the objects. */
export function noncurrentExpiration(posture: SecurityPosture, after: Duration): Duration | undefined {
  return posture.isRegulated ? after : undefined;
}

/** Acknowledges what neither posture changes on a bucket of transient inference data, and what the standard posture leaves. */
export function acknowledgeDataBucket(posture: SecurityPosture, bucket: s3.IBucket, holds: string): void {
  acknowledgeCompliance(bucket, 'S3BucketReplicationEnabled',
    `${holds}; its objects expire by lifecycle, and a replica in a second Region would keep inference data outside the Region and past that lifecycle`);
  acknowledgeUnlessRegulated(posture, bucket, 'S3BucketVersioningEnabled',
    `${holds}; each object is written once and expires by lifecycle, older versions would only keep expired inference data longer`,
    'enables versioning, with older versions expiring on the same lifecycle');
  acknowledgeUnlessRegulated(posture, bucket, 'S3DefaultEncryptionKMS', `${holds}; encrypted at rest with S3-managed keys (SSE-S3)`, 'encrypts it with the customer-managed key');
}

/**
 * A server access log bucket for `of` (regulated posture, or wherever access logs are wanted):
 * SSE-S3, TLS only, private, versioned in the regulated posture, records expiring after 90 days.
 */
export function accessLogBucket(posture: SecurityPosture, scope: Construct, id: string, of: string): s3.Bucket {
  // Server access log delivery granted by a bucket policy, not the legacy LogDeliveryWrite ACL (the
  // flag is read in the log bucket's own scope, which must carry it before the bucket exists).
  const flag = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';
  let holder = scope;
  if (scope.node.tryGetContext(flag) !== true) {
    holder = new Construct(scope, id);
    holder.node.setContext(flag, true);
  }
  const logs = new s3.Bucket(holder, holder === scope ? id : 'Bucket', {
    encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    versioned: posture.isRegulated ? true : undefined,
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: noncurrentExpiration(posture, Duration.days(90)) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeAccessLogBucket(posture, logs, of);
  return logs;
}

/** Acknowledges the findings of a server access log bucket. */
export function acknowledgeAccessLogBucket(posture: SecurityPosture, logs: s3.IBucket, of: string): void {
  const holds = `The access log bucket of ${of}: request records (requester, key or path, operation, status), never object or request contents`;
  Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: `${holds}; logging it to itself would loop` });
  acknowledgeCompliance(logs, 'S3BucketLoggingEnabled', `${holds}; logging it to itself would loop, and CloudTrail records its management events`);
  acknowledgeCompliance(logs, 'S3DefaultEncryptionKMS', `${holds}; log delivery writes with SSE-S3, which keeps the records encrypted at rest without a key policy for the delivery service`);
  acknowledgeCompliance(logs, 'S3BucketReplicationEnabled', `${holds}; the records expire after 90 days and are not a system of record to replicate`);
  acknowledgeUnlessRegulated(posture, logs, 'S3BucketVersioningEnabled', `${holds}; records are written once and never updated`, 'enables versioning');
}
