import * as path from 'path';
import { parseArgs } from 'util';
import { withUsageErrors } from './args';
import { CliCommand, CliIo, EXIT, UsageError } from './io';
import { ReviewInputError, loadTemplate, templateFiles } from '../review/load';
import { renderRunbook } from '../runbook/render';

const HELP = `Usage: kig runbook <template.json|template.yaml|cdk.out> [--json]

Prints the operations runbook of every stack template: one section per CloudWatch alarm with
what it means, the numbers behind its threshold (threshold, periods, and the steady-state value
the construct recorded in the alarm's metadata), the first three things to check (the alarm's
exact metric, then CloudWatch Logs Insights queries on the log groups the stack creates, or
related metrics when it creates none), and the limit to change with the kig command that
re-derives it. Everything is read from the template, so it works on any synthesized stack; the
constructs write the same text into the cloud assembly at synthesis (<stack>.runbook.md).

Options:
  --json        print {templates: [{path, title, sections, logGroups}]} as JSON
  -h, --help    show this help

Exit codes: 0 printed, 2 bad usage or bad input (missing file, malformed template).
`;

/** `kig runbook`: the runbook of each template, from the template alone. */
export const runbookCommand: CliCommand = {
  name: 'runbook',
  summary: 'print the operations runbook (every alarm: meaning, threshold, first checks, limit) of a template or cdk.out',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = withUsageErrors('runbook', () => parseArgs({
      args: argv, allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    }));
    if (values.help) {
      io.stdout(HELP);
      return EXIT.OK;
    }
    if (positionals.length !== 1) throw new UsageError('give one template file or cdk.out directory. See kig runbook --help.');
    try {
      const runbooks = templateFiles(positionals[0], io.cwd).map((file) => {
        const loaded = loadTemplate(file, io.cwd);
        return { path: loaded.path, runbook: renderRunbook(loaded.template, path.basename(file).replace(/\.template\.json$|\.(json|ya?ml)$/, '')) };
      });
      if (values.json) {
        io.stdout(`${JSON.stringify({ templates: runbooks.map(({ path: p, runbook: r }) => ({
          path: p, title: r.title, sections: r.sections,
          logGroups: r.logGroups.map((g) => ({ logicalId: g.logicalId, kind: g.kind, writer: g.writer, fields: [...g.fields] })),
        })) }, null, 2)}\n`);
      } else {
        io.stdout(`${runbooks.map((r) => r.runbook.markdown).join('\n')}\n`);
      }
      return EXIT.OK;
    } catch (e) {
      if (e instanceof ReviewInputError) {
        io.stderr(`kig runbook: ${e.message}\n`);
        return EXIT.USAGE;
      }
      throw e;
    }
  },
};
