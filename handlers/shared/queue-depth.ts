import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

/**
 * The queue attributes whose sum is the job queue's depth: visible, in flight (not done, and a
 * failing one comes back) and delayed messages. Approximate counts
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html).
 */
const DEPTH_ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

/** The job queue's depth: its visible, in-flight and delayed messages, in one GetQueueAttributes call. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...DEPTH_ATTRIBUTES] }))).Attributes ?? {};
  return DEPTH_ATTRIBUTES.reduce((sum, k) => sum + Number(attrs[k] ?? 0), 0);
}
