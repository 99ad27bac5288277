import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { CFN_LINT_URL_VARIABLE, cfnLint, cfnLintCommand } from '../support/cfn-lint';

/**
 * The run's shared cfn-lint process (test/support/cfn-lint-server.py) answers what the `cfn-lint`
 * command answers: the tests that lint templates rely on it in place of the command.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-cfn-lint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// An error (E3002: a property the resource type does not have) and a warning (W2001: a parameter
// nothing uses), and a configuration file in the working directory that turns the warning off.
const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: { Unused: { Type: 'String' } },
  Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { NotAProperty: 1 } } },
};

test('the jest run shares one cfn-lint process', () => {
  expect(process.env[CFN_LINT_URL_VARIABLE]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('it answers as the cfn-lint command does: findings, format, exit status, the working directory\'s configuration', async () => {
  fs.writeFileSync(path.join(dir, 'template.json'), JSON.stringify(TEMPLATE, null, 2));
  fs.writeFileSync(path.join(dir, '.cfnlintrc'), 'ignore_checks:\n  - W2001\n');
  const args = ['--format', 'parseable', 'template.json'];
  const [shared, command] = await Promise.all([cfnLint(args, { cwd: dir }), cfnLintCommand(args, { cwd: dir })]);
  expect(shared).toEqual(command);
  // Exit status 2: an error; the warning is off (.cfnlintrc of the working directory was read).
  expect(shared.status).toBe(2);
  expect(shared.stdout).toMatch(/^template\.json:\d+:\d+:\d+:\d+:E3002:/m);
  expect(shared.stdout).not.toContain('W2001');
});

test('requests share the built-in rules and still answer as the command: the rules-used record is each request\'s own', async () => {
  // The pretty format prints how many rules a run used; the shared process lints every request
  // with one rule collection (test/support/cfn-lint-server.py, share_builtin_rules).
  fs.writeFileSync(path.join(dir, 'one.json'), JSON.stringify(TEMPLATE, null, 2));
  fs.writeFileSync(path.join(dir, 'two.json'), JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }));
  for (const format of ['pretty', 'parseable']) {
    // The informational rules as well in the first request: more rules used than in the second.
    await cfnLint(['--format', format, 'one.json', '--include-checks', 'I'], { cwd: dir });
    const args = ['--format', format, 'two.json'];
    const [shared, command] = await Promise.all([cfnLint(args, { cwd: dir }), cfnLintCommand(args, { cwd: dir })]);
    expect({ format, ...shared }).toEqual({ format, ...command });
  }
});

test('a command line that names no template reads an empty one, as the command does with stdin ignored', async () => {
  // --include-checks takes every word after it: no template is left, and cfn-lint reads standard input.
  const args = ['--format', 'parseable', '--include-checks', 'I', 'one.json'];
  const [shared, command] = await Promise.all([cfnLint(args, { cwd: dir, timeoutMs: 60_000 }), cfnLintCommand(args, { cwd: dir, timeoutMs: 60_000 })]);
  expect(shared).toEqual(command);
});

test('a clean template: status 0 and nothing printed', async () => {
  const file = path.join(dir, 'clean.json');
  fs.writeFileSync(file, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } }));
  expect(await cfnLint([file])).toEqual({ status: 0, stdout: '', stderr: '' });
});

test('a request that is not a command line gets a 400 that says why', async () => {
  const url = process.env[CFN_LINT_URL_VARIABLE]!;
  const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: 'POST' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ args: 'template.json' }));
  });
  expect(answer.status).toBe(400);
  expect(JSON.parse(answer.body)).toEqual({ error: 'bad request: args must be a list of strings' });
});
