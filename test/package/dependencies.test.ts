import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * A user who only composes constructs does not download the CLI's load generator or the
 * SageMaker SDKs: they are optional peer dependencies, loaded only by the commands that need them.
 */
const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(path.join(ROOT, 'package.json'));
const CLI_ONLY = ['autocannon', '@aws-sdk/client-sagemaker', '@aws-sdk/client-sagemaker-runtime'];

test('CLI-only packages are optional peer dependencies, not dependencies', () => {
  for (const name of CLI_ONLY) {
    expect([name, pkg.dependencies?.[name]]).toEqual([name, undefined]);
    expect([name, pkg.peerDependenciesMeta?.[name]?.optional]).toEqual([name, true]);
  }
});

test('no runtime dependencies: the libraries the constructs run ship as one bundle (assets/vendor), not as bundled packages', () => {
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.bundledDependencies ?? pkg.bundleDependencies).toBeUndefined();
  expect(pkg.files).toContain('assets');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vendor = require(path.join(ROOT, 'assets', 'vendor', 'third-party.js'));
  expect(Object.keys(vendor).sort()).toEqual(['jsfive', 'jsonc', 'protobuf', 'tar', 'unzipSync', 'yaml']);
});

test('the package ships its licence', () => {
  expect(pkg.license).toBe('Apache-2.0');
  expect(pkg.files).toContain('LICENSE');
});

/** Runs `script` in a Node process where the CLI-only packages cannot be resolved. */
function withoutCliPackages(script: string): string {
  const block = `const M = require('module'); const orig = M._resolveFilename;
M._resolveFilename = function (req, ...rest) {
  if (${JSON.stringify(CLI_ONLY)}.some((n) => req === n || req.startsWith(n + '/'))) { const e = new Error("Cannot find module '" + req + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
  return orig.call(this, req, ...rest);
};`;
  return execFileSync(process.execPath, ['-r', path.join(ROOT, 'test', 'support', 'ts-register.js'), '-e', `${block}\n${script}`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

test('constructs synthesize without the CLI-only packages; the CLI names the package it needs', () => {
  const out = withoutCliPackages(`
const { App } = require('aws-cdk-lib');
const { buildApp } = require('./examples/sagemaker-realtime-gpu/app.ts');
const assembly = buildApp(new App({ outdir: require('fs').mkdtempSync(require('os').tmpdir() + '/kig-deps-') })).synth();
console.log('stacks', assembly.stacks.length);
const { requireOptional } = require('./lib/core/optional-dependency.ts');
try { requireOptional('autocannon', 'kig profile'); } catch (e) { console.log(e.message); }
`);
  expect(out).toContain('stacks 1');
  expect(out).toMatch(/package = autocannon: allowed installed: kig profile needs it .* Fix: npm install autocannon/);
}, 150_000);
