import * as path from 'path';
import * as ts from 'typescript';
import { runKig } from '../support/cli';
import { DocBlock, kigCommands } from './doc-blocks';
import { TS_PRELUDES, importsPrelude } from './preludes';

const ROOT = path.join(__dirname, '..', '..');
const VIRTUAL_DIR = path.join(ROOT, '__doc_blocks__');

/** The project's compiler options, for snippets: the package name resolves to the sources, unused names are allowed. */
function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    types: ['node'],
    baseUrl: ROOT,
    paths: { 'keras-inference-guard': ['lib/index.ts'] },
  };
}

/** A block as a TypeScript module: its preludes, then its code, then `export {}` (its own scope). */
function blockSource(block: DocBlock, publicNames: readonly string[]): { text: string; headerLines: number } | { unknown: string } {
  const header: string[] = [];
  for (const name of block.preludes) {
    if (!(name in TS_PRELUDES)) return { unknown: name };
    header.push(name === 'imports' ? importsPrelude(publicNames) : TS_PRELUDES[name]);
  }
  const head = header.join('\n');
  const headerLines = head ? head.split('\n').length : 0;
  return { text: `${head}${head ? '\n' : ''}${block.code}\nexport {};\n`, headerLines };
}

/**
 * Type-checks every ```ts block in one program against the package's sources. Returns the
 * problems as `file:line: message`, each at its line in the Markdown file.
 */
export function checkTypeScriptBlocks(blocks: readonly DocBlock[]): string[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const virtual = new Map<string, string>();
  const read = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => virtual.has(f) || exists(f);
  host.readFile = (f) => virtual.get(f) ?? read(f);
  host.getSourceFile = (f, lang, onError, create) => (virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, lang, true) : getSourceFile(f, lang, onError, create));

  // First the package alone, for its public names (the `imports` prelude); the second program reuses it.
  const index = path.join(ROOT, 'lib', 'index.ts');
  const base = ts.createProgram([index], options, host);
  const checker = base.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(base.getSourceFile(index)!)!;
  const publicNames = checker.getExportsOfModule(moduleSymbol).map((s) => s.name).filter((n) => n !== 'default').sort();

  const problems: string[] = [];
  const placed = new Map<string, { block: DocBlock; headerLines: number }>();
  blocks.forEach((block, i) => {
    const source = blockSource(block, publicNames);
    if ('unknown' in source) {
      problems.push(`${block.file}:${block.line - 1}: unknown TypeScript prelude ${JSON.stringify(source.unknown)} (known: ${Object.keys(TS_PRELUDES).join(', ')})`);
      return;
    }
    const file = path.join(VIRTUAL_DIR, `block-${i}.ts`);
    virtual.set(file, source.text);
    placed.set(file, { block, headerLines: source.headerLines });
  });
  const program = ts.createProgram([...placed.keys()], options, host, base);
  for (const [file, { block, headerLines }] of placed) {
    const sf = program.getSourceFile(file)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const lineInFile = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start).line : 0;
      const mdLine = block.line + 1 + Math.max(0, lineInFile - headerLines);
      problems.push(`${block.file}:${mdLine}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
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
