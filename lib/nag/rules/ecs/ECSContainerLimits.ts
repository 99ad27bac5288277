import { Mitigation, RuleLevel, defineRule, nonCompliant } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { T, isRecord, list, problem } from '../helpers';

/** Each ECS container has a hard memory limit, and each task has CPU (task-level or every container). */
export const ECSContainerLimits = defineRule({
  name: 'ECSContainerLimits',
  level: RuleLevel.ERROR,
  levelReason: 'A container with only a soft memory reservation can grow until the host runs out of memory, taking down every task on the instance: one heavy request becomes an outage.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.TASK_DEFINITION],
  info: 'A container has no hard memory limit (its own Memory, or the task-level Memory), or the task has no CPU (task-level Cpu or Cpu on every container).',
  explanation: 'Memory is a hard limit: the container (or, for task-level Memory, the task) is stopped when it exceeds it, and the others keep running. MemoryReservation is only a scheduling hint. Without CPU units the task can starve its neighbours. AWS Config\'s ecs-task-definition-memory-hard-limit rule was discontinued, so nothing else checks this.',
  fix: 'Set memoryLimitMiB on every container (or memoryLimitMiB on the task definition), and cpu on the task definition (or on every container).',
  check(model, id) {
    const p = model.props(id);
    const containers = list(p.ContainerDefinitions).filter(isRecord);
    const findings: string[] = [];
    const name = (c: Record<string, unknown>, i: number) => `task definition ${id} container ${typeof c.Name === 'string' ? `"${c.Name}"` : `#${i}`}`;
    // Task-level Memory is a hard limit for all the task's containers together (required on
    // Fargate, optional on EC2), so it bounds them as well as per-container limits would.
    const taskMemory = p.Memory;
    containers.forEach((c, i) => {
      if (c.Memory === undefined && taskMemory === undefined) {
        findings.push(problem(`${name(c, i)} Memory`, c.MemoryReservation !== undefined ? `absent (only a soft MemoryReservation of ${showValue(c.MemoryReservation)} MiB)` : 'absent',
          'a hard memory limit in MiB (the container\'s Memory, or the task-level Memory)', 'set memoryLimitMiB on the container'));
      }
    });
    if (p.Cpu === undefined) {
      const without = containers.map((c, i) => ({ c, i })).filter(({ c }) => c.Cpu === undefined);
      if (containers.length === 0 || without.length > 0) {
        findings.push(problem(`task definition ${id} Cpu`, `absent${without.length > 0 ? ` (and no Cpu on ${without.map(({ c, i }) => name(c, i).replace(`task definition ${id} `, '')).join(', ')})` : ''}`,
          'task-level CPU units, or CPU units on every container', 'set cpu on the task definition'));
      }
    }
    return nonCompliant(findings, [`task definition ${id}: Cpu ${showValue(p.Cpu)}, Memory ${showValue(taskMemory)}; containers ${containers.map((c) => `${String(c.Name)} Memory ${showValue(c.Memory)}`).join(', ')}`]);
  },
});
