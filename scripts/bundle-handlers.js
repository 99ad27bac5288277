#!/usr/bin/env node
// Bundles each Lambda handler (handlers/<name>/index.ts) with esbuild into
// assets/handlers/<name>/index.js; the request schema's code generator (ajv standalone mode,
// handlers/shared/schema.ts) into assets/codegen/request-schema.js, which the library runs at synth
// to write the admission function's validator; and the third-party libraries the library runs
// (scripts/third-party.ts) into assets/vendor/third-party.js. Runs at library build time, so users of the library
// need neither esbuild nor Docker when they synthesize. The AWS SDK v3 is bundled too (pinned by our
// lockfile) rather than taken from the Lambda runtime, so behaviour does not drift.
//
// Prints what each bundle is made of (esbuild's metafile, summed per package), so a dependency that
// grows is visible at build time. `--quiet`: one line per bundle.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'handlers');
const out = path.join(root, 'assets');
const quiet = process.argv.includes('--quiet');
/** Packages listed per bundle in the analysis. */
const TOP = 8;

/**
 * The AWS SDK's clients read only `version` of their package.json (for the user agent); a
 * bundle would otherwise carry each whole manifest (scripts, dependency lists, ...).
 */
const manifestFields = {
  name: 'package-manifest-fields',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/][^\\/]+[\\/]package\.json$/ }, (args) => {
      const { version } = JSON.parse(fs.readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * @smithy/core's HttpProtocol loads the event-stream serde with a dynamic `import()`, which only
 * saves anything when that module is a separate file. In one bundle it is there anyway (every S3
 * and SageMaker runtime client imports it statically), and a dynamic import makes esbuild wrap it
 * and everything it reaches in lazy initializers: about 430 init calls and 6 KB per bundle, run at
 * every cold start. Made static here; if an SDK update changes the line, the build says so.
 */
const LAZY_EVENT_STREAMS = 'await import("@smithy/core/event-streams")';
const staticEventStreams = {
  name: 'static-event-streams',
  setup(build) {
    build.onLoad({ filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]protocols[\\/]HttpProtocol\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes(LAZY_EVENT_STREAMS)) {
        return { contents: text, loader: 'js', warnings: [{ text: `${LAZY_EVENT_STREAMS} not found: the bundles keep esbuild's lazy wrappers` }] };
      }
      const contents = `import * as staticEventStreams from "@smithy/core/event-streams";\n${text.split(LAZY_EVENT_STREAMS).join('staticEventStreams')}`;
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * The AWS SDK's schemas (dist-es/schemas/schemas_0.js of each client) describe every shape and
 * operation of the service as array literals whose objects use computed keys (`{ [_h]: [...] }`,
 * with `const _h = "http"` above). A computed key could run code (a key's toString), so esbuild
 * keeps every such statement, used or not: about 66 KB of S3's schemas in a bundle that sends
 * PutObject alone, parsed and allocated at every cold start. Each computed key that names a string
 * constant of the same file is written as that string (the same object), which lets esbuild drop
 * the schemas nothing reaches. If an SDK update changes the pattern, the build says so.
 */
const SCHEMA_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const schemaLiteralKeys = {
  name: 'schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/].*[\\/]dist-es[\\/](?:.*[\\/])?schemas[\\/]schemas_\d+\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      const constants = new Map([...text.matchAll(SCHEMA_CONSTANT)].map((m) => [m[1], m[2]]));
      let rewritten = 0;
      const contents = text.replace(/\[(_\w+)\]:/g, (key, name) => (constants.has(name) ? (rewritten++, `${constants.get(name)}:`) : key));
      const warnings = rewritten === 0 ? [{ text: 'no computed key names a string constant: the schemas are bundled whole' }] : [];
      return { contents, loader: 'js', warnings };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  // CommonJS output (Lambda's `index.handler` loads index.js as CommonJS); ES module input, so
  // esbuild can drop what the handlers never reach: the SDK packages' `module` entry (dist-es) is
  // tree-shakable, their `main` (one dist-cjs file per package, every command) is not.
  format: 'cjs',
  mainFields: ['module', 'main'],
  // The SDK's ES modules load a few Node built-ins lazily with import() (node:http, node:async_hooks).
  // As require() inside a promise they load the same way in Lambda, and in any host that runs
  // CommonJS without ES module support in its module loader (jest's, without --experimental-vm-modules).
  supported: { 'dynamic-import': false },
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
  plugins: [manifestFields, staticEventStreams, schemaLiteralKeys],
};

/** The Lambda handlers, with what differs from a plain bundle. */
function handlerBuild(name) {
  return {
    ...common,
    entryPoints: [path.join(src, name, 'index.ts')],
    outfile: path.join(out, 'handlers', name, 'index.js'),
    // The admission validator is generated at synth and staged beside the bundle (lib/queue/private/admission-code.ts).
    external: ['./request-validator.js'],
    // A Lambda function's credentials are its execution role's, from the environment
    // (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or, where the runtime serves
    // them over HTTP instead, from AWS_CONTAINER_CREDENTIALS_FULL_URI: the SDK's default chain
    // minus the profile, SSO, process, web identity and instance metadata links that never apply in
    // a function (about 90 KB of every bundle). See handlers/shared/lambda-credentials.ts.
    alias: { '@aws-sdk/credential-provider-node': './handlers/shared/lambda-credentials.ts' },
    absWorkingDir: root,
  };
}

/** Bytes of each input package in an output (or `handlers/…` for our own sources). */
function contributors(output) {
  const sums = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : file.split('/').slice(0, 2).join('/');
    sums.set(key, (sums.get(key) ?? 0) + bytesInOutput);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function report(label, result) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const parts = contributors(output);
    const rel = path.relative(root, path.join(root, file));
    if (quiet) {
      process.stdout.write(`bundled ${label}: ${rel} ${kb(output.bytes)}\n`);
      continue;
    }
    process.stdout.write(`${label.padEnd(10)} ${rel} ${kb(output.bytes)}; largest parts:\n`);
    for (const [name, bytes] of parts.slice(0, TOP)) process.stdout.write(`    ${kb(bytes).padStart(9)}  ${name}\n`);
    const rest = parts.slice(TOP).reduce((n, [, b]) => n + b, 0);
    if (rest > 0) process.stdout.write(`    ${kb(rest).padStart(9)}  ${parts.length - TOP} other packages and files\n`);
  }
}

async function main() {
  if (!fs.existsSync(src)) return;
  const names = fs.readdirSync(src).filter((n) => fs.existsSync(path.join(src, n, 'index.ts')));
  const builds = names.map((name) => [name, handlerBuild(name)]);
  // Runs at synth inside the library (never in a function): ajv with its standalone code generator.
  builds.push(['codegen', { ...common, entryPoints: [path.join(src, 'shared', 'schema.ts')], outfile: path.join(out, 'codegen', 'request-schema.js') }]);
  // The third-party libraries the library itself runs (lib/core/third-party.ts), shipped as
  // this one file rather than as bundled dependencies. Node 20 is the oldest supported (engines).
  builds.push(['vendor', {
    ...common, target: 'node20', entryPoints: [path.join(root, 'scripts', 'third-party.ts')], outfile: path.join(out, 'vendor', 'third-party.js'),
  }]);
  const results = await Promise.all(builds.map(([, options]) => esbuild.build(options)));
  builds.forEach(([label], i) => report(label, results[i]));
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
