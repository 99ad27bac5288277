import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { CliCommand, CliIo, EXIT, UsageError } from './io';
import { withFloodLines } from './review-flood';
import { REVIEW_LIMITS } from '../review/review-limits';
import { InferenceProfile } from '../profile';
import { loadPrices } from '../review/prices';
import { DEFAULT_PRICES, REVIEW_FORMATS, ReviewFormat, ReviewInputError, TemplateReview, loadTemplate, renderReport, reviewTemplate, summarize, templateFiles } from '../review';

/** Templates from which progress is drawn on a terminal: below it the review is instant. */
const PROGRESS_THRESHOLD = 10;

const HELP = `Usage: kig review <template.json|template.yaml|cdk.out> [options]

Reviews CloudFormation templates for the five denial-of-service mitigations (resource limits,
timeouts, rate limiting, queue management, alarms) with the InferenceGuard rules (see RULES.md).
Works on any template, JSON or YAML (short forms such as !Ref, !GetAtt and !Sub included), or on
every stack template of a cdk.out directory.

SAM templates (AWS::Serverless::Function, Api, HttpApi, with Globals) are reviewed as the
resources the SAM transform generates; APIs defined by an inline OpenAPI Body are reviewed per
operation.

For each API, queue, endpoint, service, function URL and internet-facing load balancer it prints
each mitigation as present, default (only the platform default), wrong (there but ineffective),
missing or n/a, the finding behind each mark, and the worst-case cost per hour of each
component: instances at their maximum, requests at the throttle, Lambda at its concurrency cap
(or at the stage throttle when API Gateway is its only invoker) for its timeout, queue and log
volume; "unbounded" names the rule whose finding leaves it so. Each REST API also gets a "flood"
line: the single-key drill of \`kig drill\` (does the API keep legitimate users served when one key
floods it?), with the limit that fails and its fix.

Options:
  -f, --format FORMAT   table (default), json, markdown or sarif (SARIF 2.1.0 for code scanning)
      --json            the json format (same as --format json); a failure is a JSON document
                        {"error": {...}} on stdout too
  -o, --output FILE     write the report to FILE instead of standard output
      --fail-on LEVEL   error (default): exit 1 when an error-level rule fails;
                        warning: exit 1 when any rule fails
      --profile FILE    the model's profile, for the "flood" line of each REST API (the
                        single-key drill of kig drill; default: the profile the library's
                        backends record in the template)
      --prices FILE     JSON price table for the worst-case cost per hour (default:
                        ${DEFAULT_PRICES.region} on-demand list prices as of ${DEFAULT_PRICES.asOf}; any subset
                        of the keys of the default table, see README "Worst-case cost")
  -h, --help            show this help

Input limits: files of at most ${REVIEW_LIMITS.maxFileBytes / 1024 / 1024} MiB (CloudFormation itself takes 1 MB); regular files only
(named pipes, devices and sockets are refused); at most ${REVIEW_LIMITS.maxNestingDepth} levels of nesting; logical ids of 1 to
255 letters and digits; duplicate keys, malformed JSON/YAML and non-numbers in numeric properties
are errors; manifest paths must stay inside the cdk.out directory. Review time grows linearly with
the template size.

Exit codes: 0 no failing rule at the --fail-on level, 1 failing rules, 2 bad usage or bad input
(missing file, malformed JSON/YAML, unresolvable reference, empty directory, a limit above), 130 interrupted
(the report covers the templates reviewed before Ctrl-C).
`;

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        'fail-on': { type: 'string', default: 'error' },
        'prices': { type: 'string' },
        'json': { type: 'boolean' },
        'profile': { type: 'string' },
      },
    });
  } catch (e) {
    // parseArgs reports unknown or malformed options with a TypeError; that is a usage error.
    throw new UsageError(`${(e as Error).message.split('. ')[0]}. See kig review --help.`);
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv);
  if (positionals.length !== 1) {
    throw new UsageError(`expected one template file or cdk.out directory, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}. See kig review --help.`);
  }
  if (values.json && values.format !== undefined && values.format !== 'json') {
    throw new UsageError(`--json asks for the json format and --format ${JSON.stringify(values.format)} for another: pass one of them.`);
  }
  const format = (values.json ? 'json' : values.format ?? 'table') as ReviewFormat;
  if (!REVIEW_FORMATS.includes(format)) {
    throw new UsageError(`--format ${JSON.stringify(values.format)}: allowed ${REVIEW_FORMATS.join(', ')}.`);
  }
  const failOn = values['fail-on'];
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError(`--fail-on ${JSON.stringify(failOn)}: allowed error, warning.`);

  const reviews: TemplateReview[] = [];
  let interrupted = false;
  try {
    const prices = values.prices !== undefined ? loadPrices(path.resolve(io.cwd, values.prices), values.prices) : DEFAULT_PRICES;
    const profile = values.profile !== undefined ? InferenceProfile.fromFile(path.resolve(io.cwd, values.profile)) : undefined;
    const files = templateFiles(positionals[0], io.cwd);
    // Each template is read once; the others of the same app are its siblings (cross-stack alarms).
    const loaded = new Map<string, ReturnType<typeof loadTemplate>>();
    const load = (f: string) => loaded.get(f) ?? loaded.set(f, loadTemplate(f, io.cwd)).get(f)!;
    const progress = io.isTty && files.length >= PROGRESS_THRESHOLD;
    for (const [i, file] of files.entries()) {
      if (io.signal?.aborted) {
        // Ctrl-C: report what was reviewed so far, and say so.
        if (progress) io.stderr('\r\x1b[K');
        io.stderr(`kig review: interrupted after ${i} of ${files.length} templates; the report covers those.\n`);
        interrupted = true;
        break;
      }
      if (progress) io.stderr(`\rreviewing ${i + 1}/${files.length} ${path.basename(file)}\x1b[K`);
      const review = reviewTemplate(load(file), { siblings: files.filter((f) => f !== file).map((f) => load(f).template), prices });
      reviews.push(withFloodLines(review, load(file).template, profile, prices));
    }
    if (progress && !interrupted) io.stderr('\r\x1b[K');
  } catch (e) {
    if (e instanceof ReviewInputError) {
      io.stderr(`kig review: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }

  const report = summarize(reviews);
  const text = renderReport(report, format);
  if (values.output) {
    const out = path.resolve(io.cwd, values.output);
    try {
      fs.writeFileSync(out, text);
    } catch (e) {
      io.stderr(`kig review: cannot write ${values.output} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix: choose a writable path.\n`);
      return EXIT.USAGE;
    }
    io.stderr(`kig review: wrote ${format} report to ${values.output}: ${report.errors} error(s), ${report.warnings} warning(s).\n`);
  } else {
    io.stdout(text);
  }
  if (interrupted) return EXIT.INTERRUPTED;
  const failing = failOn === 'warning' ? report.errors + report.warnings : report.errors;
  return failing > 0 ? EXIT.FINDINGS : EXIT.OK;
}

/** `kig review`: the DoS-readiness review of CloudFormation templates. */
export const reviewCommand: CliCommand = {
  name: 'review',
  summary: 'review CloudFormation templates (JSON, YAML or cdk.out) for the five DoS mitigations',
  help: HELP,
  run,
};
