import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_PRICES, loadTemplate, reviewTemplate } from '../../lib/review';
import {
  HOURS_PER_MONTH, fargateCostPerHour, lambdaCostPerHour, logCostPerHour, requestCostPerHour, sageMakerServerlessCostPerHour, showPerHour, wafCostPerHour,
} from '../../lib/review/cost';
import { loadPrices } from '../../lib/review/prices';
import { kig } from './support';

const p = DEFAULT_PRICES;
const fixtures = path.join(__dirname, 'fixtures');

describe('worst-case cost formulas', () => {
  test('requests at a rate for an hour', () => {
    // 20 rps x 3600 s = 72,000 requests; x $3.50 per million = $0.252.
    expect(requestCostPerHour(20, 3.5)).toBeCloseTo(0.252, 10);
    expect(requestCostPerHour(0, 3.5)).toBe(0);
  });
  test('a web ACL: monthly ACL and rule fees over 730 hours, plus inspected requests', () => {
    expect(wafCostPerHour(2, 100, p)).toBeCloseTo((5 + 2 * 1) / HOURS_PER_MONTH + 100 * 3600 * 0.6 / 1e6, 10);
  });
  test('log ingestion in GB', () => {
    // 1 MB/s for an hour = 3.6 GB x $0.50.
    expect(logCostPerHour(1e6, p)).toBeCloseTo(1.8, 10);
  });
  test('Lambda at its cap for its timeout: duration, requests and platform logs', () => {
    const c = lambdaCostPerHour(10, 1024, 20, p);
    expect(c.duration).toBeCloseTo(10 * 1 * 3600 * 0.0000166667, 10);
    expect(c.invocationsPerHour).toBe(1800);
    expect(c.requests).toBeCloseTo(1800 * 0.2 / 1e6, 12);
    expect(c.logs).toBeCloseTo(1800 * 300 / 1e9 * 0.5, 12);
    // Half the memory halves the duration cost; a shorter timeout only adds requests.
    expect(lambdaCostPerHour(10, 512, 20, p).duration).toBeCloseTo(c.duration / 2, 10);
    expect(lambdaCostPerHour(10, 1024, 2, p).requests).toBeCloseTo(c.requests * 10, 12);
  });
  test('Fargate tasks at their maximum', () => {
    expect(fargateCostPerHour(10, 1024, 2048, p)).toBeCloseTo(10 * (0.04048 + 2 * 0.004445), 10);
  });
  test('SageMaker serverless at MaxConcurrency', () => {
    expect(sageMakerServerlessCostPerHour(5, 2048, p)).toBeCloseTo(5 * 2 * 3600 * 0.00002, 10);
  });
  test('shown per hour, or unbounded', () => {
    expect(showPerHour(0.252)).toBe('$0.25/h');
    expect(showPerHour(0.0006)).toBe('$0.0006/h');
    expect(showPerHour(undefined)).toBe('unbounded');
  });
});

describe('worst-case cost of a template', () => {
  test('each component priced at its ceiling; an uncapped one is unbounded with the rule behind it', () => {
    const r = reviewTemplate(loadTemplate(path.join(fixtures, 'http-api-lambda.yaml'), fixtures), { prices: p });
    const api = r.cost!.components[0];
    // 50 rps x $1.00/M (HTTP API) + 20 concurrent x 1 GB of Lambda duration, invocations for 25 s each.
    const lambda = lambdaCostPerHour(20, 1024, 25, p);
    expect(api.perHour).toBeCloseTo(requestCostPerHour(50, 1.0) + lambda.duration + lambda.requests + lambda.logs, 10);
    expect(r.cost!.region).toBe('us-east-1');

    const sam = path.join(fixtures, 'sam');
    const open = reviewTemplate(loadTemplate(path.join(sam, 'http-api.yaml'), sam), { prices: p });
    expect(open.cost!.perHour).toBeUndefined();
    expect(open.cost!.components[0].lines.map((l) => l.unboundedBy)).toEqual(['InferenceGuard-HTTPAPIStageThrottling', 'InferenceGuard-LambdaConcurrencyCap']);
  });

  test('instances at their maximum: the scalable target MaxCapacity x the instance price', () => {
    const sam = path.join(fixtures, 'sam');
    const r = reviewTemplate(loadTemplate(path.join(sam, 'guarded.yaml'), sam), { prices: p });
    const endpoint = r.cost!.components.find((c) => c.id === 'Endpoint')!;
    expect(endpoint.perHour).toBeCloseTo(4 * 1.408, 10);
    expect(endpoint.lines[0].formula).toBe('4 (scalable target EndpointScaling MaxCapacity) x ml.g5.xlarge $1.408/h');
  });
});

describe('--prices FILE', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-prices-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a partial table overrides the defaults and the report names it', async () => {
    fs.writeFileSync(path.join(tmp, 'p.json'), JSON.stringify({ region: 'eu-west-1', asOf: '2026-10-01', sageMakerInstancePerHour: { 'ml.g5.xlarge': 2 } }));
    const prices = loadPrices(path.join(tmp, 'p.json'), 'p.json');
    expect(prices.sageMakerInstancePerHour['ml.g5.xlarge']).toBe(2);
    expect(prices.sageMakerInstancePerHour['ml.m5.large']).toBe(DEFAULT_PRICES.sageMakerInstancePerHour['ml.m5.large']);
    const r = await kig(['review', path.join(fixtures, 'sam', 'guarded.yaml'), '--prices', path.join(tmp, 'p.json')], { cwd: tmp });
    expect(r.stdout).toMatch(/Worst-case cost per hour \(eu-west-1 on-demand prices as of 2026-10-01; override with --prices FILE\)/);
    expect(r.stdout).toContain('4 (scalable target EndpointScaling MaxCapacity) x ml.g5.xlarge $2/h');
  });

  test('a bad price file is a one-line error and exit 2', async () => {
    fs.writeFileSync(path.join(tmp, 'bad.json'), JSON.stringify({ lambdaPerGbSecond: -1, typo: 1 }));
    const r = await kig(['review', path.join(fixtures, 'no-dlq.yaml'), '--prices', 'bad.json'], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--prices bad.json: lambdaPerGbSecond = -1 \(allowed: a price >= 0\); typo \(unknown key/);
    const missing = await kig(['review', path.join(fixtures, 'no-dlq.yaml'), '--prices', 'nope.json'], { cwd: tmp });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^kig review: --prices nope.json: cannot read a JSON price table \(ENOENT\)/);
  });
});
