import * as fs from 'fs';
import * as path from 'path';
import { parseDiagnostics, typeCheck } from '../support/typecheck';

const ROOT = path.join(__dirname, '..', '..');

describe('typeCheck (TypeScript 7 on sources the tests generate)', () => {
  test('an error is reported at its file, line and column, with its chain of reasons; the folder is removed', () => {
    const diagnostics = typeCheck(new Map([
      ['ok.ts', 'export const n: number = 1;\n'],
      ['bad.ts', "import { n } from './ok';\nexport const s: string = n;\nexport const o: { a: { b: string } } = { a: { b: 1 } };\n"],
    ]));
    expect(diagnostics.map((d) => [path.basename(d.file), d.line, d.column, d.code])).toEqual([
      ['bad.ts', 2, 14, 'TS2322'],
      ['bad.ts', 3, 47, 'TS2322'],
    ]);
    expect(diagnostics[0].message).toBe("Type 'number' is not assignable to type 'string'.");
    expect(fs.readdirSync(path.join(ROOT, '.typecheck')).filter((f) => f.startsWith('run-'))).toEqual([]);
  });

  test('relative imports resolve from the depth asked for: ../../ is the repository from depth 2', () => {
    const source = "import { name } from '../../package.json';\nexport const n: number = name;\n";
    const [d, ...rest] = typeCheck(new Map([['uses-lib.ts', source]]));
    expect(rest).toEqual([]);
    expect([d.line, d.code, d.message]).toEqual([2, 'TS2322', "Type 'string' is not assignable to type 'number'."]);
    // From depth 3 the same import names a folder that does not exist.
    expect(typeCheck(new Map([['uses-lib.ts', source]]), { depth: 3 }).map((x) => x.code)).toContain('TS2307');
  });

  test('the project\'s options apply (strict, no unused locals), and a block may turn one off', () => {
    const source = 'function f(x) { const unused = 1; return x; }\nexport { f };\n';
    expect(typeCheck(new Map([['a.ts', source]])).map((d) => d.code).sort()).toEqual(['TS6133', 'TS7006']);
    expect(typeCheck(new Map([['a.ts', source]]), { compilerOptions: { noUnusedLocals: false } }).map((d) => d.code)).toEqual(['TS7006']);
  });

  test('a configuration the compiler refuses is a diagnostic, not a clean check', () => {
    const [d, ...rest] = typeCheck(new Map([['a.ts', 'export {};\n']]), { compilerOptions: { target: 'no-such-target' } });
    expect(rest).toEqual([]);
    expect([path.basename(d.file), d.code]).toEqual(['tsconfig.json', 'TS6046']);
    expect(() => typeCheck(new Map(), { depth: 1 })).toThrow(/depth 1 is not an integer of 2 or more/);
  });
});

test('parseDiagnostics reads located errors, their indented chains and global errors', () => {
  const out = [
    "src/a.ts(3,7): error TS2322: Type 'A' is not assignable to type 'B'.",
    "  Property 'x' is missing in type 'A' but required in type 'B'.",
    'error TS5023: Unknown compiler option \'nope\'.',
    'Found 2 errors.',
  ].join('\n');
  expect(parseDiagnostics(out, '/w')).toEqual([
    { file: '/w/src/a.ts', line: 3, column: 7, code: 'TS2322', message: "Type 'A' is not assignable to type 'B'.\nProperty 'x' is missing in type 'A' but required in type 'B'." },
    { file: '/w/tsconfig.json', line: 1, column: 1, code: 'TS5023', message: "Unknown compiler option 'nope'." },
  ]);
});
