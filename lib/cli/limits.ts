import * as path from 'path';
import { parseArgs } from 'util';
import { formatProblem, InferenceGuardError, ProblemCollector } from '../core';
import { inspectModel } from '../model/inspection';
import { SageMakerRealtimeBackend } from '../compute/sagemaker-realtime';
import { deriveLimits, deriveQueueLimits, InferenceLimits, InferenceProfile, LIMIT_DEFAULTS, QueueLimits } from '../profile';
import { ModelSignature } from '../model';
import { withUsageErrors } from './args';
import { CliCommand, CliIo, EXIT } from './io';
import { limitsCost, renderCost } from '../review/cost';
import { ReviewInputError } from '../review/load';
import { DEFAULT_PRICES, PriceTable, loadPrices } from '../review/prices';

const HELP = `Usage: kig limits --profile FILE [--model PATH [--max-batch N] [--max-variable-dim N]] [--min-instances N] [--max-instances N] [--region R] [--prices FILE] [--json]

Prints every limit the constructs derive from an inference profile, grouped by the construct
that sets it, each with the formula and the inputs that produced it (deriveLimits() and, for the
job queue, deriveQueueLimits()). A profile measured on an ml.* instance is checked against a
SageMaker real-time endpoint's payload and time limits. Read it before deploy: these are the
numbers an attacker meets. Ends with the worst-case cost per hour
under attack: the API at its stage throttle (requests, WAF, access logs) and the backend at its
maximum instance count, with the prices used.

With --model (a SavedModel directory or .keras file), the job queue prices requests in cost units
read from the model's signature: one unit is one instance at its largest shape, and
  cost = fixedShare + (1 - fixedShare) x elements / referenceElements
with fixedShare fitted to the profile's payload sizes when it has two or more. The queue's budget,
drain rate, largest job, tier and key shares are then in those units.

Options:
  --profile FILE       profile JSON written by kig profile or kig recommend (required)
  --model PATH         SavedModel directory or .keras file whose signature prices jobs in cost units
  --max-batch N        largest batch one request may carry (default: the model's, else 8)
  --max-variable-dim N bound of variable dimensions (required when the model has one)
  --min-instances N    instances always running (default ${LIMIT_DEFAULTS.minInstances})
  --max-instances N    instances at most, the cost ceiling under attack (default ${LIMIT_DEFAULTS.maxInstances})
  --region R           cap throttles at that Region's account limit (default: the larger Regions' limit)
  --prices FILE        JSON price table (default: ${DEFAULT_PRICES.region} on-demand list prices as of ${DEFAULT_PRICES.asOf});
                       the same format as kig review --prices
  --json               print {profile, limits, groups, cost} as JSON; a failure is a JSON
                       document {"error": {...}} on stdout too
  -h, --help           show this help

Exit codes:
  0    limits printed
  1    the profile gives limits that break an invariant (each problem is printed)
  2    bad usage, or the profile file is unreadable or invalid
`;

/** Which construct sets each limit, by the dotted path's first segment(s). */
export const LIMIT_GROUPS: ReadonlyArray<{ readonly title: string; readonly prefixes: readonly string[] }> = [
  { title: 'InferenceApi: API Gateway stage, usage plans, WAF, request size', prefixes: ['timeouts.integrationTimeoutMs', 'throttle.', 'usagePlanTiers.', 'waf.', 'payload.'] },
  { title: 'Model server: TF Serving container, nginx, batching', prefixes: ['timeouts.modelServerTimeoutSeconds', 'timeouts.nginxReadTimeoutSeconds', 'modelServer.'] },
  { title: 'Backend scaling: SageMaker variant / ECS service autoscaling', prefixes: ['scaling.'] },
  { title: 'Alarms: CloudWatch thresholds', prefixes: ['alarms.'] },
];

/** One printed line: the dotted path, the value and its formula. */
export interface LimitLine {
  readonly path: string;
  readonly value: number | string;
  readonly formula: string;
}

