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

  // Some environments set PYTHONDONTWRITEBYTECODE=1: every Python process the tests start (moto_server
  // in many files, TF Serving peers, cfn-lint) then compiles its imports from source, seconds of CPU
  // each. scripts/test.sh unsets it too; here it is also unset for `npm run test:unit` and a bare `npx jest`.
  delete process.env.PYTHONDONTWRITEBYTECODE;
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
 * It also holds the run's temporary directory: TMPDIR points into it, so what the tests and the
 * processes they start write to `os.tmpdir()` goes there (each `Template.fromStack` and `app.synth()`
 * of an App without an outdir synthesizes into a new `cdk.out*` directory there, and the CLI tests
 * write their profiles and reports to `kig-*` ones; none of them removes it). global-teardown.js
 * removes the whole directory, so a run leaves nothing in the machine's temporary directory.
 */
function runDirectory() {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kig-test-run-'));
  process.env.KIG_TEST_RUN_DIR = dir;
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp);
  process.env.TMPDIR = tmp;
}

/**
 * Starts the run's shared cfn-lint process (test/support/cfn-lint-server.py) and tells the test
 * workers where it listens (KIG_CFN_LINT_URL, read by test/support/cfn-lint.ts). Every `cfn-lint`
 * command pays about 3.5 s of CPU for Python's start and cfn-lint's imports before it reads a
 * template; the suite lints templates in many files, so the run pays it once. The process prints
 * its port as soon as it listens, before that import: the workers start without waiting for it,
 * and a request sent meanwhile waits in its backlog. Where the test environment has no cfn-lint,
 * nothing is started and the tests run the `cfn-lint` command, which reports how to install it.
 * globalThis carries the process to global-teardown.js (jest shares globals between the two).
 */
function startCfnLintServer() {
  const venv = path.join(__dirname, '..', '..', '.venv', 'bin');
  if (!fs.existsSync(path.join(venv, 'cfn-lint'))) return Promise.resolve();
  return new Promise((resolve, reject) => {
    // stdin stays open as a pipe: the server exits when it closes, so a jest process that is
    // killed does not leave it behind.
    const child = spawn(path.join(venv, 'python3'), [path.join(__dirname, 'cfn-lint-server.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let listening = false;
    child.stderr.on('data', (d) => { err = (err + d.toString()).slice(-4000); });
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (\d+)/.exec(out);
      if (!m || listening) return;
      listening = true;
      process.env.KIG_CFN_LINT_URL = `http://127.0.0.1:${m[1]}`;
      globalThis.__kigCfnLintServer = child;
      // From here on the process must not keep jest alive: the teardown stops it.
      for (const h of [child, child.stdin, child.stdout, child.stderr]) h.unref?.();
      resolve();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!listening) reject(new Error(`the shared cfn-lint process ended (${code ?? signal}) before it listened:\n${err}`));
      else if (!globalThis.__kigCfnLintStopping) process.stderr.write(`global setup: the shared cfn-lint process ended (${code ?? signal}) before the run did:\n${err}\n`);
    });
  });
}

/** The setup of every jest run; `cfnLint: false` (npm run test:unit: no test of it lints a template) starts no cfn-lint process. */
async function setup({ cfnLint }) {
  setTestEnvironment();
  // First: the processes started below take their temporary directory from it.
  runDirectory();
  if (cfnLint) await startCfnLintServer();
  // scripts/test.sh (npm test) has just built them: KIG_HANDLER_BUNDLES_BUILT.
  if (process.env.KIG_HANDLER_BUNDLES_BUILT !== '1') bundleHandlers();
}

module.exports = () => setup({ cfnLint: true });
module.exports.setup = setup;
module.exports.setTestEnvironment = setTestEnvironment;
module.exports.bundleHandlers = bundleHandlers;
