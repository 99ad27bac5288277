// Jest's global setup under mutation testing (stryker.config.mjs), which runs jest once per mutant:
// the same environment as every test run, and the handler bundles built only once per sandbox,
// since no mutated test imports them (the handler tests import the handlers' source).
const fs = require('fs');
const path = require('path');
const { setTestEnvironment, bundleHandlers } = require('./global-setup');

module.exports = async () => {
  setTestEnvironment();
  if (!fs.existsSync(path.join(__dirname, '..', '..', 'assets', 'handlers', 'admission', 'index.js'))) bundleHandlers();
};
