import * as fs from 'fs';
import { ReviewInputError } from './load';

/**
 * On-demand list prices (USD) used for worst-case cost per hour, for one Region. The default
 * table is us-east-1, first-tier list prices as the AWS pricing pages named in `sources` gave
 * them around the date in `asOf`. Prices change and differ by Region and tier, so the report
 * always prints the table it used, and `kig review --prices FILE` / `kig limits --prices FILE`
 * take a JSON file of the same shape (any subset of keys; the rest come from the default table).
 */
export interface PriceTable {
  /** Region the prices are for. */
  readonly region: string;
  /** Date the prices were last checked against their sources (YYYY-MM-DD). */
  readonly asOf: string;
  /** Where each group of prices comes from. */
  readonly sources: readonly string[];
  /** API Gateway REST API, per million requests (first tier). */
  readonly apiGatewayRestPerMillion: number;
  /** API Gateway HTTP API, per million requests (first tier, 512 KB units). */
  readonly apiGatewayHttpPerMillion: number;
  /** AWS WAF: per web ACL per month, per rule per month, per million requests inspected. */
  readonly wafWebAclPerMonth: number;
  readonly wafRulePerMonth: number;
  readonly wafPerMillionRequests: number;
  /** Lambda (x86_64): per GB-second of duration, per million requests (both architectures). */
  readonly lambdaPerGbSecond: number;
  /** Lambda (arm64): per GB-second of duration. */
  readonly lambdaArmPerGbSecond: number;
  readonly lambdaPerMillionRequests: number;
  /** SQS standard queue, per million requests (after the free tier). */
  readonly sqsPerMillionRequests: number;
  /** CloudWatch Logs ingestion (standard class), per GB. */
  readonly logsIngestPerGb: number;
  /** Fargate (Linux/x86): per vCPU-hour and per GB-hour. */
  readonly fargatePerVcpuHour: number;
  readonly fargatePerGbHour: number;
  /** SageMaker serverless inference, per GB-second of memory while processing. */
  readonly sageMakerServerlessPerGbSecond: number;
  /** AWS KMS: per customer-managed key per month, per 10,000 requests (symmetric keys). */
  readonly kmsKeyPerMonth: number;
  readonly kmsPer10kRequests: number;
  /** SageMaker real-time / async hosting instances, per instance-hour, by instance type. */
  readonly sageMakerInstancePerHour: Readonly<Record<string, number>>;
  /** EC2 Linux on-demand instances (ECS EC2 capacity), per instance-hour, by instance type. */
  readonly ec2InstancePerHour: Readonly<Record<string, number>>;
}

/**
 * The default table: us-east-1 on-demand list prices, first tier, checked figure by figure on the
 * date in `asOf`. The AWS pricing pages draw their price grids with script, so where a page's grid
 * could not be read the figure was confirmed against a dated transcription of it (named beside the
 * group) and the AWS page stays the source of record. Figures no readable source confirmed are marked
 * UNCONFIRMED below; override them with `--prices FILE` if they matter to you.
 */
