#!/usr/bin/env node
// Bundles each Lambda handler (handlers/<name>/index.ts) with esbuild into
// assets/handlers/<name>/index.js. Runs at library build time, so users of the library need
// neither esbuild nor Docker when they synthesize. The AWS SDK v3 is bundled too (pinned by
// our lockfile) rather than taken from the Lambda runtime, so behaviour does not drift.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'handlers');
const out = path.join(root, 'assets', 'handlers');

function main() {
  if (!fs.existsSync(src)) return;
  const names = fs.readdirSync(src).filter((n) => fs.existsSync(path.join(src, n, 'index.ts')));
  for (const name of names) {
    esbuild.buildSync({
      entryPoints: [path.join(src, name, 'index.ts')],
      outfile: path.join(out, name, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
  if (names.length > 0) process.stdout.write(`bundled ${names.length} handler(s) into assets/handlers: ${names.join(', ')}\n`);
}

main();
