import { Mitigation, RuleLevel, compliant, defineRule, nonCompliant, notApplicable } from '../../rule';
import { T, isRecord, list, problem } from '../helpers';
import { gpuPlacement } from './gpu-capacity';

/** Tasks placed on GPU instance capacity set a GPU resource requirement. */
export const ECSGPUCount = defineRule({
  name: 'ECSGPUCount',
  level: RuleLevel.ERROR,
  levelReason: 'Without a GPU reservation ECS neither gives the container a GPU nor stops it from packing more tasks on the instance than it has GPUs: the model silently runs on CPU or tasks fight over device memory.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.TASK_DEFINITION],
  info: 'The task runs on GPU instance capacity but no container has a ResourceRequirements entry of Type GPU.',
  explanation: 'A GPU resource requirement reserves physical GPUs for the container, which both exposes the device and bounds how many tasks share an instance. GPU capacity is detected from the service\'s capacity provider (Auto Scaling group launch template instance type in a GPU family) or a placement constraint on ecs.instance-type.',
  fix: 'Set gpuCount on the model container (ResourceRequirements [{ Type: "GPU", Value: "1" }]).',
  check(model, id) {
    const why = gpuPlacement(model, id);
    if (!why) return notApplicable('not placed on GPU instance capacity in this template');
    const withGpu = list(model.props(id).ContainerDefinitions).filter(isRecord)
      .filter((c) => list(c.ResourceRequirements).filter(isRecord).some((r) => r.Type === 'GPU'));
    if (withGpu.length > 0) return compliant(`task definition ${id} reserves GPUs in ${withGpu.map((c) => String(c.Name)).join(', ')} (placed on GPU capacity: ${why})`);
    return nonCompliant([problem(`task definition ${id} ResourceRequirements GPU`, 'absent', `a GPU count, because the task runs on GPU capacity: ${why}`, 'set gpuCount on the model container')]);
  },
});
