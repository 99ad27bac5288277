// Lets child processes (test servers, the kig binary smoke test) run the TypeScript sources
// directly: each .ts file is transpiled with esbuild when required. Type checking stays with tsc.
const fs = require('fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline', sourcefile: filename,
  });
  module._compile(code, filename);
};
