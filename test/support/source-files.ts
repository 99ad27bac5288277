import * as fs from 'fs';
import * as path from 'path';

/** The repository root, whether this runs from the sources (jest) or compiled into dist/ (benchmarks). */
export const REPO_ROOT = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]
  .find((d) => fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'test', 'support')))!;

/**
 * A file that is not TypeScript (a Python script, a fixture) beside a test support module. The
 * build compiles the support modules into dist/test/… for the benchmarks but copies no other
 * file, so a compiled module finds it at the same place in the sources.
 */
export function supportFile(moduleDir: string, name: string): string {
  const beside = path.join(moduleDir, name);
  if (fs.existsSync(beside)) return beside;
  const inSources = path.join(REPO_ROOT, path.relative(path.join(REPO_ROOT, 'dist'), moduleDir), name);
  if (fs.existsSync(inSources)) return inSources;
  throw new Error(`${name} is neither beside ${moduleDir} nor in the sources (${inSources})`);
}

/** The test environment's Python (`.venv`, where moto_server and cfn-lint are), else `python3` on PATH. */
export function testPython(): string {
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'python3');
  return fs.existsSync(venv) ? venv : 'python3';
}