/** Flattens the limits into lines, each with its formula (or the default it comes from). */
export function limitLines(limits: InferenceLimits): LimitLine[] {
  const f = limits.formulas;
  const lines: LimitLine[] = [];
  const walk = (obj: unknown, prefix: string) => {
    if (Array.isArray(obj)) {
      for (const item of obj as Array<Record<string, unknown>>) {
        const name = String(item.name);
        for (const [k, v] of Object.entries(item)) {
          if (k === 'name') continue;
          lines.push({ path: `${prefix}.${name}.${k}`, value: v as number, formula: f[`${prefix}.${name}`] ?? 'default' });
        }
      }
      return;
    }
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (p === 'formulas') continue;
      if (typeof v === 'object' && v !== null) walk(v, p);
      else lines.push({ path: p, value: v as number | string, formula: f[p] ?? 'library default (LIMIT_DEFAULTS / alarm defaults)' });
    }
  };
  walk(limits, '');
  return lines;
}

/** Groups lines by construct; lines no group claims go under "Other". */
export function groupLines(lines: readonly LimitLine[]): Array<{ title: string; lines: LimitLine[] }> {
  const groups = LIMIT_GROUPS.map((g) => ({ title: g.title, lines: lines.filter((l) => g.prefixes.some((p) => l.path === p || (p.endsWith('.') && l.path.startsWith(p)))) }));
  const claimed = new Set(groups.flatMap((g) => g.lines.map((l) => l.path)));
  const other = lines.filter((l) => !claimed.has(l.path));
  return other.length ? [...groups, { title: 'Other', lines: other }] : groups;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = withUsageErrors('limits', () => parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      'profile': { type: 'string' },
      'min-instances': { type: 'string' },
      'max-instances': { type: 'string' },
      'region': { type: 'string' },
      'json': { type: 'boolean' },
      'prices': { type: 'string' },
      'model': { type: 'string' },
      'max-batch': { type: 'string' },
      'max-variable-dim': { type: 'string' },
    },
  }));
  const c = new ProblemCollector('CLI_USAGE', 'kig limits');
  c.require(values.profile !== undefined, '--profile', values.profile, 'a profile JSON file', 'pass --profile profile.json (write one with kig profile)');
  const int = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const v = Number(text);
    c.require(Number.isInteger(v) && v >= 1 && v <= 10_000, name, text, 'an integer from 1 to 10000', `pass ${name} N`);
    return v;
  };
  const minInstances = int('--min-instances', values['min-instances']);
  const maxInstances = int('--max-instances', values['max-instances']);
  const maxBatchSize = int('--max-batch', values['max-batch']);
  const maxVariableDim = values['max-variable-dim'] === undefined ? undefined : Number(values['max-variable-dim']);
  c.require(maxVariableDim === undefined || (Number.isInteger(maxVariableDim) && maxVariableDim >= 1), '--max-variable-dim', values['max-variable-dim'], 'a positive integer', 'pass --max-variable-dim N');
  c.throwIfAny('invalid options');
  let signature: ModelSignature | undefined;
  if (values.model !== undefined) {
    const modelPath = path.resolve(io.cwd, values.model);
    try {
      signature = inspectModel(modelPath, { maxBatchSize, maxVariableDim }).signature;
    } catch (e) {
      if (!(e instanceof InferenceGuardError)) throw e;
      io.stderr(`kig limits: ${e.path}: ${e.problems.map(formatProblem).join('; ')}\n`);
      return EXIT.USAGE;
    }
  }
  let prices: PriceTable = DEFAULT_PRICES;
  if (values.prices !== undefined) {
    try {
      prices = loadPrices(path.resolve(io.cwd, values.prices), values.prices);
    } catch (e) {
      if (!(e instanceof ReviewInputError)) throw e;
      io.stderr(`kig limits: ${e.message}\n`);
      return EXIT.USAGE;
    }
  }
  const file = path.resolve(io.cwd, values.profile!);
  const profile = InferenceProfile.fromFile(file); // unreadable or invalid: main prints it, exit 2
  let limits: InferenceLimits;
  let queue: QueueLimits;
  // A SageMaker profile is checked against what a real-time endpoint accepts, as KerasInferenceService does.
  const sageMaker = profile.hardware.startsWith('ml.')
    ? { backend: SageMakerRealtimeBackend.capabilitiesFor(profile) }
    : {};
  try {
    limits = deriveLimits(profile, { minInstances, maxInstances, region: values.region, ...sageMaker });
    queue = deriveQueueLimits(profile, {
      maxInstances: limits.scaling.maxInstances, signature, integrationTimeoutMs: limits.timeouts.integrationTimeoutMs,
      tiers: [...limits.usagePlanTiers].sort((a, b) => a.rateLimit - b.rateLimit)
        .map((t) => ({ name: t.name, keyShare: LIMIT_DEFAULTS.tiers.find((d) => d.name === t.name)?.shareOfStageRate })),
    });
  } catch (e) {
    if (e instanceof InferenceGuardError) {
      io.stderr(`kig limits: ${e.message}\n`);
      // The shape of every JSON-mode failure (main's CliErrorDocument), with the profile it was derived from.
      if (values.json) io.stdout(JSON.stringify({ profile: file, error: { command: 'limits', exitCode: EXIT.FINDINGS, code: e.code, message: e.message, problems: e.problems } }, null, 2) + '\n');
      return EXIT.FINDINGS;
    }
    throw e;
  }
  const queueLines: LimitLine[] = Object.entries(queue).filter(([k]) => k !== 'formulas' && k !== 'costModel' && k !== 'tiers')
    .map(([k, v]) => ({ path: `queue.${k}`, value: v as number, formula: queue.formulas[k] ?? 'library default (QUEUE_LIMIT_DEFAULTS)' }));
  for (const [k, v] of Object.entries(queue.costModel)) queueLines.push({ path: `queue.costModel.${k}`, value: v, formula: queue.formulas[`costModel.${k}`] ?? '' });
  for (const t of queue.tiers) {
    queueLines.push({ path: `queue.tiers.${t.name}.budgetUnits`, value: t.budgetUnits, formula: queue.formulas[`tiers.${t.name}`] ?? '' });
    queueLines.push({ path: `queue.tiers.${t.name}.keyBudgetUnits`, value: t.keyBudgetUnits, formula: queue.formulas[`tiers.${t.name}`] ?? '' });
  }
  const groups = [...groupLines(limitLines(limits)), { title: 'InferenceQueue: SQS, admission, workers (same instance ceiling)', lines: queueLines }];
  const cost = limitsCost({ rateLimit: limits.throttle.rateLimit, maxInstances: limits.scaling.maxInstances, hardware: profile.hardware }, prices);
  if (values.json) {
    io.stdout(JSON.stringify({ profile: file, limits, queue, groups, cost }, null, 2) + '\n');
    return EXIT.OK;
  }
  const out: string[] = [
    `Limits for ${profile.model} on ${profile.hardware} (${file})`,
    `profile: p50 ${profile.latencyMs.p50} / p90 ${profile.latencyMs.p90} / p99 ${profile.latencyMs.p99} ms, ${profile.throughputPerInstanceRps} req/s at concurrency ${profile.sustainableConcurrency} per instance, from ${profile.provenance.tool ?? 'manual'}`,
    `instances: min ${limits.scaling.minInstances}, max ${limits.scaling.maxInstances}`,
    signature
      ? `cost units: ${signature.describe()}; one unit = one instance at its largest shape (${queue.costModel.referenceElements} elements); the largest request costs ${queue.maxRequestCostUnits} units`
      : 'cost units: no --model, so every job costs one unit',
  ];
  for (const g of groups) {
    out.push('', g.title);
    for (const l of g.lines) {
      out.push(`  ${l.path} = ${l.value}`);
      out.push(`      ${l.formula}`);
    }
  }
  out.push('', ...renderCost(cost).map((l) => l.replace(/^  /, '')));
  io.stdout(out.join('\n').trimEnd() + '\n');
  return EXIT.OK;
}

/** `kig limits`. */
export const limitsCommand: CliCommand = {
  name: 'limits',
  summary: 'print every limit derived from a profile, with its formula, grouped by construct',
  help: HELP,
  run,
};
