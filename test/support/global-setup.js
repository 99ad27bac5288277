// Runs once before the suite, in the jest process; the test workers and the processes they
// start inherit its environment.
const { execFileSync } = require('child_process');
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

module.exports = async () => {
  setTestEnvironment();
  bundleHandlers();
  runDirectory();
};
module.exports.setTestEnvironment = setTestEnvironment;
module.exports.bundleHandlers = bundleHandlers;
