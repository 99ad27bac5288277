import * as fs from 'fs';
import * as path from 'path';

/**
 * `npm run test:unit` (jest.unit.config.js) is the edit-test loop: the tests that need neither the
 * test tools scripts/test-env.sh installs nor the build, nor local servers. Its list of left-out
 * files is kept by hand, so this checks it: no test file of the unit selection calls one of the
 * helpers that start those tools. (The test files themselves are read, comments dropped; a helper
 * that starts a tool is found where the test calls it.)
 */
const ROOT = path.join(__dirname, '..', '..');

/** What a test file calls when it needs a tool or a server, and what that is. */
const NEEDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:startMoto|motoPerTestFile|motoBehindFaultProxy)\(/, 'moto_server'],
  [/\b(?:spawnSync|execFileSync|execFile|spawn)\(\s*'cfn-lint'|\bcfnLint(?:Command)?\(/, 'cfn-lint'],
  [/\b(?:synthesizeExample|exampleAssemblyDir)\(/, 'the example apps synthesized'],
  [/from 'autocannon'/, 'load generation (autocannon)'],
  [/'bin', 'kig\.ts'|bin\/kig\.(?:ts|js)/, 'the kig binary'],
  [/\bstartModelServer\(/, 'a local model server'],
  [/\bkerasFixtures\(/, 'the Keras fixture models'],
  [/\bchromium\b/i, 'Chromium'],
];

/** Every test file, absolute (the list the grouped run uses, test/support/test-groups.js). */
function testFiles(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const groups = require(path.join(ROOT, 'test', 'support', 'test-groups.js')) as { testFiles(): string[] };
  return groups.testFiles().map((f) => path.join(ROOT, f));
}

function unitSelection(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(ROOT, 'jest.unit.config.js')) as { testPathIgnorePatterns: string[] };
  const ignored = config.testPathIgnorePatterns.map((p) => new RegExp(p.replace('<rootDir>', ROOT)));
  return testFiles().filter((f) => !ignored.some((re) => re.test(f)));
}

/** Code without its comments (block comments, then line comments outside strings of a line). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

test('the unit selection holds no test that needs a tool, a server or the examples', () => {
  const files = unitSelection();
  // The selection is most of the suite, and this file is in it.
  expect(files.length).toBeGreaterThan(40);
  expect(files).toContain(__filename);
  const found = files.filter((f) => f !== __filename).flatMap((f) => {
    const code = withoutComments(fs.readFileSync(f, 'utf8'));
    return NEEDS.filter(([re]) => re.test(code)).map(([, what]) => `${path.relative(ROOT, f)} needs ${what}`);
  });
  expect(found).toEqual([]);
});

test('the check finds what it looks for', () => {
  // Each marker on a line of code, and none in a comment.
  const code = withoutComments([
    "const moto = await startMoto();",
    "const lint = await cfnLint([file]);",
    "const dir = exampleAssemblyDir('sagemaker-queue');",
    "import autocannon from 'autocannon';",
    "const KIG = path.join(ROOT, 'bin', 'kig.ts');",
    '// startModelServer(args) in a comment',
    '/* kerasFixtures() in a block comment */',
  ].join('\n'));
  expect(NEEDS.filter(([re]) => re.test(code)).map(([, what]) => what))
    .toEqual(['moto_server', 'cfn-lint', 'the example apps synthesized', 'load generation (autocannon)', 'the kig binary']);
  // The per-file helpers start moto_server too.
  for (const call of ['const peer = motoPerTestFile();', 'const peer = motoBehindFaultProxy();']) {
    expect(NEEDS.filter(([re]) => re.test(call)).map(([, what]) => what)).toEqual(['moto_server']);
  }
});
