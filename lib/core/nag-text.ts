import { IConstruct } from 'constructs';
import { Stack, Validations } from 'aws-cdk-lib';

/**
 * Renders an IAM resource the way cdk-nag names it in a granular finding id
 * (`AwsSolutions-IAM5[Resource::<this>]`): intrinsics flattened to `<Ref>` / `<Res.Attr>`.
 * Acknowledgements must match that text exactly; there is no prefix matching.
 */
export function nagResourceText(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (o['Fn::Sub']) return visit(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [res, attr] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(res)}.${visit(attr)}>`;
    }
    if (o['Fn::ImportValue']) return visit(o['Fn::ImportValue']);
    if (o.Ref) return `<${visit(o.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** Acknowledges a nag finding on a construct and its subtree, with the reason (one per finding when given). */
export function acknowledge(scope: IConstruct, rule: string, reason: string, findings?: string[]): void {
  if (!findings) {
    Validations.of(scope).acknowledge({ id: rule, reason });
    return;
  }
  for (const f of findings) Validations.of(scope).acknowledge({ id: `${rule}[${f}]`, reason });
}
