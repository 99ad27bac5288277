import { SQS_DEFAULT_VISIBILITY_TIMEOUT_S } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { referencedIds } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, problem } from '../helpers';
import { roleStatements } from '../lambda/functions';

/** Queues an ECS service receives from: its task role may sqs:ReceiveMessage on them. */
export function queuesConsumedBy(model: TemplateModel, serviceId: string): string[] {
  const task = model.target(model.props(serviceId).TaskDefinition, T.TASK_DEFINITION);
  const role = task !== undefined ? model.target(model.props(task).TaskRoleArn, T.IAM_ROLE) : undefined;
  if (role === undefined) return [];
  const queues = new Set<string>();
  for (const s of roleStatements(model, role, ['sqs:ReceiveMessage'])) {
    for (const r of referencedIds(s.Resource)) if (model.typeOf(r) === T.QUEUE) queues.add(r);
  }
  return [...queues];
}

/** A queue an ECS worker consumes sets its visibility timeout instead of relying on the 30 s default. */
export const SQSWorkerVisibilityTimeout = defineRule({
  name: 'SQSWorkerVisibilityTimeout',
  level: RuleLevel.WARNING,
  levelReason: 'The review cannot see how long the worker takes per message, only that nobody chose the visibility timeout; the 30 s default is right only for fast jobs.',
  mitigation: Mitigation.TIMEOUTS,
  resourceTypes: [T.SERVICE],
  info: `A queue the ECS service consumes has no VisibilityTimeout, so messages reappear after the ${SQS_DEFAULT_VISIBILITY_TIMEOUT_S} s default even while a worker still processes them.`,
  explanation: 'A container worker has no function timeout for the queue to be measured against. The visibility timeout must exceed the longest time the worker holds a message (model latency under load, retries, batch), or every slow request is delivered again to a second worker and the queue doubles its own load. Consumers are found through the task role\'s sqs:ReceiveMessage permission.',
  fix: 'Set the queue\'s VisibilityTimeout above the worker\'s longest processing time (CDK `visibilityTimeout`), or have the worker extend it with ChangeMessageVisibility while it works.',
  check(model, id) {
    const queues = queuesConsumedBy(model, id);
    if (queues.length === 0) return notApplicable('the service consumes no queue of this template');
    const unset = queues.filter((q) => model.props(q).VisibilityTimeout === undefined);
    if (unset.length === 0) return nonCompliant([], queues.map((q) => `queue ${q} (consumed by service ${id}) VisibilityTimeout ${String(model.props(q).VisibilityTimeout)} s`));
    return nonCompliant(unset.map((q) => problem(`queue ${q} (consumed by ECS service ${id}) VisibilityTimeout`, `absent (the ${SQS_DEFAULT_VISIBILITY_TIMEOUT_S} s default)`, 'longer than the worker\'s longest processing time', 'set visibilityTimeout on the queue')));
  },
});
