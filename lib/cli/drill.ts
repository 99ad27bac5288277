import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { withUsageErrors } from './args';
import { CliCommand, CliIo, EXIT, UsageError } from './io';
import { Drill, DrillError, DrillOptions, renderDrillHtml, renderDrillSvg, renderDrillTable } from '../drill';
import { SCENARIOS, SCENARIO_TEXT } from '../drill';
import { InferenceProfile } from '../profile';
import { ReviewInputError } from '../review/load';

const HELP = `Usage: kig drill <template.json|template.yaml|cdk.out> [options]

Simulates a flood against the API of a synthesized template, second by second, through every
limit the template sets, in the order AWS applies them: WAF rate-based rules, the API key, the
usage plan's per-key throttle and quota, the stage method and stage throttles, the account
throttle, then the backend (capacity, queueing and timeouts from the profile, autoscaling with its
metric delay and cold start) or the job queue's admission bound and workers. Prints whether
legitimate clients still get answers, what the attacker gets through, the instances and the cost
per hour, the limit that let any loss happen and the change that fixes it, and every assumption.
Deterministic for a given --seed.

Scenarios (--scenario):
${SCENARIOS.map((s) => `  ${s.padEnd(12)} ${SCENARIO_TEXT[s]}`).join('\n')}

Options:
  --scenario NAME       one of the above (default single-key)
  --attack-rps N        attacker requests per second (default 100 x the fleet's maximum capacity)
  --legit-rps N         legitimate requests per second (default half the minimum fleet's capacity)
  --legit-clients N     legitimate clients, each with its own API key and IP (default: enough that
                        each uses at most half of its plan's rate, at least 10)
  --duration S          simulated seconds (default 900)
  --seed N              seed of the arrival draws (default 1)
  --target X            legitimate success below which the drill fails, 0..1 (default 0.99 for
                        single-key, heavy and queue-flood, 0.95 for stolen-key, what capacity
                        forces for surge, none for many-keys)
  --profile FILE        the model's profile (default: the one the library's backends record in
                        the template)
  --api ID              logical id of the REST API to drill (default: the first one)
  --heavy-cost X        backend cost of a heavy request in median requests (default p99/p50)
  --waf-delay S         seconds from the WAF check that finds an IP over its limit to the first
                        block (default 30; AWS documents "up to several minutes")
  -f, --format FORMAT   table (default) or json
      --json            same as --format json
      --report FILE     write the timeline as SVG (FILE.svg) or HTML (FILE.html)
  -h, --help            show this help

JSON names: legit.successRate, legit.p99Ms, attack.successRate, peakInstances,
costPerHourUsd.peak, timeline[], assumptions[], passed, cause, fix.

Exit codes: 0 legitimate success at or above the target, 1 below it (the cause and the fix are
printed), 2 bad usage or input (no entry point, no profile, unreadable template).
`;

function positiveNumber(name: string, v: string | undefined, integer = false, allowZero = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} ${JSON.stringify(v)}: expected a ${integer ? 'whole' : ''}${integer ? ' ' : ''}number ${allowZero ? '>= 0' : '> 0'}.`);
  }
  return n;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('drill', () => parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'scenario': { type: 'string', default: 'single-key' },
      'attack-rps': { type: 'string' },
      'legit-rps': { type: 'string' },
      'legit-clients': { type: 'string' },
      'duration': { type: 'string' },
      'seed': { type: 'string' },
      'target': { type: 'string' },
      'profile': { type: 'string' },
      'api': { type: 'string' },
      'heavy-cost': { type: 'string' },
      'waf-delay': { type: 'string' },
      'format': { type: 'string', short: 'f', default: 'table' },
      'json': { type: 'boolean', default: false },
      'report': { type: 'string' },
    },
  }));
  if (positionals.length !== 1) throw new UsageError(`expected one template file or cdk.out directory, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}. See kig drill --help.`);
  const format = values.json ? 'json' : values.format;
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format ${JSON.stringify(values.format)}: allowed table, json.`);
  if (!(SCENARIOS as readonly string[]).includes(values.scenario!)) throw new UsageError(`--scenario ${JSON.stringify(values.scenario)}: allowed ${SCENARIOS.join(', ')}.`);
  const target = positiveNumber('target', values.target, false, true);
  if (target !== undefined && target > 1) throw new UsageError(`--target ${values.target}: expected a share from 0 to 1 (e.g. 0.99).`);
  if (values.report !== undefined && !/\.(svg|html?)$/i.test(values.report)) throw new UsageError(`--report ${JSON.stringify(values.report)}: the file name must end in .svg or .html.`);
  const options: DrillOptions = {
    scenario: values.scenario,
    attackRps: positiveNumber('attack-rps', values['attack-rps'], false, true),
    legitRps: positiveNumber('legit-rps', values['legit-rps']),
    legitClients: positiveNumber('legit-clients', values['legit-clients'], true),
    durationSeconds: positiveNumber('duration', values.duration, true),
    seed: positiveNumber('seed', values.seed, true, true),
    target,
    apiId: values.api,
    heavyCost: positiveNumber('heavy-cost', values['heavy-cost']),
    wafBlockDelaySeconds: positiveNumber('waf-delay', values['waf-delay'], false, true),
    profile: values.profile !== undefined ? InferenceProfile.fromFile(path.resolve(io.cwd, values.profile)) : undefined,
  };
  let report;
  try {
    report = Drill.runFile(path.resolve(io.cwd, positionals[0]), options);
  } catch (e) {
    if (e instanceof DrillError || e instanceof ReviewInputError) {
      io.stderr(`kig drill: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  if (values.report !== undefined) {
    const file = path.resolve(io.cwd, values.report);
    try {
      fs.writeFileSync(file, /\.svg$/i.test(file) ? renderDrillSvg(report) : renderDrillHtml(report));
    } catch (e) {
      io.stderr(`kig drill: cannot write ${values.report} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix: choose a writable path.\n`);
      return EXIT.USAGE;
    }
  }
  io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderDrillTable(report));
  if (!report.passed) {
    io.stderr(`kig drill: legitimate success ${report.legit.successRate} below the target ${report.target}: ${report.cause ?? 'see the report'}. Fix: ${report.fix ?? 'see the report'}.\n`);
    return EXIT.FINDINGS;
  }
  return EXIT.OK;
}

/** `kig drill`: the flood simulator. */
export const drillCommand: CliCommand = {
  name: 'drill',
  summary: 'simulate a flood against a template\'s API: do legitimate users still get answers, at what cost',
  help: HELP,
  run,
};
