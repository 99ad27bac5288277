import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REVIEW_LIMITS } from '../../lib/review/review-limits';
import { loadTemplate, resourceLine } from '../../lib/review';
import { kig } from './support';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-hostile-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string | Buffer) => {
  fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
  fs.writeFileSync(path.join(tmp, name), text);
  return path.join(tmp, name);
};
const queue = { Type: 'AWS::SQS::Queue' };

/** Exit 2 with one line on stderr, no stack trace, no report; returns the line. */
async function refused(args: string[]): Promise<string> {
  const r = await kig(['review', ...args], { cwd: tmp });
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at |Maximum call stack|RangeError|TypeError/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
  expect(r.stderr.length).toBeLessThan(1_000);
  return r.stderr;
}

describe('kig review on hostile input', () => {
  test('nesting deeper than the limit: a clear error (JSON and YAML), no stack overflow', async () => {
    const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    write('deep.json', `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": ${deep(5_000)}}}}}`);
    expect(await refused(['deep.json'])).toMatch(/deep\.json:1:\d+: nested deeper than 200 levels\. Fix: flatten the template\./);
    write('deep.yaml', `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: ${deep(5_000)}\n`);
    expect(await refused(['deep.yaml'])).toMatch(/deep\.yaml.*(nested|malformed YAML)/);
    // Just under the limit is fine.
    write('ok.json', JSON.stringify({ Resources: { Q: { ...queue, Properties: { Tags: JSON.parse(deep(REVIEW_LIMITS.maxNestingDepth - 6)) } } } }));
    expect((await kig(['review', 'ok.json'], { cwd: tmp })).code).toBe(1);
  });

  test('a 1 MB logical id: refused with the id cut short, no regular expression built from it', async () => {
    const id = `Q${'a'.repeat(1_000_000)}`;
    write('long.json', JSON.stringify({ Resources: { [id]: queue } }));
    expect(await refused(['long.json'])).toMatch(/resource id "Qaaa+\.\.\. \(\d+ more characters\)" is not a logical id: allowed 1 to 255 letters and digits/);
    const regexChars = `Q(.*)+$[`;
    write('chars.json', JSON.stringify({ Resources: { [regexChars]: queue } }));
    expect(await refused(['chars.json'])).toContain('is not a logical id');
  });

  test.each([
    ['"oops"', '"oops"', /the Parameters section is the string "oops", not a map/],
    ['null', 'null', /the Parameters section is null, not a map/],
    ['a list', '[1]', /the Parameters section is a list, not a map/],
  ])('Parameters %s with a Ref: refused, not a TypeError', async (_name, params, message) => {
    write('p.json', `{"Parameters": ${params}, "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}}}`);
    expect(await refused(['p.json'])).toMatch(message);
  });

  test('a 100 MB string: refused by the size limit; a 20 MB name: the report stays bounded', async () => {
    const big = Buffer.alloc(REVIEW_LIMITS.maxFileBytes + 10, 0x61);
    big.write('{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "', 0);
    write('huge.json', big);
    expect(await refused(['huge.json'])).toMatch(/huge\.json: \d+ bytes, above the 67108864-byte limit/);
    const name = 'n'.repeat(20_000_000);
    write('name.json', JSON.stringify({ Resources: { Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: name } } } }));
    for (const format of ['table', 'json', 'markdown', 'sarif']) {
      const r = await kig(['review', 'name.json', '--format', format], { cwd: tmp });
      expect(r.stderr).toBe('');
      expect(r.stdout.length).toBeLessThan(200_000);
      expect(r.stdout).toContain('more characters)');
    }
  });

  test('a FIFO, /dev/zero and a directory given as a file are refused at once', async () => {
    const fifo = path.join(tmp, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    expect(await refused(['pipe.json'])).toBe('kig review: pipe.json: a named pipe (FIFO), not a regular file. Fix: pass a template file (.json, .yaml, .yml) or a cdk.out directory.\n');
    expect(await refused(['/dev/zero'])).toMatch(/\/dev\/zero: a character device, not a regular file/);
    // A FIFO inside a cdk.out directory: found by the directory scan, refused when read.
    fs.mkdirSync(path.join(tmp, 'out'));
    execFileSync('mkfifo', [path.join(tmp, 'out', 'Stack.template.json')]);
    expect(await refused(['out'])).toMatch(/Stack\.template\.json: a named pipe \(FIFO\), not a regular file/);
  });

  test('duplicate logical ids are refused in JSON and YAML (cfn-lint E0000), at the duplicate', async () => {
    write('dup.json', '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue"},\n    "Q": {"Type": "AWS::SNS::Topic"}\n  }\n}\n');
    expect(await refused(['dup.json'])).toBe('kig review: dup.json:4:5: duplicate key "Q" (cfn-lint E0000): JSON keeps only the last one. Fix: give every key of an object its own name.\n');
    write('dup.yaml', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SNS::Topic\n');
    expect(await refused(['dup.yaml'])).toMatch(/^kig review: dup\.yaml:4:3: duplicate key: Map keys must be unique \(cfn-lint E0000\)/);
  });

  test.each([
    ['Ref __proto__', { Ref: '__proto__' }, /Ref to "__proto__"/],
    ['Ref toString', { Ref: 'toString' }, /Ref to "toString"/],
    ['Ref constructor', { Ref: 'constructor' }, /Ref to "constructor"/],
    ['Sub ${constructor}', { 'Fn::Sub': 'x-${constructor}' }, /Fn::Sub to "constructor"/],
    ['Sub ${hasOwnProperty} with a variable map', { 'Fn::Sub': ['x-${hasOwnProperty}', { Other: 'y' }] }, /Fn::Sub to "hasOwnProperty"/],
    ['GetAtt __proto__.Arn', { 'Fn::GetAtt': ['__proto__', 'Arn'] }, /Fn::GetAtt to "__proto__"/],
    ['Ref 1 (not a name)', { Ref: 1 }, /Ref to 1, which is not a logical id/],
    ['GetAtt of a map', { 'Fn::GetAtt': { a: 1 } }, /Fn::GetAtt of \{"a":1\}, which names no resource/],
  ])('%s is an unresolvable reference', async (_name, value, message) => {
    write('ref.json', JSON.stringify({ Parameters: { Name: { Type: 'String' } }, Resources: { Q: { ...queue, Properties: { QueueName: value } } } }));
    expect(await refused(['ref.json'])).toMatch(message);
  });

  test.each([
    ['ReservedConcurrentExecutions "lots"', { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: 'lots' } }, /Resources\.R\.Properties\.ReservedConcurrentExecutions = "lots" is not a number/],
    ['maxReceiveCount "x"', { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:d', maxReceiveCount: 'x' } } }, /RedrivePolicy\.maxReceiveCount = "x"/],
    ['maxReceiveCount "x" in a JSON string', { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:d", "maxReceiveCount": "x"}' } }, /RedrivePolicy\.maxReceiveCount = "x"/],
    ['RetentionInDays "forever"', { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 'forever' } }, /RetentionInDays = "forever"/],
    ['ThrottlingRateLimit "lots"', { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: 'x', MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 'lots' }] } }, /MethodSettings\.0\.ThrottlingRateLimit = "lots"/],
    ['ECS Memory {"x": 1}', { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'm', Image: 'i', Memory: { x: 1 } }] } }, /ContainerDefinitions\.0\.Memory = \{"x":1\}/],
    ['WAF rate limit true', { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{ Name: 'r', Statement: { RateBasedStatement: { Limit: true } } }] } }, /RateBasedStatement\.Limit = true/],
  ])('%s: not a valid template (cfn-lint E3012), never compliant', async (_name, resource, message) => {
    write('num.json', JSON.stringify({ Resources: { R: resource } }));
    expect(await refused(['num.json'])).toMatch(message);
  });

  test('numbers as numeric strings and intrinsics stay readable', async () => {
    write('ok.json', JSON.stringify({
      Parameters: { Days: { Type: 'Number', Default: 7 } },
      Resources: { L: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: { Ref: 'Days' } } }, Q: { ...queue, Properties: { VisibilityTimeout: '30' } } },
    }));
    const r = await kig(['review', 'ok.json'], { cwd: tmp });
    expect(r.stderr).toBe('');
  });

  test('JSON syntax errors are reported where they are, not at the end of the file', async () => {
    const text = `{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 01}}${'\n'.repeat(50)}  }\n}\n`;
    write('syntax.json', text);
    expect(await refused(['syntax.json'])).toMatch(/^kig review: syntax\.json:3:\d+: malformed JSON: /);
    write('comma.json', '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},}}\n\n\n');
    expect(await refused(['comma.json'])).toMatch(/^kig review: comma\.json:1:\d+: malformed JSON: /);
  });

  test('a YAML mapping key that is a list or a map is refused at its position', async () => {
    write('key.yaml', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      ? [a, b]\n      : c\n');
    expect(await refused(['key.yaml'])).toBe('kig review: key.yaml:5:9: malformed YAML: a mapping key must be a plain value, not a map or a list. Fix: correct the YAML at that position.\n');
  });

  test('a UTF-8 byte-order mark is accepted (JSON and YAML)', async () => {
    write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ Resources: { Q: queue } }))]));
    write('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Resources:\n  Q:\n    Type: AWS::SQS::Queue\n')]));
    for (const f of ['bom.json', 'bom.yaml']) {
      const r = await kig(['review', f], { cwd: tmp });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/1 resource, 1 component/);
    }
  });

  test('a manifest path outside cdk.out is refused, not read', async () => {
    write('secret.template.json', JSON.stringify({ Resources: { Q: queue } }));
    write('out/manifest.json', JSON.stringify({ artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: '../secret.template.json' } } } }));
    expect(await refused(['out'])).toMatch(/manifest\.json: path "\.\.\/secret\.template\.json" points outside the cloud assembly/);
    write('abs/manifest.json', JSON.stringify({ artifacts: { S: { type: 'cdk:cloud-assembly', properties: { directoryName: '/etc' } } } }));
    expect(await refused(['abs'])).toMatch(/path "\/etc" points outside the cloud assembly/);
  });

  test('a nested assembly pointing back at "." is reviewed once', async () => {
    write('out/S.template.json', JSON.stringify({ Resources: { Q: queue } }));
    write('out/manifest.json', JSON.stringify({
      artifacts: {
        S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } },
        Self: { type: 'cdk:cloud-assembly', properties: { directoryName: '.' } },
        Again: { type: 'cdk:cloud-assembly', properties: { directoryName: './' } },
      },
    }));
    const r = await kig(['review', 'out', '--format', 'json'], { cwd: tmp });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).summary.templates).toBe(1);
  });

  test('resource lines are found in one pass, for JSON and YAML', () => {
    const json = write('lines.json', '{\n  "Resources": {\n    "A": {"Type": "AWS::SQS::Queue"},\n    "B": {\n      "Type": "AWS::SQS::Queue"\n    }\n  }\n}\n');
    const loaded = loadTemplate(json, tmp);
    expect([resourceLine(loaded, 'A'), resourceLine(loaded, 'B'), resourceLine(loaded, 'C')]).toEqual([3, 4, undefined]);
    const yaml = write('lines.yaml', 'Parameters:\n  A:\n    Type: String\nResources:\n  A1:\n    Type: AWS::SQS::Queue\n    Properties:\n      B: 1\n  "B":\n    Type: AWS::SQS::Queue\n');
    const y = loadTemplate(yaml, tmp);
    expect([resourceLine(y, 'A1'), resourceLine(y, 'B')]).toEqual([5, 9]);
  });
});