export const DEFAULT_PRICES: PriceTable = {
  region: 'us-east-1',
  asOf: '2026-11-26',
  sources: [
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/waf/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/kms/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/fargate/pricing/',
    'https://aws.amazon.com/sagemaker/pricing/',
    'https://aws.amazon.com/ec2/pricing/on-demand/',
  ],
  // API Gateway, us-east-1, first tier: REST $3.50 per million (first 333 million a month), HTTP
  // $1.00 per million (first 300 million, metered in 512 KB units). Source: AWS whitepaper "Best
  // Practices for Designing Amazon API Gateway Private APIs and Private Integration", Cost
  // optimization, Table 4 (https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html,
  // undated page, read 2026-11-26), which quotes https://aws.amazon.com/api-gateway/pricing/.
  apiGatewayRestPerMillion: 3.5,
  apiGatewayHttpPerMillion: 1.0,
  // AWS WAF (same in every Region): $5.00 per web ACL per month, $1.00 per rule per month, $0.60 per
  // million requests inspected. https://aws.amazon.com/waf/pricing/ (grid not readable here); the
  // AWS blog "Cost-effective ways for securing your web applications using AWS WAF" confirms the
  // model (per web ACL, per rule, per request; "consistent across all AWS Regions") and the figures
  // are as transcribed by c3x.dev/blog/aws-waf-cost-explained and awsnegotiations.com (both 2026).
  wafWebAclPerMonth: 5,
  wafRulePerMonth: 1,
  wafPerMillionRequests: 0.6,
  // Lambda, us-east-1, first tier (first 6 billion GB-s a month on x86, 7.5 billion on Arm):
  // $0.0000166667 per GB-s (x86_64), $0.0000133334 per GB-s (arm64), $0.20 per million requests
  // (both). AWS's own: https://aws.amazon.com/lambda/pricing/ (Example 1, US East (N. Virginia):
  // "$0.00001667 per GB-s", "$0.20 per 1 million requests") and the whitepaper "How AWS Pricing Works",
  // Lambda (https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html, undated,
  // same figures); the unrounded x86 and the arm64 figures as transcribed by
  // cloudchipr.com/blog/aws-lambda-pricing (2024) and lambda_local_runner lambda-13-cost.md (2026-05-11).
  lambdaPerGbSecond: 0.0000166667,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  // SQS standard queue, us-east-1: $0.40 per million requests (first 100 billion a month, after the
  // 1 million free), each 64 KB chunk of a payload counting as one request.
  // https://aws.amazon.com/sqs/pricing/, as transcribed by cloudburn.io/blog/amazon-sqs-pricing
  // ("US East (N. Virginia) as of March 2026") and factualminds.com (us-east-1, June 2026).
  sqsPerMillionRequests: 0.4,
  // CloudWatch Logs ingestion, Standard log class, us-east-1: $0.50 per GB.
  // https://aws.amazon.com/cloudwatch/pricing/ (Paid tier, Logs), as transcribed by
  // go-cloud.io/aws-api-gateway-pricing (2026 guide: "$0.50 per GB ingested").
  logsIngestPerGb: 0.5,
  // Fargate Linux/x86, us-east-1: $0.04048 per vCPU-hour, $0.004445 per GB-hour.
  // https://aws.amazon.com/fargate/pricing/, as transcribed by vantage.sh/blog/fargate-pricing and
  // factualminds.com/blog/amazon-fargate-ecs-task-pricing-2026 ("As of June 2026").
  fargatePerVcpuHour: 0.04048,
  fargatePerGbHour: 0.004445,
  // SageMaker serverless inference, us-east-1: $0.00002 per second per GB of memory.
  // UNCONFIRMED: https://aws.amazon.com/sagemaker/pricing/ draws this grid with script and no dated
  // transcription of it could be read; kept from the earlier table.
  sageMakerServerlessPerGbSecond: 0.00002,
  // AWS KMS, every Region: $1 per customer-managed key per month (rotated key material included),
  // $0.03 per 10,000 requests after the free tier. https://aws.amazon.com/kms/pricing/ (grid drawn
  // with script), as transcribed by gist.github.com/dasgoll/b88d5be05dcc0deb052ad40446c2fb40
  // ("KMS costs $1 per key per month ... $0.03 per 10,000 requests").
  kmsKeyPerMonth: 1,
  kmsPer10kRequests: 0.03,
  // SageMaker real-time / asynchronous inference instances, us-east-1, per instance-hour.
  // https://aws.amazon.com/sagemaker/pricing/ (On-Demand, Real-Time Inference); the grid is drawn with
  // script, so each figure was matched against transcriptions of that page: GitHub
  // goerlitz/nlp-classification notebooks/10kGNAD/sagemaker/README.md (p3, g4dn: ml.g4dn.2xlarge $0.94,
  // not the $1.0528 of the earlier table) and several cost tools that list the same us-east-1
  // hosting prices (m5, c5, t2, g5: ml.g5.xlarge $1.408, ml.g5.2xlarge $1.515, ml.g5.4xlarge $2.03).
  sageMakerInstancePerHour: {
    'ml.t2.medium': 0.056, 'ml.m5.large': 0.115, 'ml.m5.xlarge': 0.23, 'ml.m5.2xlarge': 0.461, 'ml.c5.large': 0.102, 'ml.c5.xlarge': 0.204, 'ml.c5.2xlarge': 0.408,
    'ml.g4dn.xlarge': 0.7364, 'ml.g4dn.2xlarge': 0.94, 'ml.g5.xlarge': 1.408, 'ml.g5.2xlarge': 1.515, 'ml.g5.4xlarge': 2.03, 'ml.p3.2xlarge': 3.825,
  },
  // EC2 Linux on-demand, us-east-1, per instance-hour. https://aws.amazon.com/ec2/pricing/on-demand/
  // (grid drawn with script); every figure matches the us-east-1 tables of several public cost tools
  // read 2026-11-26 (m5.large $0.096, m5.xlarge $0.192, c5.large $0.085, c5.xlarge $0.17,
  // g4dn.xlarge $0.526, g4dn.2xlarge $0.752, g5.xlarge $1.006, g5.2xlarge $1.212, p3.2xlarge $3.06).
  ec2InstancePerHour: {
    'm5.large': 0.096, 'm5.xlarge': 0.192, 'c5.large': 0.085, 'c5.xlarge': 0.17, 'g4dn.xlarge': 0.526, 'g4dn.2xlarge': 0.752, 'g5.xlarge': 1.006, 'g5.2xlarge': 1.212, 'p3.2xlarge': 3.06,
  },
};

