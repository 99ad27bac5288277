import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_PRICES, loadTemplate, reviewTemplate } from '../../lib/review';
import {
  HOURS_PER_MONTH, fargateCostPerHour, limitsCost, lambdaCostPerHour, logCostPerHour, requestCostPerHour, sageMakerServerlessCostPerHour, showPerHour, throttledLambdaCostPerHour, wafCostPerHour,
} from '../../lib/review/cost';
import { loadPrices } from '../../lib/review/prices';
import { readmeCostTable } from '../support/readme-cost';
import { tokenBucketMaxAdmitted } from '../support/token-bucket';
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
    // ($5 + 2 rules x $1) / 730 h = $0.0095890; 100 rps x 3600 s x $0.60/M = $0.216.
    expect(wafCostPerHour(2, 100, p)).toBeCloseTo(0.2255890, 7);
    expect(wafCostPerHour(3, 0, p)).toBeCloseTo(0.0109589, 7); // ($5 + 3 x $1) / 730 h
    // A rule price other than $1 (which multiplies and divides alike): ($5 + 3 x $2) / 730 h = $0.0150685.
    expect(wafCostPerHour(3, 0, { ...p, wafRulePerMonth: 2 })).toBeCloseTo(0.0150685, 7);
    expect(HOURS_PER_MONTH).toBe(730);
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
    // arm64: 10 x 1 GB x 3600 s x $0.0000133334 = $0.48000240.
    expect(lambdaCostPerHour(10, 1024, 20, p, true).duration).toBeCloseTo(0.4800024, 10);
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
    // Four decimals below one cent only: a cent itself is $0.01.
    expect([showPerHour(0.01), showPerHour(0.00999)]).toEqual(['$0.01/h', '$0.0100/h']);
    expect(showPerHour(undefined)).toBe('unbounded');
  });
});

describe("the README's cost table", () => {
  test('sagemaker-realtime-gpu, as `kig limits` prices it, worked out by hand', () => {
    const row = readmeCostTable()['sagemaker-realtime-gpu'];
    expect(row).toEqual([
      ['API', '$9.57', '576 rps: requests $7.26, WAF $1.25, access logs $1.06'],
      ['endpoint', '$5.63', '4 x ml.g5.xlarge at $1.408'],
      ['**total**', '**$15.21**', ''],
    ]);
    // requests: 576 rps x 3600 s x $3.50/M = $7.2576; WAF: ($5 + 2 x $1) / 730 h + 576 x 3600 x $0.60/M
    // = $0.0095890 + $1.24416 = $1.2537490; logs: 576 x 1024 B x 3600 s / 1e9 x $0.50/GB = $1.0616832;
    // API $9.5730322; endpoint 4 x $1.408 = $5.632; total $15.2050322.
    const cost = limitsCost({ rateLimit: 576, maxInstances: 4, hardware: 'ml.g5.xlarge' }, p);
    expect(cost.components[0].lines.map((l) => l.perHour)).toEqual([expect.closeTo(7.2576, 7), expect.closeTo(1.253749, 6), expect.closeTo(1.0616832, 7)]);
    expect(cost.components[0].perHour).toBeCloseTo(9.5730322, 6);
    expect(cost.components[1].perHour).toBeCloseTo(5.632, 10);
    expect(cost.perHour).toBeCloseTo(15.2050322, 6);
    expect([cost.components[0].perHour, cost.components[1].perHour, cost.perHour].map((v) => showPerHour(v))).toEqual(['$9.57/h', '$5.63/h', '$15.21/h']);
  });
});

