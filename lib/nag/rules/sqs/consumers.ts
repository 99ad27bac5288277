import { TemplateModel } from '../../template/template-model';
import { T, functionOf } from '../helpers';
import { containsText } from '../../template/intrinsics';

/** An SQS event source mapping: its queue (when in the template) and its function. */
export interface SqsConsumer {
  readonly queueId?: string;
  readonly functionId?: string;
}

/** Reads an event source mapping; undefined when its source is not an SQS queue. */
export function sqsConsumer(model: TemplateModel, esmId: string): SqsConsumer | undefined {
  const p = model.props(esmId);
  const queueId = model.target(p.EventSourceArn, T.QUEUE);
  if (queueId === undefined && !containsText(p.EventSourceArn, ':sqs:')) return undefined;
  return { queueId, functionId: functionOf(model, p.FunctionName) };
}
