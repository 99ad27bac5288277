// Jest's global setup for `npm run test:unit` (jest.unit.config.js): the full suite's setup
// (global-setup.js) without the shared cfn-lint process, since no unit test lints a template.
module.exports = () => require('./global-setup').setup({ cfnLint: false });