describe('worst-case cost of a template', () => {
  test('each component priced at its ceiling; an uncapped one is unbounded with the rule behind it', () => {
    const r = reviewTemplate(loadTemplate(path.join(fixtures, 'http-api-lambda.yaml'), fixtures), { prices: p });
    const api = r.cost!.components[0];
    // 50 rps x $1.00/M (HTTP API) + 20 concurrent x 1 GB of Lambda duration, invocations for 25 s each.
    // requests 50 x 3600 x $1.00/M = $0.18; duration 20 x 1 GB x 3600 s x $0.0000166667 = $1.2000024;
    // 20 x 3600 / 25 = 2,880 invocations: requests x $0.20/M = $0.000576, logs x 300 B x $0.50/GB = $0.000432.
    expect(api.perHour).toBeCloseTo(1.3810104, 7);
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

describe('a Lambda function whose only invoker is a throttled API Gateway stage', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-throttle-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** REST API (stage 40 rps / burst 80) -> POST /jobs -> Admit (10 s, 512 MB, no reserved concurrency), invoke permission for this API only. */
  const base = (): { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> } => ({
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'jobs' } },
      Jobs: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Api' }, ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'jobs' } },
      Post: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          RestApiId: { Ref: 'Api' }, ResourceId: { Ref: 'Jobs' }, HttpMethod: 'POST', AuthorizationType: 'AWS_IAM',
          Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', TimeoutInMillis: 5000, Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': ['Admit', 'Arn'] }, '/invocations']] } },
        },
      },
      Deployment: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } },
      Stage: {
        Type: 'AWS::ApiGateway::Stage',
        Properties: { RestApiId: { Ref: 'Api' }, DeploymentId: { Ref: 'Deployment' }, StageName: 'prod', MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 }] },
      },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Admit: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: 10, MemorySize: 512, Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: 'exports.handler = async () => ({})' } } },
      AdmitInvoke: {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Admit', 'Arn'] }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Join': ['', ['arn:aws:execute-api:us-east-1:123456789012:', { Ref: 'Api' }, '/*/POST/jobs']] } },
      },
    },
  });
  const admitLines = (template: object) => {
    fs.writeFileSync(path.join(tmp, 't.json'), JSON.stringify(template));
    const r = reviewTemplate(loadTemplate(path.join(tmp, 't.json'), tmp), { prices: p });
    return { lines: r.cost!.components.find((c) => c.id === 'Api')!.lines.filter((l) => l.item.startsWith('Lambda Admit')), total: r.cost!.perHour };
  };

  test('the formula: invocations <= rate x 3600 + burst, each for its timeout; concurrency <= rate x timeout + burst', () => {
    const c = throttledLambdaCostPerHour(40, 80, 512, 10, p);
    expect(c.invocationsPerHour).toBe(144_080); // 40 x 3600 + 80
    expect(c.concurrency).toBe(480); // 40 x 10 + 80
    // Against a simulated token bucket (a greedy caller): the most invocations an hour, and the most
    // started within one timeout (all still running at its end), for rates that do not divide evenly.
    for (const [rate, burst, timeout] of [[40, 80, 10], [37.5, 13, 7], [0.3, 2, 29], [12.25, 3, 3]]) {
      const bound = throttledLambdaCostPerHour(rate, burst, 512, timeout, p);
      const hour = tokenBucketMaxAdmitted(rate, burst, 3600);
      const perTimeout = tokenBucketMaxAdmitted(rate, burst, timeout);
      expect({ rate, burst, hour: bound.invocationsPerHour >= hour && bound.invocationsPerHour < hour + 1 }).toEqual({ rate, burst, hour: true });
      expect({ rate, burst, timeout, window: bound.concurrency >= perTimeout && bound.concurrency < perTimeout + 1 }).toEqual({ rate, burst, timeout, window: true });
    }
    // 37.5 x 3600 + 13 = 135,013 invocations; 37.5 x 7 + 13 = 275.5 concurrent
    expect(throttledLambdaCostPerHour(37.5, 13, 512, 7, p)).toMatchObject({ invocationsPerHour: 135_013, concurrency: 275.5 });
    expect(c.duration).toBeCloseTo(12.00669, 5); // 144,080 x 10 s x 0.5 GB x $0.0000166667/GB-s
    expect(c.requests).toBeCloseTo(0.028816, 6); // 144,080 x $0.20/M
    expect(throttledLambdaCostPerHour(40, 80, 512, 10, p, true).duration).toBeCloseTo(9.60538, 5); // 144,080 x 10 x 0.5 x $0.0000133334
  });

  test('is priced at the stage throttle, with the formula in the cost line', () => {
    const { lines, total } = admitLines(base());
    expect(lines.map((l) => l.unboundedBy)).toEqual([undefined, undefined]);
    expect(lines[0].perHour).toBeCloseTo(12.00669068, 8); // 144,080 x 10 s x 0.5 GB x $0.0000166667
    expect(lines[1].perHour).toBeCloseTo(0.050428, 8); // 144,080 x ($0.20/M + 300 B x $0.50/GB)
    expect(lines[0].formula).toBe(`(40 rps x 3600 s + 80 burst) = 144080 invocations x 10 s timeout x 0.5 GB x $${p.lambdaPerGbSecond}/GB-s; concurrency <= 40 rps x 10 s + 80 = 480 (Little's law); throttles: 40 rps / burst 80 (Post on stage prod)`);
    expect(total).toBeDefined();
  });

  test('a per-method override above the stage default raises the bound; arm64 is priced at the arm64 rate', () => {
    const t = base();
    (t.Resources.Stage.Properties.MethodSettings as object[]).push({ HttpMethod: 'POST', ResourcePath: '/~1jobs', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    t.Resources.Admit.Properties.Architectures = ['arm64'];
    const { lines } = admitLines(t);
    expect(lines[0].perHour).toBeCloseTo(24.0134534, 7); // (100 x 3600 + 200) x 10 s x 0.5 GB x $0.0000133334
    expect(lines[0].formula).toContain('(arm64)');
  });

  test('with reserved concurrency as well, the lower of the two bounds is shown', () => {
    const t = base();
    t.Resources.Admit.Properties.ReservedConcurrentExecutions = 5;
    expect(admitLines(t).lines[0].perHour).toBeCloseTo(0.1500003, 8); // 5 x 0.5 GB x 3600 s x $0.0000166667 (the hour, whatever the timeout)
    expect(admitLines(t).lines[0].formula).toContain('(reserved concurrency)');
    t.Resources.Admit.Properties.ReservedConcurrentExecutions = 900;
    expect(admitLines(t).lines[0].perHour).toBeCloseTo(12.00669068, 8); // the throttle bound again
  });

  test.each([
    ['another service may invoke it (an SNS permission)', (t: ReturnType<typeof base>) => {
      t.Resources.Topic = { Type: 'AWS::SNS::Topic', Properties: {} };
      t.Resources.SnsInvoke = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Admit' }, Principal: 'sns.amazonaws.com', SourceArn: { Ref: 'Topic' } } };
    }, /other invokers \(Lambda::Permission SnsInvoke \(principal "sns.amazonaws.com"\)\)/],
    ['an event source mapping feeds it', (t: ReturnType<typeof base>) => {
      t.Resources.Queue = { Type: 'AWS::SQS::Queue', Properties: {} };
      t.Resources.Mapping = { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'Admit' }, EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] } } };
    }, /other invokers \(event source mapping Mapping\)/],
    ['an IAM policy grants lambda:InvokeFunction on it', (t: ReturnType<typeof base>) => {
      t.Resources.Caller = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'call', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['Admit', 'Arn'] } }] } } };
    }, /IAM grant of lambda:InvokeFunction in Caller/],
    ['API Gateway may invoke it from any API (no SourceArn)', (t: ReturnType<typeof base>) => {
      delete t.Resources.AdmitInvoke.Properties.SourceArn;
    }, /SourceArn not one of the throttled APIs/],
    ['the stage has no throttle', (t: ReturnType<typeof base>) => {
      t.Resources.Stage.Properties.MethodSettings = [];
    }, /stage prod of API Api has no throttle/],
  ])('stays unbounded when %s', (_what, change, why) => {
    const t = base();
    change(t);
    const { lines, total } = admitLines(t);
    expect(lines).toHaveLength(1);
    expect(lines[0].unboundedBy).toBe('InferenceGuard-LambdaConcurrencyCap');
    expect(lines[0].formula).toMatch(why);
    expect(total).toBeUndefined();
  });
});

