// Runs once before the suite, in the jest process; the test workers and the processes they
// start inherit its environment.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

module.exports = async () => {
  // The AWS SDK v3 warns once per process that its releases after January 2027 need Node 22.
  // Node 20 is a supported version of this project (package.json "engines"), so the notice is
  // expected, and with one per test worker and per child process it buried the test output.
  // The SDK's own switch: AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
  // (@aws-sdk/core, src/submodules/client/emitWarningIfUnsupportedVersion.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  // Builds the Lambda handler bundles as `npm run build` does, so asset paths used by
  // constructs exist when tests synthesize stacks.
  const script = path.join(__dirname, '..', '..', 'scripts', 'bundle-handlers.js');
  if (fs.existsSync(script)) execFileSync(process.execPath, [script], { stdio: 'inherit' });
};
