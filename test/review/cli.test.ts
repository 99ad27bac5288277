import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTemplate } from '../../lib/review';
import { INFERENCE_GUARD_RULES } from '../../lib/nag';
import { kig } from './support';

const fixtures = path.join(__dirname, 'fixtures');
let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-review-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
  fs.writeFileSync(path.join(tmp, name), text);
  return path.join(tmp, name);
};

describe('kig review', () => {
  test('is registered, and --help documents every option and exit code', async () => {
    const top = await kig(['--help']);
    expect(top.stdout).toMatch(/review\s+review CloudFormation templates/);
    const help = await kig(['review', '--help']);
    expect(help.code).toBe(0);
    for (const o of ['--format', '--output', '--fail-on', 'table', 'json', 'markdown', 'sarif', 'Exit codes']) expect(help.stdout).toContain(o);
  });

  test('table: a row per component with five marks and the finding behind each mark; exit 1 on errors', async () => {
    const r = await kig(['review', 'no-dlq.yaml'], { cwd: fixtures });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/COMPONENT\s+RESOURCE LIMITS\s+TIMEOUTS\s+RATE LIMITING\s+QUEUE MANAGEMENT\s+ALARMS/);
    expect(r.stdout).toMatch(/queue Jobs\s+present\s+present\s+n\/a\s+MISSING\s+n\/a/);
    expect(r.stdout).toMatch(/queue management\s+MISSING\s+ERROR InferenceGuard-SQSDeadLetterQueue: queue Jobs RedrivePolicy = absent/);
    expect(r.stdout).toMatch(/timeouts\s+present\s+ok InferenceGuard-SQSVisibilityTimeout: queue Jobs visibility 360 s >= 6 x function Worker timeout 60 s/);
    expect(r.stdout).toContain('Summary: 1 template, 1 error, 0 warnings.');
  });

  test('warnings alone exit 0, unless --fail-on warning', async () => {
    expect((await kig(['review', 'no-alarms.json'], { cwd: fixtures })).code).toBe(0);
    expect((await kig(['review', 'no-alarms.json', '--fail-on', 'warning'], { cwd: fixtures })).code).toBe(1);
  });

  test('json: components, marks, results and findings', async () => {
    const r = await kig(['review', 'empty-usage-plan.json', '--format', 'json'], { cwd: fixtures });
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ templates: 1, errors: 4, warnings: 0 });
    const api = report.templates[0].components[0];
    expect(api).toMatchObject({ kind: 'API', id: 'Api', mitigations: { 'rate limiting': { mark: 'missing' }, timeouts: { mark: 'default' }, 'queue management': { mark: 'n/a' } } });
    expect(report.templates[0].findings[0]).toMatchObject({ ruleId: 'InferenceGuard-APIUsagePlanLimits', level: 'error', resource: 'UsagePlan', components: ['API "orders-api" (Api)'] });
  });

  test('markdown: a table per template and a section per component', async () => {
    const r = await kig(['review', 'ecs-soft-memory.json', '-f', 'markdown'], { cwd: fixtures });
    expect(r.stdout).toContain('| Component | resource limits | timeouts | rate limiting | queue management | alarms |');
    expect(r.stdout).toContain('| service ModelService | **missing** | n/a | n/a | n/a | **missing** |');
    expect(r.stdout).toContain('### service ModelService');
  });

  test('sarif: 2.1.0 with the rules, one result per finding, located at the resource line', async () => {
    const r = await kig(['review', 'async-invocations-scaling.yaml', '--format', 'sarif'], { cwd: fixtures });
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.rules).toHaveLength(INFERENCE_GUARD_RULES.length);
    expect(run.results.map((x: { ruleId: string; level: string }) => [x.ruleId, x.level])).toEqual([
      ['InferenceGuard-SageMakerAsyncScalingMetric', 'error'],
      ['InferenceGuard-AlarmComputeHealth', 'warning'],
    ]);
    const result = run.results[0];
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(result).toMatchObject({
      ruleId: 'InferenceGuard-SageMakerAsyncScalingMetric',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'async-invocations-scaling.yaml' }, region: { startLine: 50 } }, logicalLocations: [{ name: 'InvocationsScaling' }] }],
    });
  });

  test('--output writes the report to a file and a summary to stderr', async () => {
    const r = await kig(['review', path.join(fixtures, 'no-dlq.yaml'), '-f', 'sarif', '-o', 'out.sarif'], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('kig review: wrote sarif report to out.sarif: 1 error(s), 0 warning(s).\n');
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'out.sarif'), 'utf8')).version).toBe('2.1.0');
  });

  test('a cdk.out directory: every stack template listed in manifest.json, nested assemblies and nested stacks included', async () => {
    write('cdk.out/manifest.json', JSON.stringify({ version: '55.0.0', artifacts: {
      A: { type: 'aws:cloudformation:stack', properties: { templateFile: 'A.template.json' } },
      Stage: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Stage' } },
      Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
    } }));
    write('cdk.out/A.template.json', fs.readFileSync(path.join(fixtures, 'no-alarms.json'), 'utf8'));
    write('cdk.out/assembly-Stage/manifest.json', JSON.stringify({ version: '55.0.0', artifacts: { B: { type: 'aws:cloudformation:stack', properties: { templateFile: 'StageB.template.json' } } } }));
    write('cdk.out/assembly-Stage/StageB.template.json', fs.readFileSync(path.join(fixtures, 'empty-usage-plan.json'), 'utf8'));
    write('cdk.out/ANestedWorkers.nested.template.json', fs.readFileSync(path.join(fixtures, 'ecs-soft-memory.json'), 'utf8'));
    const r = await kig(['review', 'cdk.out', '-f', 'json'], { cwd: tmp });
    const report = JSON.parse(r.stdout);
    expect(report.templates.map((t: { path: string }) => t.path)).toEqual([
      path.join('cdk.out', 'A.template.json'), path.join('cdk.out', 'assembly-Stage', 'StageB.template.json'), path.join('cdk.out', 'ANestedWorkers.nested.template.json'),
    ]);
    expect(report.summary).toEqual({ templates: 3, errors: 6, warnings: 3 });
    expect(r.code).toBe(1);
  });

  test('progress goes to stderr only on a terminal with many templates', async () => {
    const body = fs.readFileSync(path.join(fixtures, 'no-alarms.json'), 'utf8');
    for (let i = 0; i < 12; i++) write(`out/S${String(i).padStart(2, '0')}.template.json`, body);
    const quiet = await kig(['review', 'out'], { cwd: tmp, isTty: false });
    expect(quiet.stderr).toBe('');
    const tty = await kig(['review', 'out'], { cwd: tmp, isTty: true });
    expect(tty.stderr).toContain('reviewing 12/12 S11.template.json');
    expect(tty.stdout).toContain('Summary: 12 templates, 0 errors, 24 warnings.');
  });

  test('acknowledgements in Metadata.cdk_nag.rules_to_suppress (with a reason) are honoured and shown', async () => {
    const t = JSON.parse(JSON.stringify(loadTemplate(path.join(fixtures, 'no-dlq.yaml'), fixtures).template));
    t.Resources.Jobs.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'InferenceGuard-SQSDeadLetterQueue', reason: 'results are idempotent; the producer retries and nothing is lost' }] } };
    write('acked.json', JSON.stringify(t));
    const r = await kig(['review', 'acked.json'], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queue management\s+present\s+acknowledged InferenceGuard-SQSDeadLetterQueue: .*\(acknowledged: results are idempotent; the producer retries and nothing is lost\)/);
    const sarif = JSON.parse((await kig(['review', 'acked.json', '-f', 'sarif'], { cwd: tmp })).stdout);
    expect(sarif.runs[0].results[0].suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'results are idempotent; the producer retries and nothing is lost' }]);
    // Without a reason the entry is not an acknowledgement.
    t.Resources.Jobs.Metadata.cdk_nag.rules_to_suppress[0].reason = '';
    write('unreasoned.json', JSON.stringify(t));
    expect((await kig(['review', 'unreasoned.json'], { cwd: tmp })).code).toBe(1);
  });

  test('Ctrl-C stops between templates, reports those reviewed, exits 130', async () => {
    write('out/A.template.json', JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } }));
    write('out/B.template.json', JSON.stringify({ Resources: {} }));
    const controller = new AbortController();
    controller.abort();
    const r = await kig(['review', 'out'], { cwd: tmp, signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('kig review: interrupted after 0 of 2 templates; the report covers those.\n');
    expect(r.stdout).toContain('Summary: 0 templates, 0 errors, 0 warnings.');
  });

  describe('bad input: one clear line on stderr, exit 2, no stack trace', () => {
    const bad = async (args: string[]) => {
      const r = await kig(['review', ...args], { cwd: tmp });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      return r.stderr;
    };
    test('malformed JSON, with line and column', async () => {
      write('t.json', '{\n  "Resources": {\n    "Q": { "Type": "AWS::SQS::Queue", }\n  }\n}\n');
      expect(await bad(['t.json'])).toMatch(/^kig review: t\.json:3:39: malformed JSON: .*Fix: correct the JSON at that position\.$/m);
      write('cut.json', '{"Resources": {');
      expect(await bad(['cut.json'])).toMatch(/cut\.json:1:16: malformed JSON: unexpected end of input, expected ',' or '}'/);
    });
    test('malformed YAML, with line and column; unknown tags', async () => {
      write('t.yaml', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: [1, 2\n');
      expect(await bad(['t.yaml'])).toMatch(/^kig review: t\.yaml:\d+:\d+: malformed YAML: /);
      write('tag.yaml', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Bogus x\n');
      expect(await bad(['tag.yaml'])).toMatch(/tag\.yaml:5:18: malformed YAML: Unresolved tag: !Bogus/);
    });
    test('unresolvable references name the reference', async () => {
      write('ref.yaml', 'Resources:\n  Esm:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt JobQueue.Arn\n      FunctionName: !Ref Worker\n');
      expect(await bad(['ref.yaml'])).toBe('kig review: ref.yaml: unresolvable reference: Resources.Esm.Properties.EventSourceArn: Fn::GetAtt to "JobQueue", which is not a resource of this template (and 1 more). Fix: correct the logical id or add the missing resource.\n');
      write('sub.json', JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${Missing}-q' } } } } }));
      expect(await bad(['sub.json'])).toMatch(/Fn::Sub to "Missing", which is not a resource, parameter or pseudo parameter/);
    });
    test('an empty directory, a missing file, a file that is not a template', async () => {
      fs.mkdirSync(path.join(tmp, 'empty'));
      expect(await bad(['empty'])).toMatch(/empty: no CloudFormation templates in this directory .*Fix: run cdk synth first/);
      expect(await bad(['nope.json'])).toMatch(/nope\.json: no such file or directory/);
      write('x.yaml', 'just: a map\n');
      expect(await bad(['x.yaml'])).toMatch(/not a CloudFormation template: no Resources section/);
    });
    test('usage errors', async () => {
      expect(await bad([])).toMatch(/expected one template file or cdk\.out directory, got none/);
      expect(await bad(['a.json', '--format', 'xml'])).toMatch(/--format "xml": allowed table, json, markdown, sarif/);
      expect(await bad(['a.json', '--nope'])).toMatch(/Unknown option '--nope'/);
    });
  });
});