describe('worst-case cost of absurd numbers', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-cost-huge-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ref = (id: string) => ({ Ref: id });
  const template = (rate: number | undefined, reserved: number) => ({
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'a' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.h', Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::1:role/r', ReservedConcurrentExecutions: reserved } },
      Post: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: ref('Api'), HttpMethod: 'POST', AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations' } } } },
      Dep: { Type: 'AWS::ApiGateway::Deployment', DependsOn: 'Post', Properties: { RestApiId: ref('Api') } },
      Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: ref('Api'), DeploymentId: ref('Dep'), StageName: 'prod', MethodSettings: rate === undefined ? [] : [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: rate, ThrottlingBurstLimit: 10 }] } },
    },
  });
  const costOf = (t: unknown) => {
    const file = path.join(dir, 't.json');
    fs.writeFileSync(file, JSON.stringify(t));
    return reviewTemplate(loadTemplate(file, dir), { prices: p }).cost!;
  };
  test('a 1e308 req/s throttle is priced at the account-level throttle, not "$Infinity/h"', () => {
    const cost = costOf(template(1e308, 5));
    const api = cost.components[0];
    expect(api.lines[0].formula).toMatch(/1e\+308 rps \(prod\), above the account-level throttle: 10000 rps x 3600 s/);
    expect(api.lines[0].perHour).toBeCloseTo(requestCostPerHour(10_000, p.apiGatewayRestPerMillion), 6);
    expect(Number.isFinite(cost.perHour)).toBe(true);
    expect(JSON.stringify(cost)).not.toMatch(/null|Infinity/);
  });
  test('a price that overflows reads unbounded, in text and in JSON', () => {
    // Reserved concurrency 1e308 and no stage throttle: nothing lower bounds the function.
    const cost = costOf(template(undefined, 1e308));
    const fn = cost.components[0].lines.find((l) => /duration/.test(l.item))!;
    expect(fn.perHour).toBeUndefined();
    expect(fn.unboundedBy).toBeDefined();
    expect(cost.perHour).toBeUndefined();
    expect(showPerHour(Infinity)).toBe('unbounded');
  });
});
