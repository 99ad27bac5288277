// Builds the Lambda handler bundles once before the suite, as `npm run build` does, so
// asset paths used by constructs exist when tests synthesize stacks.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

module.exports = async () => {
  const script = path.join(__dirname, '..', '..', 'scripts', 'bundle-handlers.js');
  if (fs.existsSync(script)) execFileSync(process.execPath, [script], { stdio: 'inherit' });
};
