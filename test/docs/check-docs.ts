import * as path from 'path';
import * as ts from 'typescript';
import { runKig } from '../support/cli';
import { typeCheck } from '../support/typecheck';
import { DocBlock, kigCommands } from './doc-blocks';
import { TS_PRELUDES, importsPrelude } from './preludes';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The package's public names: every name lib/index.ts exports (its `export { ... } from` lists,
 * types included), read from its syntax. A name missing here, or one the package does not
 * export, fails the type-check of the blocks that use the `imports` prelude.
 */
export function publicNames(indexFile = path.join(ROOT, 'lib', 'index.ts')): string[] {
  const sf = ts.createSourceFile(indexFile, ts.sys.readFile(indexFile) ?? '', ts.ScriptTarget.ES2022, false);
  const names: string[] = [];
  for (const statement of sf.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) {
        throw new Error(`${indexFile}: \`${statement.getText(sf)}\` exports names this reader cannot list: export them by name`);
      }
      names.push(...statement.exportClause.elements.map((e) => e.name.text));
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      throw new Error(`${indexFile}:${sf.getLineAndCharacterOfPosition(statement.getStart(sf)).line + 1}: a declaration exported in the index itself: export it from its module by name`);
    }
  }
  return names.filter((n) => n !== 'default').sort();
}

/** A block as a TypeScript module: its preludes, then its code, then `export {}` (its own scope). */
function blockSource(block: DocBlock, names: readonly string[]): { text: string; headerLines: number } | { unknown: string } {
  const header: string[] = [];
  for (const name of block.preludes) {
    if (!(name in TS_PRELUDES)) return { unknown: name };
    header.push(name === 'imports' ? importsPrelude(names) : TS_PRELUDES[name]);
  }
  const head = header.join('\n');
  const headerLines = head ? head.split('\n').length : 0;
  return { text: `${head}${head ? '\n' : ''}${block.code}\nexport {};\n`, headerLines };
}

/**
 * Type-checks every ```ts block in one program against the package's sources (TypeScript 7, the
 * project's compiler options; test/support/typecheck.ts). The package name resolves to the
 * sources; unused names are allowed in a fragment. Returns the problems as `file:line: message`,
 * each at its line in the Markdown file; an error outside the blocks (in the package) is returned
 * at its own file and line.
 */
export function checkTypeScriptBlocks(blocks: readonly DocBlock[]): string[] {
  const names = publicNames();
  const problems: string[] = [];
  const placed = new Map<string, { block: DocBlock; headerLines: number }>();
  const sources = new Map<string, string>();
  blocks.forEach((block, i) => {
    const source = blockSource(block, names);
    if ('unknown' in source) {
      problems.push(`${block.file}:${block.line - 1}: unknown TypeScript prelude ${JSON.stringify(source.unknown)} (known: ${Object.keys(TS_PRELUDES).join(', ')})`);
      return;
    }
    const file = `block-${i}.ts`;
    sources.set(file, source.text);
    placed.set(file, { block, headerLines: source.headerLines });
  });
  if (sources.size === 0) return problems;
  const diagnostics = typeCheck(sources, {
    compilerOptions: {
      noUnusedLocals: false,
      noUnusedParameters: false,
      types: ['node'],
      paths: { 'keras-inference-guard': [path.join(ROOT, 'lib', 'index.ts')] },
    },
  });
  for (const d of diagnostics) {
    const at = placed.get(path.basename(d.file));
    if (!at || path.basename(path.dirname(path.dirname(d.file))) !== '.typecheck') {
      problems.push(`${path.relative(ROOT, d.file)}:${d.line}: ${d.message}`);
      continue;
    }
    const mdLine = at.block.line + 1 + Math.max(0, d.line - 1 - at.headerLines);
    problems.push(`${at.block.file}:${mdLine}: ${d.message}`);
  }
  return problems;
}

/**
 * Runs every shell block whose commands are all `kig` invocations, in-process from the repository
 * root: a usage error (exit 2) or an unreachable target (exit 3) is a problem. A shell block with any
 * other command must carry a skip marker.
 */
export async function runShellBlocks(blocks: readonly DocBlock[]): Promise<string[]> {
  const problems: string[] = [];
  for (const block of blocks) {
    const parsed = kigCommands(block.code);
    if ('notKig' in parsed) {
      problems.push(`${block.file}:${block.line}: \`${parsed.notKig}\` is not a kig invocation the tests can run: mark the block <!-- doc-test: skip REASON -->`);
      continue;
    }
    for (const argv of parsed.commands) {
      const r = await runKig(argv, { cwd: ROOT });
      if (r.code === 2 || r.code === 3) problems.push(`${block.file}:${block.line}: kig ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
    }
  }
  return problems;
}

/** Every ```json block must parse. */
export function checkJsonBlocks(blocks: readonly DocBlock[]): string[] {
  const problems: string[] = [];
  for (const block of blocks) {
    try {
      JSON.parse(block.code);
    } catch (e) {
      problems.push(`${block.file}:${block.line}: not valid JSON (${(e as Error).message})`);
    }
  }
  return problems;
}
