import * as fs from 'fs';
import { requireOptional } from '../core/optional-dependency';
import * as path from 'path';
import { parseArgs } from 'util';
import { ProblemCollector } from '../core';
import { pickRecommendation, RecommendationInput, RecommendationRank, recommendationToProfile } from '../profiler';
import { withUsageErrors } from './args';
import { CliCommand, CliIo, EXIT } from './io';

const DEFAULT_MAX_REQUEST_BYTES = 1_048_576;
const DEFAULT_POLL_SECONDS = 60;

const HELP = `Usage:
  kig recommend --job NAME [--out profile.json] [options]
  kig recommend --start --model-package-arn ARN --job-name NAME --role-arn ARN
                [--instance-types ml.g5.xlarge,ml.g4dn.xlarge] [--wait] [--out profile.json] [options]

Reads (DescribeInferenceRecommendationsJob) or starts (CreateInferenceRecommendationsJob, job type
Default) a SageMaker Inference Recommender job, and turns its best recommendation into an
inference profile. Uses your usual AWS credentials (AWS SDK v3).

How the profile is built from a recommendation (EndpointConfiguration + Metrics):
  hardware                 = InstanceType
  throughputPerInstanceRps = MaxInvocations (per minute) / 60 / InitialInstanceCount
  latencyMs p50 = p90 = p99 = ModelLatency (Recommender reports one latency, measured at
                           MaxInvocations; used as the tail, lower percentiles set equal: estimated)
  sustainableConcurrency   = ceil(throughput x ModelLatency / 1000) (Little's law: estimated)
  peakHostMemoryMiB        = MemoryUtilization % x the instance's memory (estimated)
  coldStartSeconds         = ModelSetupTime when reported (serverless), else 0 (estimated)
  maxRequestBytes          = --max-request-bytes (not reported by Recommender)
The profile's provenance and extra.estimated name every estimated field and how it was made.

Options:
  --job NAME                read this job
  --start                   start a job (needs --model-package-arn, --job-name, --role-arn)
  --model-package-arn ARN   versioned model package to test
  --job-name NAME           name of the new job
  --role-arn ARN            IAM role SageMaker assumes for the job
  --instance-types LIST     comma-separated instance types to test (default: Recommender picks)
  --wait                    with --start: poll until the job ends, then write the profile
  --poll-seconds N          seconds between polls with --wait (default ${DEFAULT_POLL_SECONDS})
  --rank cost|throughput|latency  how to pick the best recommendation (default cost:
                            lowest CostPerInference, then highest throughput)
  --instance-type TYPE      use the recommendation for this instance type
  --model NAME              model name in the profile (default: the job name)
  --max-request-bytes N     largest request the model receives (default ${DEFAULT_MAX_REQUEST_BYTES})
  --region R                AWS Region (default: the SDK's chain, AWS_REGION)
  --endpoint-url URL        SageMaker API endpoint override (default: AWS_ENDPOINT_URL_SAGEMAKER
                            or AWS_ENDPOINT_URL when set)
  --out FILE                profile JSON (default profile.json)
  --json                    print the result as JSON on stdout; a failure is a JSON
                            document {"error": {...}} on stdout too
  -h, --help                show this help

Exit codes:
  0    profile written (or, with --start and no --wait, job started)
  1    the job failed, was stopped, or has no usable recommendation
  2    bad usage
  3    the SageMaker API could not be reached or refused the request
  130  interrupted while waiting
`;

