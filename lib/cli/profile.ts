import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { ProblemCollector } from '../core';
import {
  detectFormat, HttpTarget, KNEE_DEFAULTS, LoadTarget, loadPayloads, PROFILE_DEFAULTS, ProfileRun, renderHtml, renderSvg,
  RequestFormat, resolveTargetUrl, runProfile, SageMakerEndpointTarget, StepResult,
} from '../profiler';
import { readDraftProfile } from '../model/inspection';
import { withUsageErrors } from './args';
import { CliCommand, CliIo, EXIT } from './io';

const HELP = `Usage:
  kig profile --url URL --payload FILE [--payload FILE ...] [options]
  kig profile --sagemaker-endpoint NAME --payload FILE [--region R] [--endpoint-url URL] [options]

Measures a model server under stepped concurrency and writes the inference profile JSON that
InferenceProfile.fromFile() reads, plus an optional SVG or HTML report.

What it does, in order:
  1. With --start-cmd: starts the server and measures the cold start (seconds from launch to the
     first 2xx answer to a real request). Otherwise sends one request to check the target answers 2xx.
  2. With several --payload files: sends each alone (concurrency 1) for --payload-seconds and
     records p50/p99 per request size (input-size sensitivity).
  3. Runs one step per --concurrency value with the largest payload, each --step-seconds long
     after a warm-up of a fifth of the step (at most 1 s). Per step: throughput (2xx answers per
     second), latency p50/p90/p99/max of 2xx answers, error rate (non-2xx answers, connection
     errors and timeouts over all requests), and the server's CPU, memory and GPU where reachable.
  4. Finds the knee: the highest concurrency c such that every step up to c has error rate 0 and
     p99 <= the latency bound, and each step's throughput is above the step before it by at
     least max(--min-gain, --min-efficiency x the relative concurrency increase). The walk stops
     at the first step that fails. Also reported: the saturation throughput (highest error-free
     step) and the parallelism by Little's law (saturation throughput x lowest p50 up to the knee).
  5. Writes --out after every step (so Ctrl-C keeps what was measured) and the report at the end.

Target:
  --url URL                 model server URL (HTTP POST). A bare http://host:port is completed to
                            /v1/models/<--model>:predict for --format tfserving and to /invocations
                            for --format sagemaker.
  --format F                tfserving | sagemaker | raw (default: from the URL path: ":predict"
                            -> tfserving, "/invocations" -> sagemaker, else raw). tfserving payloads
                            must be JSON with "instances" or "inputs".
  --content-type T          request Content-Type (default application/json)
  --sagemaker-endpoint NAME load a deployed SageMaker endpoint through InvokeEndpoint (AWS SDK v3,
                            your usual AWS credentials) instead of --url
  --region R                AWS Region of the endpoint (default: the SDK's chain, AWS_REGION)
  --endpoint-url URL        SageMaker runtime endpoint override (default: AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME
                            or AWS_ENDPOINT_URL when set)

Load:
  --payload FILE            request body file; repeat for several input sizes (required)
  --concurrency LIST        comma-separated concurrency steps (default ${PROFILE_DEFAULTS.concurrency.join(',')})
  --step-seconds N          measured seconds per step (default ${PROFILE_DEFAULTS.stepSeconds})
  --payload-seconds N       seconds per payload in the input-size pass (default ${PROFILE_DEFAULTS.payloadSeconds}, at most --step-seconds)
  --request-timeout-seconds N  a request without an answer after N s counts as an error (default ${PROFILE_DEFAULTS.requestTimeoutSeconds})
  --latency-bound-ms N      p99 bound for the knee (default ${KNEE_DEFAULTS.latencyBoundFactor} x the p99 of the first step)
  --min-gain F              least throughput gain a step needs over the previous one (default ${KNEE_DEFAULTS.minGain} = ${KNEE_DEFAULTS.minGain * 100} %)
  --min-efficiency F        share of perfect scaling a step must reach (default ${KNEE_DEFAULTS.minEfficiency}: going from
                            concurrency 2 to 4 must add ${KNEE_DEFAULTS.minEfficiency * 100} % throughput); the bar is the larger of the two

Server:
  --pid PID                 sample CPU and RSS of this process and its children from /proc
  --start-cmd "CMD"         start the server with this shell command (stopped at the end), measure
                            its cold start and sample its process tree
  --start-timeout-seconds N give up waiting for the first good answer after N s (default ${PROFILE_DEFAULTS.startTimeoutSeconds})
  --nvidia-smi CMD          nvidia-smi to run for GPU utilization and memory (default nvidia-smi; when
                            it is absent the run says so once and goes on without GPU figures)

Output:
  --draft FILE              a draft profile from kig inspect --draft-out: this run completes it
                            (maxRequestBytes is at least the model's largest request; its memory
                            floor stands in for an unmeasured peak; its model name is the default)
  --model NAME              model name in the profile (default: the draft's, from the TF Serving
                            URL or the endpoint name, else "model")
  --hardware NAME           hardware the server runs on, e.g. ml.g5.xlarge (default "local")
  --out FILE                profile JSON (default profile.json)
  --report FILE             report: .svg (the plot) or .html (plot and tables)
  --json                    print the result as JSON on stdout instead of the summary; a
                            failure is a JSON document {"error": {...}} on stdout too
  -h, --help                show this help

Progress is drawn on stderr when it is a terminal, otherwise one line per step.

Exit codes:
  0    profile written with a knee
  1    measured, but no knee: the least loaded step already had errors or a p99 over the bound
  2    bad usage or input (unknown option, unreadable or invalid payload file)
  3    target unreachable or answering non-2xx before the load (or --start-cmd failed)
  130  interrupted (Ctrl-C); the steps measured so far are in --out
`;

