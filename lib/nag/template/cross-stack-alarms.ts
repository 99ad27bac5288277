import { CfnTemplate, CfnTemplateResource } from './template-model';

const ALARM = 'AWS::CloudWatch::Alarm';

/** The value each export of `template` stands for, by export name (literal names only). */
function exportsOf(template: CfnTemplate): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const outputs = (template.Outputs ?? {}) as Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
  for (const o of Object.values(outputs)) {
    if (typeof o?.Export?.Name === 'string') out.set(o.Export.Name, o.Value);
  }
  return out;
}

/** `value` with every `Fn::ImportValue` of a known export replaced by what it exports; `hit` tells whether any was. */
function substitute(value: unknown, exports: Map<string, unknown>, hit: { found: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, exports, hit));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const name = o['Fn::ImportValue'];
    if (typeof name === 'string' && exports.has(name)) {
      hit.found = true;
      return exports.get(name);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, substitute(v, exports, hit)]));
  }
  return value;
}

/**
 * `template` plus the alarms of the other stacks of the same app that watch its resources through
 * cross-stack references (`Fn::ImportValue` of this template's exports), with the imports replaced
 * by the exported values: an alarm kept in a monitoring stack counts for the resource it watches.
 * The copies are named `<other stack index>x<logical id>` and are only read, never deployed.
 */
export function withImportedAlarms(template: CfnTemplate, others: readonly CfnTemplate[]): CfnTemplate {
  const exports = exportsOf(template);
  if (exports.size === 0) return template;
  const added: Record<string, CfnTemplateResource> = {};
  others.forEach((other, i) => {
    for (const [id, r] of Object.entries(other.Resources ?? {})) {
      if (r.Type !== ALARM) continue;
      const hit = { found: false };
      const props = substitute(r.Properties, exports, hit) as Record<string, unknown>;
      if (hit.found) added[`ImportedAlarm${i}x${id}`] = { ...r, Properties: props };
    }
  });
  return Object.keys(added).length === 0 ? template : { ...template, Resources: { ...template.Resources, ...added } };
}