const NUMBER_KEYS = Object.entries(DEFAULT_PRICES).filter(([, v]) => typeof v === 'number').map(([k]) => k);
const MAP_KEYS = ['sageMakerInstancePerHour', 'ec2InstancePerHour'];

/**
 * Reads a price file: a JSON object with any of the keys of the default table. Prices must be
 * non-negative numbers; maps of instance prices are merged into the default maps. Every problem
 * is reported at once, as one line.
 */
export function loadPrices(file: string, shown: string): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ReviewInputError(`--prices ${shown}: cannot read a JSON price table (${why}). Fix: pass a JSON file with keys of the default table (see README, "Worst-case cost").`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ReviewInputError(`--prices ${shown}: not a JSON object. Fix: pass an object such as {"region": "eu-west-1", "asOf": "2026-01-01", "lambdaPerGbSecond": 0.0000166667}.`);
  }
  const p = parsed as Record<string, unknown>;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'region' || k === 'asOf') {
      if (typeof v !== 'string' || v === '') problems.push(`${k} = ${JSON.stringify(v)} (allowed: a non-empty string)`);
    } else if (k === 'sources') {
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) problems.push(`sources = ${JSON.stringify(v)} (allowed: a list of strings)`);
    } else if (MAP_KEYS.includes(k)) {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x))) problems.push(`${k} = ${JSON.stringify(v)} (allowed: an object of instance type -> price per hour >= 0)`);
    } else if (NUMBER_KEYS.includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${k} = ${JSON.stringify(v)} (allowed: a price >= 0)`);
    } else {
      problems.push(`${k} (unknown key; allowed: ${[...NUMBER_KEYS, ...MAP_KEYS, 'region', 'asOf', 'sources'].join(', ')})`);
    }
  }
  if (problems.length > 0) throw new ReviewInputError(`--prices ${shown}: ${problems.join('; ')}. Fix: correct those entries.`);
  return {
    ...DEFAULT_PRICES,
    ...(p as Partial<PriceTable>),
    sources: Array.isArray(p.sources) ? (p.sources as string[]) : [`${shown} (over the default table)`, ...DEFAULT_PRICES.sources],
    sageMakerInstancePerHour: { ...DEFAULT_PRICES.sageMakerInstancePerHour, ...(p.sageMakerInstancePerHour as Record<string, number> | undefined) },
    ec2InstancePerHour: { ...DEFAULT_PRICES.ec2InstancePerHour, ...(p.ec2InstancePerHour as Record<string, number> | undefined) },
  };
}
