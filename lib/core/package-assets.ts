import * as fs from 'fs';
import * as path from 'path';

const PACKAGE_NAME = 'keras-inference-guard';

/**
 * The package root, found by walking up from this file until the library's package.json: the
 * same code runs from `lib/core` (tests) and `dist/lib/core` (the published build).
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${__dirname}`);
    dir = parent;
  }
}

/**
 * A file built by `npm run build` (scripts/bundle-handlers.js) under `assets/`, e.g.
 * `handlers/worker/index.js` or `vendor/third-party.js`; throws with the command to run when it is missing.
 */
export function builtAsset(relative: string): string {
  const file = path.join(packageRoot(), 'assets', relative);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (scripts/bundle-handlers.js)`);
  return file;
}

