import * as fs from 'fs';
import * as path from 'path';
import { Lazy, Stack, attachCustomSynthesis, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { renderRunbook, runbookAnchor } from './render';

/** File name of a stack's runbook in the cloud assembly, beside `<artifactId>.template.json`. */
export function runbookFileName(stack: Stack): string {
  return `${stack.artifactId}.runbook.md`;
}

const writers = new WeakSet<Stack>();

/**
 * Writes the runbook of `scope`'s stack into the cloud assembly at synthesis, rendered from the
 * stack's template by the same function `kig runbook` uses (so both print the same text). One
 * file per stack, whichever service asks first.
 */
export function writeRunbookAtSynth(scope: Construct): void {
  const stack = Stack.of(scope);
  if (writers.has(stack)) return;
  writers.add(stack);
  attachCustomSynthesis(scope, {
    onSynthesize(session) {
      // The stack's template as it will be written (aspects applied, tokens resolved).
      const template = (stack as unknown as { _toCloudFormation(): Parameters<typeof renderRunbook>[0] })._toCloudFormation();
      fs.writeFileSync(path.join(session.outdir, runbookFileName(stack)), renderRunbook(template, stack.stackName).markdown);
    },
  });
}

/**
 * A dashboard text widget that links every alarm of the service to its runbook section:
 * `<base>#alarm-<logical id>`, where base is `runbookUrl` or the runbook's file name in the
 * cloud assembly. Resolved at synthesis, when the logical ids are final.
 */
export function runbookLinksWidget(scope: Construct, alarms: readonly cloudwatch.Alarm[], runbookUrl?: string): cloudwatch.TextWidget {
  const stack = Stack.of(scope);
  return new cloudwatch.TextWidget({
    width: 24,
    height: Math.min(20, 2 + alarms.length),
    // Stated, not left to the default: aws-cdk-lib 2.276 writes a transparent background when none is
    // given and 2.275 (the newest Python release) writes none, so the same app would differ by language.
    background: cloudwatch.TextWidgetBackground.TRANSPARENT,
    markdown: Lazy.string({
      produce: () => {
        const base = runbookUrl ?? runbookFileName(stack);
        const rows = alarms.map((a) => {
          const id = stack.resolve(stack.getLogicalId(a.node.defaultChild as cloudwatch.CfnAlarm)) as string;
          return `| ${a.node.id} | [runbook](${base}#${runbookAnchor(id)}) |`;
        });
        return ['### Runbook: what each alarm means and what to check first', '', '| alarm | section |', '|---|---|', ...rows].join('\n');
      },
    }),
  });
}