type Describe = {
  JobName?: string; Status?: string; FailureReason?: string;
  InferenceRecommendations?: RecommendationInput[];
};

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = withUsageErrors('recommend', () => parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      'job': { type: 'string' },
      'start': { type: 'boolean' },
      'model-package-arn': { type: 'string' },
      'job-name': { type: 'string' },
      'role-arn': { type: 'string' },
      'instance-types': { type: 'string' },
      'wait': { type: 'boolean' },
      'poll-seconds': { type: 'string' },
      'rank': { type: 'string' },
      'instance-type': { type: 'string' },
      'model': { type: 'string' },
      'max-request-bytes': { type: 'string' },
      'region': { type: 'string' },
      'endpoint-url': { type: 'string' },
      'out': { type: 'string' },
      'json': { type: 'boolean' },
    },
  }));
  const c = new ProblemCollector('CLI_USAGE', 'kig recommend');
  const start = values.start === true;
  if (start) {
    c.require(values.job === undefined, '--job', values.job, 'either --job (read) or --start (create), not both', 'drop --job; the new job is named by --job-name');
    for (const k of ['model-package-arn', 'job-name', 'role-arn'] as const) c.require(values[k] !== undefined, `--${k}`, values[k], 'required with --start', `pass --${k}`);
    if (values['model-package-arn'] !== undefined) c.require(/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/.+\/\d+$/.test(values['model-package-arn']), '--model-package-arn', values['model-package-arn'], 'a versioned model package ARN (arn:aws:sagemaker:REGION:ACCOUNT:model-package/NAME/VERSION)', 'copy the ARN of the model package version');
    if (values['role-arn'] !== undefined) c.require(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(values['role-arn']), '--role-arn', values['role-arn'], 'an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)', 'pass the role SageMaker may assume');
    if (values['job-name'] !== undefined) c.require(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}$/.test(values['job-name']), '--job-name', values['job-name'], 'letters, digits and hyphens, at most 64', 'rename the job');
  } else {
    c.require(values.job !== undefined, '--job', values.job, 'the name of an Inference Recommender job, or --start to create one', 'pass --job NAME');
  }
  const instanceTypes = values['instance-types']?.split(',').map((s) => s.trim()).filter(Boolean);
  if (instanceTypes) c.require(instanceTypes.length > 0 && instanceTypes.every((t) => /^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(t)), '--instance-types', values['instance-types'], 'comma-separated SageMaker instance types like ml.g5.xlarge', 'use the ml. prefix');
  const ranks = ['cost', 'throughput', 'latency'];
  if (values.rank !== undefined) c.require(ranks.includes(values.rank), '--rank', values.rank, ranks.join(' | '), 'pick one of them');
  const maxRequestBytes = values['max-request-bytes'] === undefined ? DEFAULT_MAX_REQUEST_BYTES : Number(values['max-request-bytes']);
  c.require(Number.isInteger(maxRequestBytes) && maxRequestBytes >= 1 && maxRequestBytes <= 1_073_741_824, '--max-request-bytes', values['max-request-bytes'], 'an integer from 1 to 1073741824', 'pass the size of your largest request body');
  const pollSeconds = values['poll-seconds'] === undefined ? DEFAULT_POLL_SECONDS : Number(values['poll-seconds']);
  c.require(Number.isFinite(pollSeconds) && pollSeconds >= 0.05 && pollSeconds <= 3600, '--poll-seconds', values['poll-seconds'], 'a number of seconds from 0.05 to 3600', 'e.g. --poll-seconds 60');
  c.throwIfAny('invalid options');

  // Loaded lazily, and an optional peer dependency: the library's constructs never load the SDK.
  const sdk = requireOptional<typeof import('@aws-sdk/client-sagemaker')>('@aws-sdk/client-sagemaker', 'kig recommend');
  const endpoint = values['endpoint-url'] ?? process.env.AWS_ENDPOINT_URL_SAGEMAKER ?? process.env.AWS_ENDPOINT_URL;
  const client = new sdk.SageMakerClient({ ...(values.region ? { region: values.region } : {}), ...(endpoint ? { endpoint } : {}) });
  const jobName = (start ? values['job-name'] : values.job)!;
  const out = path.resolve(io.cwd, values.out ?? 'profile.json');
  const apiError = (e: unknown, action: string) => {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    io.stderr(`kig recommend: ${action} failed: ${err.name ?? 'Error'}${err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : ''}: ${err.message ?? String(e)}. Check the job name, --region, and your credentials.\n`);
    return EXIT.UNREACHABLE;
  };
  try {
    if (start) {
      let created;
      try {
        created = await client.send(new sdk.CreateInferenceRecommendationsJobCommand({
          JobName: jobName,
          JobType: 'Default',
          RoleArn: values['role-arn']!,
          InputConfig: {
            ModelPackageVersionArn: values['model-package-arn']!,
            ...(instanceTypes ? { EndpointConfigurations: instanceTypes.map((t) => ({ InstanceType: t as never })) } : {}),
          },
        }), { abortSignal: io.signal });
      } catch (e) {
        return apiError(e, 'CreateInferenceRecommendationsJob');
      }
      io.stderr(`kig recommend: started ${jobName} (${created.JobArn})\n`);
      if (!values.wait) {
        if (values.json) io.stdout(JSON.stringify({ status: 'started', jobName, jobArn: created.JobArn }, null, 2) + '\n');
        else io.stdout(`started ${jobName}; read it later with: kig recommend --job ${jobName}\n`);
        return EXIT.OK;
      }
    }
    let job: Describe;
    for (;;) {
      try {
        job = await client.send(new sdk.DescribeInferenceRecommendationsJobCommand({ JobName: jobName }), { abortSignal: io.signal }) as Describe;
      } catch (e) {
        if (io.signal?.aborted) return EXIT.INTERRUPTED;
        return apiError(e, 'DescribeInferenceRecommendationsJob');
      }
      const running = job.Status === 'PENDING' || job.Status === 'IN_PROGRESS' || job.Status === 'STOPPING';
      if (!running || !(start || values.wait)) break;
      if (io.isTty) io.stderr(`\r\x1b[Kjob ${jobName}: ${job.Status}, next check in ${pollSeconds} s`);
      else io.stderr(`job ${jobName}: ${job.Status}\n`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollSeconds * 1000);
        io.signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
      });
      if (io.signal?.aborted) {
        io.stderr(`\nkig recommend: interrupted; the job goes on in SageMaker: kig recommend --job ${jobName}\n`);
        return EXIT.INTERRUPTED;
      }
    }
    if (io.isTty && (start || values.wait)) io.stderr('\r\x1b[K');
    if (job.Status !== 'COMPLETED') {
      io.stderr(`kig recommend: job ${jobName} is ${job.Status}${job.FailureReason ? `: ${job.FailureReason}` : ''}. ${job.Status === 'IN_PROGRESS' || job.Status === 'PENDING' ? 'Wait for it (--wait) and read it again.' : 'Start a new job.'}\n`);
      if (values.json) io.stdout(JSON.stringify({ status: job.Status, jobName, failureReason: job.FailureReason }, null, 2) + '\n');
      return EXIT.FINDINGS;
    }
    const recs = job.InferenceRecommendations ?? [];
    const best = pickRecommendation(recs, (values.rank as RecommendationRank | undefined) ?? 'cost', values['instance-type']);
    if (!best) {
      const types = recs.map((r) => r.EndpointConfiguration?.InstanceType).filter(Boolean).join(', ') || 'none';
      io.stderr(`kig recommend: job ${jobName} has no recommendation with MaxInvocations and ModelLatency${values['instance-type'] ? ` for --instance-type ${values['instance-type']}` : ''} (instance types in the job: ${types}).\n`);
      return EXIT.FINDINGS;
    }
    const { profile, document } = recommendationToProfile(best, { model: values.model ?? jobName, jobName, maxRequestBytes });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
    if (values.json) {
      io.stdout(JSON.stringify({ status: 'COMPLETED', jobName, out, profile: document }, null, 2) + '\n');
    } else {
      io.stdout([
        `recommendation ${best.RecommendationId ?? ''} on ${profile.hardware}: ${profile.throughputPerInstanceRps} req/s per instance, latency ${profile.latencyMs.p99} ms, concurrency ${profile.sustainableConcurrency} (estimated)`,
        `estimated fields: ${Object.keys((document.extra as { estimated: object }).estimated).join(', ')}`,
        `profile: ${out}`,
        '',
      ].join('\n'));
    }
    return EXIT.OK;
  } finally {
    client.destroy();
  }
}

/** `kig recommend`. */
export const recommendCommand: CliCommand = {
  name: 'recommend',
  summary: 'start or read a SageMaker Inference Recommender job and write its best result as a profile',
  help: HELP,
  run,
};
