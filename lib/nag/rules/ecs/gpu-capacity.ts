import { isGpuInstanceType } from '../../../core/instance-types';
import { readString } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, findByLiteral, isRecord, list, rec } from '../helpers';

/**
 * Why a task definition lands on GPU instances, or undefined. Looks at the services that run it
 * (capacity provider -> Auto Scaling group -> launch template / configuration instance types, also
 * the cluster's default strategy) and at placement constraints on `ecs.instance-type`.
 */
export function gpuPlacement(model: TemplateModel, taskDefId: string): string | undefined {
  const own = gpuConstraint(model.props(taskDefId).PlacementConstraints);
  if (own) return `task placement constraint "${own}"`;
  for (const svc of model.referencers(taskDefId, T.SERVICE)) {
    const p = model.props(svc);
    if (model.target(p.TaskDefinition) !== taskDefId) continue;
    const constraint = gpuConstraint(p.PlacementConstraints);
    if (constraint) return `service ${svc} placement constraint "${constraint}"`;
    let strategy = list(p.CapacityProviderStrategy);
    if (strategy.length === 0) strategy = clusterDefaultStrategy(model, p.Cluster);
    for (const item of strategy.filter(isRecord)) {
      const cp = capacityProvider(model, item.CapacityProvider);
      if (cp === undefined) continue;
      const asg = model.target(rec(model.props(cp).AutoScalingGroupProvider).AutoScalingGroupArn, T.ASG);
      if (asg === undefined) continue;
      const gpu = asgInstanceTypes(model, asg).find(isGpuInstanceType);
      if (gpu) return `service ${svc} capacity provider ${cp} -> Auto Scaling group ${asg} (${gpu})`;
    }
  }
  return undefined;
}

function gpuConstraint(constraints: unknown): string | undefined {
  for (const c of list(constraints).filter(isRecord)) {
    const expr = typeof c.Expression === 'string' ? c.Expression : '';
    const m = /ecs\.instance-(?:type|family)\s*(?:==|=~|in)\s*\(?\s*([^)]*)/.exec(expr);
    if (!m) continue;
    const values = m[1].split(/[\s,]+/).filter(Boolean);
    // `g5.*` or `g5` name a family: test them as `<family>.xlarge`.
    if (values.some((v) => isGpuInstanceType(v.includes('.') ? v.replace('*', 'xlarge') : `${v}.xlarge`))) return expr;
  }
  return undefined;
}

function clusterDefaultStrategy(model: TemplateModel, clusterRef: unknown): unknown[] {
  const cluster = model.target(clusterRef);
  if (cluster === undefined) return [];
  const fromCluster = list(model.props(cluster).DefaultCapacityProviderStrategy);
  if (fromCluster.length > 0) return fromCluster;
  return model.ofType(T.CLUSTER_CAPACITY_ASSOCIATIONS)
    .filter((a) => model.target(model.props(a).Cluster) === cluster)
    .flatMap((a) => list(model.props(a).DefaultCapacityProviderStrategy));
}

function capacityProvider(model: TemplateModel, ref: unknown): string | undefined {
  const direct = model.target(ref, T.CAPACITY_PROVIDER);
  if (direct !== undefined) return direct;
  const name = readString(ref);
  return name.kind === 'literal' ? findByLiteral(model, T.CAPACITY_PROVIDER, 'Name', name.value) : undefined;
}

function asgInstanceTypes(model: TemplateModel, asgId: string): string[] {
  const p = model.props(asgId);
  const out: string[] = [];
  const fromTemplate = (spec: unknown) => {
    const lt = model.target(rec(spec).LaunchTemplateId, T.LAUNCH_TEMPLATE);
    const t = lt !== undefined ? rec(model.props(lt).LaunchTemplateData).InstanceType : undefined;
    if (typeof t === 'string') out.push(t);
  };
  fromTemplate(p.LaunchTemplate);
  const lc = model.target(p.LaunchConfigurationName, T.LAUNCH_CONFIGURATION);
  if (lc !== undefined && typeof model.props(lc).InstanceType === 'string') out.push(model.props(lc).InstanceType as string);
  const mixed = rec(rec(p.MixedInstancesPolicy).LaunchTemplate);
  fromTemplate(mixed.LaunchTemplateSpecification);
  for (const o of list(mixed.Overrides).filter(isRecord)) {
    if (typeof o.InstanceType === 'string') out.push(o.InstanceType);
  }
  return out;
}
