import * as fs from 'fs';
import * as path from 'path';
import { aws_lambda as lambda } from 'aws-cdk-lib';

const PACKAGE_NAME = 'keras-inference-guard';

/**
 * The package root, found by walking up from this file until the library's package.json: the
 * same code runs from `lib/queue` (tests) and `dist/lib/queue` (the published build).
 */
function packageRoot(): string {
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
 * Code of a bundled handler (`assets/handlers/<name>/index.js`, built by `npm run build`), so
 * synthesis needs neither esbuild nor Docker.
 */
export function handlerCode(name: 'admission' | 'worker' | 'status'): lambda.Code {
  const dir = path.join(packageRoot(), 'assets', 'handlers', name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`handler bundle ${dir}/index.js is missing: run \`npm run build\` (scripts/bundle-handlers.js)`);
  }
  return lambda.Code.fromAsset(dir);
}
