import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { METRIC_CATALOG, catalogMetric } from '../../alarms/metric-catalog';

/**
 * Messages in a queue, waiting or in flight: ApproximateNumberOfMessagesVisible +
 * ApproximateNumberOfMessagesNotVisible (Maximum, 1 min), both published per QueueName
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
 * The job queue's depth (what admission bounds) and the dead letters (which the reconciler's reads
 * put in flight for a moment) are both read this way.
 */
export function messagesInQueue(queueName: string, label: string, props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    label,
    period: Duration.minutes(1),
    ...props,
    expression: 'FILL(visible, 0) + FILL(inflight, 0)',
    usingMetrics: {
      visible: catalogMetric(METRIC_CATALOG.sqsVisible, { QueueName: queueName }, { statistic: 'Maximum' }),
      inflight: catalogMetric(METRIC_CATALOG.sqsNotVisible, { QueueName: queueName }, { statistic: 'Maximum' }),
    },
  });
}