describe('kig review: the quick JSON scan agrees with the careful one', () => {
  const loadError = (name: string, text: string): string | undefined => {
    try {
      loadTemplate(write(name, text), tmp);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  test('a duplicate key written with an escape, or in an object of many keys, is refused at the duplicate', () => {
    expect(loadError('esc.json', '{\n "Resources": {\n  "Q": {"Type": "AWS::SQS::Queue"},\n  "\\u0051": {"Type": "AWS::SNS::Topic"}\n }\n}\n'))
      .toMatch(/^esc\.json:4:3: duplicate key "Q" \(cfn-lint E0000\)/);
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`Q${i}`, queue]));
    expect(loadError('many.json', JSON.stringify({ Resources: many }, null, 1).replace('"Q39"', '"Q7"')))
      .toMatch(/^many\.json:120:3: duplicate key "Q7" \(cfn-lint E0000\)/);
    // The same key in two different objects is no duplicate.
    expect(loadError('two.json', JSON.stringify({ Resources: { A: { ...queue, Metadata: { k: 1 } }, B: { ...queue, Metadata: { k: 2 } } } }))).toBeUndefined();
  });
  test('resource lines with CR LF, CR and LF line ends, past strings holding quotes, colons and backslashes', () => {
    const a = JSON.stringify({ ...queue, Metadata: { s: 'x\\": "y": {', t: '\\', '"Z": {': 1 } });
    for (const [name, nl] of [['crlf', '\r\n'], ['cr', '\r'], ['lf', '\n']]) {
      const loaded = loadTemplate(write(`${name}.json`, `{${nl}"Resources": {${nl}"A": ${a},${nl}${nl}"B": ${JSON.stringify(queue)}${nl}}${nl}}`), tmp);
      expect([resourceLine(loaded, 'A'), resourceLine(loaded, 'B'), resourceLine(loaded, 'Z')]).toEqual([3, 5, undefined]);
    }
  });
  test('text the quick scan accepts but JSON.parse does not is located by the careful scan', () => {
    expect(loadError('num.json', '{\n "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 01}}}\n}')).toMatch(/^num\.json:2:/);
    expect(loadError('trail.json', '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},}}')).toMatch(/^trail\.json:1:\d+: malformed JSON/);
  });
});

