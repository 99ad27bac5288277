import * as fs from 'fs';
import * as path from 'path';

/**
 * The fenced code blocks of the documentation (README.md and docs/**\/*.md), and what the tests do
 * with each: this is the convention every page follows.
 *
 * - ```ts (or typescript) blocks are type-checked against the package's sources
 *   (`keras-inference-guard` resolves to lib/index.ts).
 * - ```python (or py) blocks are executed with the built Python package (test/python/test_docs.py,
 *   run by scripts/test-python.sh after the build).
 * - ```bash (or sh, shell) blocks are run when every command in them is a `kig` invocation: each is
 *   run in-process from the repository root and must not be a usage error (exit 2) or fail to reach
 *   its target (exit 3). Any other shell block must carry a skip marker.
 * - ```json blocks must parse. ```text blocks are output and are not run. A fence without a
 *   language, or with another one, is an error.
 *
 * Markers: an HTML comment on the line right before the opening fence.
 * - `<!-- doc-test: skip REASON -->`: the block is not run; REASON (at least four words) says why.
 * - `<!-- doc-test: prelude NAME [NAME …] -->`: the block assumes the named declarations
 *   (test/docs/preludes.ts for TypeScript, test/python/doc_preludes.py for Python). The `imports`
 *   prelude brings every public name of the package and of aws-cdk-lib's App, Stack, Duration and
 *   aws_apigateway (as `apigw`), for fragments that show no import line.
 */

export type BlockKind = 'ts' | 'python' | 'shell' | 'json' | 'text';

const KINDS: Record<string, BlockKind> = {
  ts: 'ts', typescript: 'ts', python: 'python', py: 'python', bash: 'shell', sh: 'shell', shell: 'shell', json: 'json', text: 'text',
};

/** Fewest words a skip reason must have: "cannot run" alone does not say why. */
export const MIN_SKIP_REASON_WORDS = 4;

export interface DocBlock {
  /** Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly kind?: BlockKind;
  readonly code: string;
  /** Set when a skip marker precedes the fence. */
  readonly skipReason?: string;
  /** Prelude names the block assumes. */
  readonly preludes: readonly string[];
}

export interface ParsedDoc {
  readonly blocks: DocBlock[];
  /** Convention violations: `file:line: what is wrong`. */
  readonly problems: string[];
}

const MARKER = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;
const OPEN = /^ {0,3}```\s*([^\s`]*)\s*$/;
const CLOSE = /^ {0,3}```\s*$/;

/** Reads the fenced blocks of one Markdown text and checks the marker convention. */
export function parseMarkdown(file: string, text: string): ParsedDoc {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (!open) {
      const stray = MARKER.exec(lines[i].trim());
      if (stray && !OPEN.test(lines[i + 1] ?? '')) problems.push(`${file}:${i + 1}: a doc-test marker must be on the line right before a fence`);
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !CLOSE.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) problems.push(`${file}:${start + 1}: unclosed fence`);
    const language = open[1].toLowerCase();
    const kind = KINDS[language];
    let skipReason: string | undefined;
    let preludes: string[] = [];
    const before = (lines[start - 1] ?? '').trim();
    const marker = MARKER.exec(before);
    if (before.startsWith('<!--') && before.includes('doc-test') && !marker) problems.push(`${file}:${start}: malformed doc-test marker ${JSON.stringify(before)}`);
    if (marker) {
      const [directive, ...rest] = marker[1].split(/\s+/);
      if (directive === 'skip') {
        skipReason = rest.join(' ');
        if (rest.length < MIN_SKIP_REASON_WORDS) problems.push(`${file}:${start}: a skip marker needs a specific reason (at least ${MIN_SKIP_REASON_WORDS} words), got ${JSON.stringify(skipReason)}`);
      } else if (directive === 'prelude') {
        preludes = rest.join(' ').split(/[\s,]+/).filter(Boolean);
        if (preludes.length === 0) problems.push(`${file}:${start}: a prelude marker names at least one prelude`);
      } else {
        problems.push(`${file}:${start}: unknown doc-test directive ${JSON.stringify(directive)} (skip or prelude)`);
      }
    }
    if (!kind && skipReason === undefined) {
      problems.push(`${file}:${start + 1}: ${language ? `unsupported block language ${JSON.stringify(language)}` : 'a fence without a language'}: use ts, python, bash, json or text (output), or mark it <!-- doc-test: skip REASON -->`);
    }
    blocks.push({ file, line: start + 1, language, kind, code: body.join('\n'), skipReason, preludes });
  }
  return { blocks, problems };
}

/** README.md and every Markdown page under docs/, relative to `root`. */
export function documentationFiles(root: string): string[] {
  const files = ['README.md'];
  const walk = (dir: string): void => {
    if (!fs.existsSync(path.join(root, dir))) return;
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) files.push(rel);
    }
  };
  walk('docs');
  return files;
}

/** Splits one shell command line into words (single and double quotes, backslash escapes). Null if it uses shell syntax beyond a simple command. */
export function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word += line.slice(i + 1, end); inWord = true; i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '$' || line[j] === '`') return null;
        if (line[j] === '\\' && j + 1 < line.length) j++;
        word += line[j];
      }
      if (j >= line.length) return null;
      inWord = true; i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i]; inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = ''; inWord = false;
    } else if (/[|&;<>()$`*?[\]{}~]/.test(c)) {
      return null;
    } else {
      word += c; inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The commands of a shell block, comments and blank lines dropped, `\` continuations joined.
 * Returns the argument vectors after `kig` when every command is a plain `kig` (or `npx kig`)
 * invocation, or the first command that is not.
 */
export function kigCommands(code: string): { commands: string[][] } | { notKig: string } {
  const joined = code.replace(/\\\n/g, ' ').split('\n');
  const commands: string[][] = [];
  for (const raw of joined) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const words = shellWords(line.replace(/^\$\s+/, ''));
    const argv = words?.[0] === 'npx' ? words.slice(1) : words;
    if (!argv || argv[0] !== 'kig') return { notKig: line };
    commands.push(argv.slice(1));
  }
  return { commands };
}