function parseList(c: ProblemCollector, name: string, text: string | undefined, fallback: readonly number[]): number[] {
  if (text === undefined) return [...fallback];
  const values = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const ok = values.length > 0 && values.every((v) => Number.isInteger(v) && v >= 1 && v <= 10_000);
  c.require(ok, name, text, 'a comma-separated list of integers from 1 to 10000', `e.g. ${name} ${fallback.join(',')}`);
  return ok ? [...new Set(values)].sort((a, b) => a - b) : [...fallback];
}

function parseNumber(c: ProblemCollector, name: string, text: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
  c.require(ok, name, text, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`, `pass ${name} with a value in that range`);
  return ok ? v : undefined;
}

const EXIT_FOR: Record<ProfileRun['status'], number> = {
  'complete': EXIT.OK,
  'no-knee': EXIT.FINDINGS,
  'unreachable': EXIT.UNREACHABLE,
  'bad-response': EXIT.UNREACHABLE,
  'server-exited': EXIT.UNREACHABLE,
  'interrupted': EXIT.INTERRUPTED,
};

function stepLine(s: StepResult): string {
  return `concurrency ${String(s.concurrency).padStart(4)}: ${String(s.throughputRps).padStart(9)} req/s  p50 ${s.latencyMs.p50} ms  p90 ${s.latencyMs.p90} ms  p99 ${s.latencyMs.p99} ms  max ${s.latencyMs.max} ms  errors ${Math.round(s.errorRate * 10_000) / 100} %`
    + `${s.resources?.cpuCores !== undefined ? `  cpu ${s.resources.cpuCores} cores` : ''}${s.resources?.peakRssMiB !== undefined ? `  rss ${s.resources.peakRssMiB} MiB` : ''}`
    + `${s.resources?.gpuUtilizationPercent !== undefined ? `  gpu ${s.resources.gpuUtilizationPercent} %` : ''}${s.partial ? '  (partial)' : ''}`;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = withUsageErrors('profile', () => parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      'url': { type: 'string' },
      'payload': { type: 'string', multiple: true },
      'format': { type: 'string' },
      'content-type': { type: 'string' },
      'sagemaker-endpoint': { type: 'string' },
      'region': { type: 'string' },
      'endpoint-url': { type: 'string' },
      'concurrency': { type: 'string' },
      'step-seconds': { type: 'string' },
      'payload-seconds': { type: 'string' },
      'request-timeout-seconds': { type: 'string' },
      'latency-bound-ms': { type: 'string' },
      'min-gain': { type: 'string' },
      'min-efficiency': { type: 'string' },
      'pid': { type: 'string' },
      'start-cmd': { type: 'string' },
      'start-timeout-seconds': { type: 'string' },
      'nvidia-smi': { type: 'string' },
      'model': { type: 'string' },
      'draft': { type: 'string' },
      'hardware': { type: 'string' },
      'out': { type: 'string' },
      'report': { type: 'string' },
      'json': { type: 'boolean' },
    },
  }));
  const c = new ProblemCollector('CLI_USAGE', 'kig profile');
  const endpointName = values['sagemaker-endpoint'];
  if (values.url === undefined && endpointName === undefined) c.add('--url', undefined, 'a model server URL, or --sagemaker-endpoint NAME', 'pass --url http://host:port/v1/models/NAME:predict (see kig profile --help)');
  if (values.url !== undefined && endpointName !== undefined) c.add('--sagemaker-endpoint', endpointName, 'either --url or --sagemaker-endpoint, not both', 'drop one of them');
  let url: URL | undefined;
  if (values.url !== undefined) {
    try {
      url = new URL(values.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      c.add('--url', values.url, 'an http:// or https:// URL', 'e.g. --url http://127.0.0.1:8501/v1/models/NAME:predict');
      url = undefined;
    }
  }
  if (endpointName !== undefined) c.require(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(endpointName), '--sagemaker-endpoint', endpointName, 'a SageMaker endpoint name (letters, digits and hyphens, at most 63)', 'check the endpoint name in the SageMaker console');
  const formats = ['tfserving', 'sagemaker', 'raw'];
  if (values.format !== undefined) c.require(formats.includes(values.format), '--format', values.format, formats.join(' | '), 'pick one of them');
  const concurrency = parseList(c, '--concurrency', values.concurrency, PROFILE_DEFAULTS.concurrency);
  const stepSeconds = parseNumber(c, '--step-seconds', values['step-seconds'], 0.2, 3_600) ?? PROFILE_DEFAULTS.stepSeconds;
  const payloadSeconds = parseNumber(c, '--payload-seconds', values['payload-seconds'], 0.2, 3_600);
  const requestTimeout = parseNumber(c, '--request-timeout-seconds', values['request-timeout-seconds'], 1, 3_600) ?? PROFILE_DEFAULTS.requestTimeoutSeconds;
  const latencyBoundMs = parseNumber(c, '--latency-bound-ms', values['latency-bound-ms'], 0.01, 3_600_000);
  const minGain = parseNumber(c, '--min-gain', values['min-gain'], 0, 10);
  const minEfficiency = parseNumber(c, '--min-efficiency', values['min-efficiency'], 0, 1);
  const pid = parseNumber(c, '--pid', values.pid, 1, 2 ** 22, true);
  const startTimeout = parseNumber(c, '--start-timeout-seconds', values['start-timeout-seconds'], 1, 86_400);
  if (pid !== undefined && !fs.existsSync(`/proc/${pid}/stat`)) c.add('--pid', values.pid, 'the pid of a running process on this machine', 'check the pid (e.g. pgrep -f tensorflow_model_server), or drop --pid');
  if (values['start-cmd'] !== undefined) c.require(values['start-cmd'].trim().length > 0, '--start-cmd', values['start-cmd'], 'a shell command that starts the model server', 'e.g. --start-cmd "tensorflow_model_server --rest_api_port=8501 ..."');
  if (values.report !== undefined) c.require(/\.(svg|html?)$/i.test(values.report), '--report', values.report, 'a file name ending in .svg or .html', 'e.g. --report report.html');
  c.throwIfAny('invalid options');

  const format = (values.format as RequestFormat | undefined) ?? (url ? detectFormat(url.toString()) : 'sagemaker');
  const payloads = loadPayloads(values.payload ?? [], format, io.cwd);
  const modelFromUrl = url ? /\/v1\/models\/([^/:]+)/.exec(url.pathname)?.[1] : undefined;
  const draft = values.draft !== undefined ? readDraftProfile(path.resolve(io.cwd, values.draft)) : undefined;
  const model = values.model ?? draft?.model ?? (modelFromUrl ? decodeURIComponent(modelFromUrl) : undefined) ?? endpointName ?? 'model';
  let target: LoadTarget;
  if (url) {
    target = new HttpTarget({ url: resolveTargetUrl(url.toString(), format, values.model), contentType: values['content-type'], requestTimeoutSeconds: requestTimeout });
  } else {
    target = new SageMakerEndpointTarget({
      endpointName: endpointName!, region: values.region, endpointUrl: values['endpoint-url'], contentType: values['content-type'],
      maxConcurrency: Math.max(...concurrency), requestTimeoutSeconds: requestTimeout,
    });
  }
  const outFile = path.resolve(io.cwd, values.out ?? 'profile.json');
  const err = (line: string) => io.stderr(`${line}\n`);
  let drawn = false;
  const clearLine = () => {
    if (drawn) io.stderr('\r\x1b[K');
    drawn = false;
  };
  err(`kig profile: ${target.description}, ${format} format, steps ${concurrency.join(',')} x ${stepSeconds} s`);

  const run = await runProfile({
    target, payloads, concurrency, stepSeconds, payloadSeconds, latencyBoundMs, minGain, minEfficiency, model,
    hardware: values.hardware ?? 'local', format, pid, startCmd: values['start-cmd'], startTimeoutSeconds: startTimeout,
    cwd: io.cwd, nvidiaSmi: values['nvidia-smi'], signal: io.signal, outFile, draft,
    log: (line) => { clearLine(); err(line); },
    onProgress: io.isTty ? ({ phase, index, total, recorder, seconds }) => {
      const warm = Math.min(1, Math.round(seconds * 200) / 1000);
      const done = Math.min(1, recorder.elapsedMs / 1000 / (seconds + warm));
      const bar = '#'.repeat(Math.round(done * 20)).padEnd(20, '.');
      io.stderr(`\r\x1b[K[${bar}] ${index + 1}/${total} ${phase}: ${Math.round(recorder.currentRps)} req/s`);
      drawn = true;
    } : undefined,
    onStep: (s) => { clearLine(); err(stepLine(s)); },
  });
  clearLine();

  let reportFile: string | undefined;
  if (values.report) {
    reportFile = path.resolve(io.cwd, values.report);
    const data = {
      model, hardware: values.hardware ?? 'local', target: target.description, measuredAt: run.measuredAt,
      steps: run.steps, knee: run.knee, payloadSizes: run.payloadSizes, notes: run.notes, status: run.status,
    };
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, /\.svg$/i.test(reportFile) ? renderSvg(data) : renderHtml(data));
  }
  const code = EXIT_FOR[run.status];
  if (run.status !== 'complete') err(`kig profile: ${run.message}`);
  if (values.json) {
    io.stdout(JSON.stringify({ status: run.status, exitCode: code, message: run.message || undefined, out: outFile, report: reportFile, profile: run.document }, null, 2) + '\n');
  } else if (run.knee && run.profile) {
    const p = run.profile;
    io.stdout([
      `knee: concurrency ${run.knee.concurrency}, ${run.knee.throughputRps} req/s, p50 ${p.latencyMs.p50} ms, p90 ${p.latencyMs.p90} ms, p99 ${p.latencyMs.p99} ms`,
      `saturation: ${run.knee.saturationThroughputRps} req/s; estimated parallelism ${run.knee.estimatedParallelism}; stopped because ${run.knee.stoppedBecause}`,
      `cold start: ${run.coldStartSeconds !== undefined ? `${run.coldStartSeconds} s` : 'not measured (no --start-cmd)'}; peak RSS: ${run.resources.process.peakRssMiB !== undefined ? `${run.resources.process.peakRssMiB} MiB` : 'not measured'}; GPU: ${run.resources.gpu.available ? `${run.resources.gpu.peakMemoryMiB} MiB, ${run.resources.gpu.peakUtilizationPercent} %` : 'not measured'}`,
      `profile: ${outFile}${run.status !== 'complete' ? ` (partial: ${run.status})` : ''}`,
      ...(reportFile ? [`report: ${reportFile}`] : []),
      '',
    ].join('\n'));
  } else {
    io.stdout(`no profile: ${run.message}\nmeasurements so far: ${outFile}\n${reportFile ? `report: ${reportFile}\n` : ''}`);
  }
  return code;
}

/** `kig profile`. */
export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'measure a model server (URL or SageMaker endpoint) and write its inference profile',
  help: HELP,
  run,
};
