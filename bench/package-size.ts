/**
 * Package size: the npm package as `npm pack` would build it (packed and unpacked, largest parts)
 * and the Python wheel built by `npm run build` (dist/python), which embeds the npm package.
 *
 * Run: `npm run build && node dist/bench/package-size.js` (also run by `npm run bench`, which builds
 * the library but not the jsii assembly and the wheel: without them, it says what is missing).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

interface PackResult {
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number }>;
}

function root(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

function main(): void {
  const dir = root();
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pack] = JSON.parse(out) as PackResult[];
  process.stdout.write(`npm package: ${mb(pack.size)} packed, ${mb(pack.unpackedSize)} unpacked, ${pack.entryCount} files\n`);
  const parts = new Map<string, number>();
  for (const f of pack.files) {
    const key = f.path.split('/').slice(0, 2).join('/');
    parts.set(key, (parts.get(key) ?? 0) + f.size);
  }
  for (const [name, bytes] of [...parts].sort((a, b) => b[1] - a[1]).slice(0, 8)) process.stdout.write(`  ${kb(bytes).padStart(8)}  ${name}\n`);
  if (!fs.existsSync(path.join(dir, '.jsii'))) process.stdout.write('  (without the jsii assembly .jsii: `npm run build` writes it)\n');

  const pyDir = path.join(dir, 'dist', 'python');
  const wheels = fs.existsSync(pyDir) ? fs.readdirSync(pyDir).filter((f) => f.endsWith('.whl')) : [];
  if (wheels.length === 0) {
    process.stdout.write('Python wheel: not built (`npm run build` builds it into dist/python)\n');
    return;
  }
  for (const w of wheels) process.stdout.write(`Python wheel: ${w} ${mb(fs.statSync(path.join(pyDir, w)).size)}\n`);
}

main();