describe('kig review: SAM input gets every check plain input gets', () => {
  const sam = (fn: Record<string, unknown>, extra: Record<string, unknown> = {}) => `Transform: AWS::Serverless-2016-10-31\nResources:\n${JSON.stringify({
    Fn: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 's3://b/k.zip', Handler: 'a.h', Runtime: 'python3.12', ...fn } },
    ...extra,
  }).replace(/^/, '  ')}\n`.replace('Resources:\n  ', 'Resources: ');
  test('a Ref to a resource that does not exist is refused, as in a plain template', async () => {
    write('ghost.yaml', sam({ Environment: { Variables: { Q: { Ref: 'Ghost' } } } }));
    expect(await refused(['ghost.yaml'])).toMatch(/unresolvable reference: Resources\.Fn\.Properties\.Environment\.Variables\.Q: Ref to "Ghost", which is not a resource, parameter or pseudo parameter/);
  });
  test('a DLQ given as GetAtt of a missing resource is refused, not counted as present', async () => {
    write('dlq.yaml', sam({ DeadLetterQueue: { Type: 'SQS', TargetArn: { 'Fn::GetAtt': ['Missing', 'Arn'] } } }));
    expect(await refused(['dlq.yaml'])).toMatch(/Resources\.Fn\.Properties\.DeadLetterQueue\.TargetArn: Fn::GetAtt to "Missing", which is not a resource/);
  });
  test('non-numeric Timeout and ThrottlingRateLimit are refused, naming what SAM generates them into', async () => {
    write('timeout.yaml', sam({ Timeout: 'forever' }));
    expect(await refused(['timeout.yaml'])).toMatch(/Resources\.Fn\.Properties\.Timeout = "forever" is not a number/);
    write('throttle.yaml', sam({}, { Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod', MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 'lots' }] } } }));
    expect(await refused(['throttle.yaml'])).toMatch(/Resources\.ApiprodStage\.Properties\.MethodSettings\.0\.ThrottlingRateLimit = "lots" is not a number \(in what SAM generates for Api\)/);
  });
  test('an event naming an API SAM cannot use is refused, as SAM refuses the template, instead of reviewing an implicit API SAM would not create', async () => {
    write('event-api.yaml', sam({ Events: { Get: { Type: 'Api', Properties: { RestApiId: 'abc123', Path: '/', Method: 'get' } } } }));
    expect(await refused(['event-api.yaml'])).toMatch(/event-api\.yaml: not a valid SAM template: Resources\.Fn\.Properties\.Events\.Get\.Properties\.RestApiId: "abc123" is not a reference to a resource of this template \(SAM refuses it: the event must name an AWS::Serverless::Api of the template, or none for the implicit API\)\. Fix: name an API of the template with !Ref, or leave the property out for the implicit API\./);
  });
  test('references to what SAM generates resolve: the function role, the implicit API, Api.Stage, Function.Alias', async () => {
    write('generated.yaml', sam({ Events: { Get: { Type: 'Api', Properties: { Path: '/', Method: 'get' } } }, AutoPublishAlias: 'live' }, {
      Other: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'a', Value: { 'Fn::GetAtt': ['FnRole', 'Arn'] } }, { Key: 'b', Value: { Ref: 'ServerlessRestApi' } }, { Key: 'c', Value: { Ref: 'Fn.Alias' } }] } },
    }));
    const r = await kig(['review', 'generated.yaml'], { cwd: tmp });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
});

describe('kig review: dependencies, empty and misshapen templates', () => {
  test.each([
    ['circular', { A: { ...queue, DependsOn: 'B' }, B: { ...queue, DependsOn: ['A'] } }, /broken dependency: Resources\.A: circular dependency A -> B -> A/],
    ['circular through a reference', { A: { ...queue, DependsOn: 'B' }, B: { ...queue, Properties: { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } } } }, /circular dependency A -> B -> A/],
    ['self', { A: { ...queue, DependsOn: 'A' } }, /Resources\.A\.DependsOn: names the resource itself/],
    ['a number', { A: { ...queue, DependsOn: [5] } }, /Resources\.A\.DependsOn: 5 is not a logical id/],
    ['null', { A: { ...queue, DependsOn: null } }, /Resources\.A\.DependsOn: null is not a logical id/],
  ])('DependsOn %s: refused', async (_name, resources, message) => {
    write('deps.json', JSON.stringify({ Resources: resources }));
    expect(await refused(['deps.json'])).toMatch(message);
  });
  test('a long DependsOn chain is checked without a stack overflow', async () => {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i++) resources[`Q${i}`] = { ...queue, ...(i > 0 ? { DependsOn: `Q${i - 1}` } : {}) };
    write('chain.json', JSON.stringify({ Resources: resources }));
    expect((await kig(['review', 'chain.json'], { cwd: tmp })).code).toBe(1);
  });
  test('Resources: {} is refused: CloudFormation needs at least one resource', async () => {
    write('empty.json', '{"Resources": {}}');
    expect(await refused(['empty.json'])).toMatch(/the Resources section is empty; CloudFormation requires at least one resource/);
  });
  test.each([
    ['Resources as a list', 'Resources:\n  - Q\n', /the Resources section is a list, not a map of logical ids to resources/],
    ['a resource that is a number', 'Resources:\n  Q: 5\n', /resource Q is number 5, not a map with a Type/],
    ['a Type that is a number', 'Resources:\n  Q:\n    Type: 5\n', /resource Q has Type number 5, not a type name/],
    ['a YAML merge key', 'Resources:\n  Base: &b\n    Type: AWS::SQS::Queue\n  Q:\n    <<: *b\n', /resource Q uses a YAML merge key \(<<\); CloudFormation does not accept merge keys/],
    ['two YAML documents', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n---\nResources: {}\n', /the file holds more than one YAML document/],
    ['a list at the top', '- 1\n', /the file holds a list, not a map with a Resources section/],
  ])('%s: a message that says what is wrong', async (_name, text, message) => {
    write('odd.yaml', text);
    const line = await refused(['odd.yaml']);
    expect(line).toMatch(message);
    expect(line).not.toMatch(/no Resources section|has no Type|parseAllDocuments/);
  });
});

