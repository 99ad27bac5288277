import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Type-checks TypeScript sources the tests generate (the documentation's code blocks, fixtures
 * rewritten on purpose) with TypeScript 7, the native compiler (`typescript-7`, an npm alias of
 * `typescript@7`), under the project's compiler options.
 *
 * Why not the TypeScript 5.9 API in process: a program over the package's sources loads all of
 * aws-cdk-lib's declarations, about 12 s of CPU in each test file that built one; TypeScript 7
 * checks the whole project in about a quarter of TypeScript 5.9's time, and it is the compiler of
 * the build (tsconfig.ts7.json: tsconfig.json's options with the module resolution TypeScript 7
 * has). TypeScript 5.9 stays for the tools that need its API: jsii, the mutation tests'
 * type checker.
 */
const ROOT = path.join(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript-7', 'bin', 'tsc');

/** One diagnostic, as the compiler prints it (`--pretty false`). */
export interface TypeDiagnostic {
  /** Absolute path of the file. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  /** `TS2322`. */
  readonly code: string;
  /** The message, with its chain of reasons on the following lines. */
  readonly message: string;
}

export interface TypeCheckOptions {
  /**
   * Depth of the folder the sources are written to below the repository root, so that their
   * relative imports resolve as from a file at that depth (`../../lib` from 2).
   * @default 2
   */
  readonly depth?: number;
  /** Compiler options over the project's (tsconfig.json). */
  readonly compilerOptions?: Record<string, unknown>;
}

/**
 * Writes `sources` (file name → text) to a fresh folder under the repository (so that packages
 * resolve from node_modules), type-checks them with the project's options and returns every
 * diagnostic of the program: those of the sources and of any project file they import.
 */
export function typeCheck(sources: ReadonlyMap<string, string>, options: TypeCheckOptions = {}): TypeDiagnostic[] {
  const depth = options.depth ?? 2;
  if (!Number.isInteger(depth) || depth < 2) throw new Error(`typeCheck: depth ${depth} is not an integer of 2 or more`);
  const parent = path.join(ROOT, '.typecheck', ...Array.from({ length: depth - 2 }, (_v, i) => `d${i}`));
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'run-'));
  try {
    for (const [name, text] of sources) fs.writeFileSync(path.join(dir, name), text);
    const config = {
      extends: path.join(ROOT, 'tsconfig.ts7.json'),
      compilerOptions: { noEmit: true, ...options.compilerOptions },
      files: [...sources.keys()],
      // The project's include would be inherited otherwise: the whole project.
      include: [],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
    const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const diagnostics = parseDiagnostics(r.stdout ?? '', dir);
    if (r.error || (r.status !== 0 && diagnostics.length === 0)) {
      throw new Error(`typeCheck: TypeScript 7 (${TSC}) exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''} without diagnostics:\n${r.stdout}${r.stderr}`);
    }
    return diagnostics;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `file(line,col): error TS1234: message` lines, each followed by the indented lines of its
 * message chain. A configuration error without a file (`error TS5023: ...`) is returned with the
 * folder's tsconfig.json as its file.
 */
export function parseDiagnostics(output: string, cwd: string): TypeDiagnostic[] {
  const out: { file: string; line: number; column: number; code: string; lines: string[] }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const located = /^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    const global = located ? undefined : /^error (TS\d+): (.*)$/.exec(line);
    if (located) {
      out.push({ file: path.resolve(cwd, located[1]), line: Number(located[2]), column: Number(located[3]), code: located[4], lines: [located[5]] });
    } else if (global) {
      out.push({ file: path.join(cwd, 'tsconfig.json'), line: 1, column: 1, code: global[1], lines: [global[2]] });
    } else if (/^\s+\S/.test(line) && out.length > 0) {
      out[out.length - 1].lines.push(line.trim());
    }
  }
  return out.map(({ lines, ...d }) => ({ ...d, message: lines.join('\n') }));
}
