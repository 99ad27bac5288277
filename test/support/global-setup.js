// Runs once before the suite, in the jest process; the test workers and the processes they
// start inherit its environment.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

/** The environment every test runs in. */
function setTestEnvironment() {
  // The AWS SDK v3 warns once per process that its releases after January 2027 need Node 22.
  // Node 20 is a supported version of this project (package.json "engines"), so the notice is
  // expected, and with one per test worker and per child process it buried the test output.
  // The SDK's own switch: AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
  // (@aws-sdk/core, src/submodules/client/emitWarningIfUnsupportedVersion.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  // aws-cdk-lib (2.27x) validates every synthesized template with its built-in CloudFormation
  // validator, a WebAssembly module compiled anew in every test file: about 14 s per file on a
  // busy 2-core machine, and its background compilation kept jest workers from exiting. The
  // switch is CDK_VALIDATION=false (aws-cdk-lib core/lib/private/synthesis-validation.ts,
  // defaultValidationEnabled). Unit tests turn it off; the example apps are synthesized with it
  // on, as `cdk synth` does (test/support/examples.ts), and cfn-lint checks their templates.
  process.env.CDK_VALIDATION = 'false';
}

function bundleHandlers() {
  // Builds the Lambda handler bundles, the schema code generator and the third-party bundle as
  // `npm run build` does, so the assets the constructs use exist when tests synthesize stacks.
  const script = path.join(__dirname, '..', '..', 'scripts', 'bundle-handlers.js');
  if (fs.existsSync(script)) execFileSync(process.execPath, [script, '--quiet'], { stdio: 'inherit' });
}

/**
 * A directory for this run that every test worker can share (KIG_TEST_RUN_DIR): the example apps'
 * assemblies are synthesized into it once per run (test/support/examples.ts, exampleAssemblyDir).
 * global-teardown.js removes it.
 */
function runDirectory() {
  process.env.KIG_TEST_RUN_DIR = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kig-test-run-'));
}

/**
 * Starts the run's shared cfn-lint process (test/support/cfn-lint-server.py) and tells the test
 * workers where it listens (KIG_CFN_LINT_URL, read by test/support/cfn-lint.ts). Every `cfn-lint`
 * command pays about 3.5 s of CPU for Python's start and cfn-lint's imports before it reads a
 * template; the suite lints templates in many files, so the run pays it once. Resolves when the
 * process listens. Where cfn-lint cannot be imported (no test environment), nothing is started and
 * the tests run the `cfn-lint` command, which reports how to install it.
 * globalThis carries the process to global-teardown.js (jest shares globals between the two).
 */
function startCfnLintServer() {
  const root = path.join(__dirname, '..', '..');
  const venv = path.join(root, '.venv', 'bin', 'python3');
  const python = fs.existsSync(venv) ? venv : 'python3';
  return new Promise((resolve) => {
    // stdin stays open as a pipe: the server exits when it closes, so a jest process that is
    // killed does not leave it behind.
    const child = spawn(python, [path.join(__dirname, 'cfn-lint-server.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const done = (url) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (url) {
        process.env.KIG_CFN_LINT_URL = url;
        globalThis.__kigCfnLintServer = child;
      } else {
        child.kill('SIGKILL');
        if (process.env.CI === 'true') process.stderr.write(`global setup: the shared cfn-lint process did not start; tests run the cfn-lint command\n${err}\n`);
      }
      for (const s of [child.stdout, child.stderr]) s.removeAllListeners('data').resume();
      resolve();
    };
    const timer = setTimeout(() => done(undefined), 120_000);
    child.on('error', () => done(undefined));
    child.on('exit', () => done(undefined));
    child.stderr.on('data', (d) => { err = (err + d.toString()).slice(-4000); });
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (\d+)/.exec(out);
      if (m) done(`http://127.0.0.1:${m[1]}`);
    });
    for (const h of [child, child.stdin, child.stdout, child.stderr]) h.unref?.();
  });
}

/** The setup of every jest run; `cfnLint: false` (npm run test:unit: no test of it lints a template) starts no cfn-lint process. */
async function setup({ cfnLint }) {
  setTestEnvironment();
  const server = cfnLint ? startCfnLintServer() : Promise.resolve();
  bundleHandlers();
  runDirectory();
  await server;
}

module.exports = () => setup({ cfnLint: true });
module.exports.setup = setup;
module.exports.setTestEnvironment = setTestEnvironment;
module.exports.bundleHandlers = bundleHandlers;