describe('kig review: text encodings', () => {
  const template = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}}}';
  test('invalid UTF-8 is refused with the offset of the bad byte, not read with replacement characters', async () => {
    write('bad.json', Buffer.concat([Buffer.from(template.slice(0, 70)), Buffer.from([0xff, 0xfe]), Buffer.from(template.slice(70))]));
    expect(await refused(['bad.json'])).toMatch(/bad\.json: not valid UTF-8: byte 70 \(0xff\) cannot be decoded/);
  });
  test('UTF-16 with a byte-order mark (little and big endian) is decoded and reviewed', async () => {
    const le = Buffer.from(`\ufeff${template}`, 'utf16le');
    const be = Buffer.from(le);
    be.swap16();
    for (const [name, bytes] of [['le.json', le], ['be.json', be]] as const) {
      write(name, bytes);
      const r = await kig(['review', name, '--format', 'json'], { cwd: tmp });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout).templates[0].components[0].label).toBe('queue "jobs" (Q)');
    }
  });
  test('UTF-16 without a byte-order mark is refused, saying what it looks like', async () => {
    write('nobom.json', Buffer.from(template, 'utf16le'));
    expect(await refused(['nobom.json'])).toMatch(/byte 1 is a NUL \(0x00\), as in UTF-16 text without a byte-order mark/);
  });
});
