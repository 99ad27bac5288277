import * as fs from 'fs';
import * as path from 'path';
import { DocBlock, documentationFiles, parseMarkdown } from './doc-blocks';
import { checkJsonBlocks, checkTypeScriptBlocks, runShellBlocks } from './check-docs';

/**
 * Documentation that runs: every fenced block of README.md and docs/**\/*.md is compiled, run or
 * parsed as its language says (convention in test/docs/doc-blocks.ts); Python blocks run on the
 * Python side (test/python/test_docs.py) against the built package. A stale block fails here,
 * at its line; the negative cases below show the checks see one.
 */
const ROOT = path.join(__dirname, '..', '..');
const files = documentationFiles(ROOT);
const parsed = files.map((f) => parseMarkdown(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
const blocks = parsed.flatMap((p) => p.blocks);
const live = (kind: DocBlock['kind']) => blocks.filter((b) => b.kind === kind && b.skipReason === undefined);

/** Stale or unmarked blocks the checks must reject, in one synthetic page. */
const STALE_PAGE = [
  'A TypeScript block written against an older API (model: instead of compute:):',
  '<!-- doc-test: prelude imports stack profile -->',
  '```ts',
  "new KerasInferenceService(stack, 'Svc', { profile, model: ModelArtifact.fromS3Uri('s3://b/k'), maxInstances: 2 });",
  '```',
  'A kig option that does not exist:',
  '```bash',
  'kig limits --profile examples/sagemaker-realtime-gpu/profile.json --max-instance 4',
  '```',
  'A shell block that runs something else, unmarked:',
  '```sh',
  'npm run synth',
  '```',
  '<!-- doc-test: skip later -->',
  '```python',
  'print(1)',
  '```',
  '```',
  'no language',
  '```',
  '<!-- doc-test: prelude nothing -->',
  '```ts',
  'const x = 1;',
  '```',
  '```json',
  '{ "schemaVersion": 1, }',
  '```',
].join('\n');
const stale = parseMarkdown('stale.md', STALE_PAGE);
const staleTs = stale.blocks.filter((b) => b.kind === 'ts');

let tsProblems: string[];
beforeAll(() => {
  // One program for the documentation's blocks and the stale ones: the package is checked once.
  const all = checkTypeScriptBlocks([...live('ts'), ...staleTs]);
  tsProblems = all;
}, 600_000);

describe('documentation blocks', () => {
  test('README.md and every docs page follow the block convention (languages, markers, reasons)', () => {
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('docs'))).toBe(true);
    expect(parsed.flatMap((p) => p.problems)).toEqual([]);
    expect(live('ts').length).toBeGreaterThan(0);
    expect(live('shell').length).toBeGreaterThan(0);
    expect(live('python').length).toBeGreaterThan(0);
  });

  test('every ```ts block type-checks against the package', () => {
    expect(tsProblems.filter((p) => !p.startsWith('stale.md'))).toEqual([]);
  });

  test('every runnable shell block runs: each kig invocation is valid', async () => {
    expect(await runShellBlocks(live('shell'))).toEqual([]);
  });

  test('every ```json block parses', () => {
    expect(checkJsonBlocks(live('json'))).toEqual([]);
  });
});

describe('the documentation checks fail on a stale or unmarked block', () => {
  test('a TypeScript block using a prop the API no longer has fails at its line', () => {
    const staleProblems = tsProblems.filter((p) => p.startsWith('stale.md'));
    expect(staleProblems).toEqual(expect.arrayContaining([expect.stringMatching(/^stale\.md:4: .*'model' does not exist/)]));
    expect(staleProblems).toEqual(expect.arrayContaining([expect.stringMatching(/^stale\.md:21: unknown TypeScript prelude "nothing"/)]));
  });

  test('a kig invocation with a wrong option, and a shell block that is not kig, fail', async () => {
    const problems = await runShellBlocks(stale.blocks.filter((b) => b.kind === 'shell'));
    expect(problems).toEqual([
      expect.stringMatching(/^stale\.md:7: kig limits .* exited 2: .*Unknown option '--max-instance'/),
      expect.stringMatching(/^stale\.md:11: `npm run synth` is not a kig invocation/),
    ]);
  });

  test('a skip marker without a specific reason, and a fence without a language, are convention errors', () => {
    expect(stale.problems).toEqual([
      expect.stringMatching(/^stale\.md:14: a skip marker needs a specific reason/),
      expect.stringMatching(/^stale\.md:18: a fence without a language/),
    ]);
  });

  test('a JSON block that does not parse fails', () => {
    expect(checkJsonBlocks(stale.blocks.filter((b) => b.kind === 'json'))).toEqual([expect.stringMatching(/^stale\.md:25: not valid JSON/)]);
  });
});
