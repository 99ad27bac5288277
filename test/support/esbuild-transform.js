// jest's transform for the TypeScript sources: esbuild (the bundler the handlers are built with)
// transpiles each file on its own, as tsconfig.json's `isolatedModules` allows; type checking stays
// with the build's tsc. It replaces ts-jest, which builds a TypeScript program in every jest worker:
// on a cold cache (a fresh clone) the same nine test files took 27.5 s of CPU with ts-jest and 16.0 s
// with esbuild.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

// The options that change emitted code (class fields, the target), from the project's tsconfig.
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tsconfig.json'), 'utf8'));
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'external',
  sourcesContent: false,
  // import() becomes require(), as tsc's CommonJS output does: jest's module registry runs the
  // tests without Node's ESM loader (a native import() would need --experimental-vm-modules).
  supported: { 'dynamic-import': false },
  tsconfigRaw: { compilerOptions: { target: compilerOptions.target, useDefineForClassFields: compilerOptions.useDefineForClassFields } },
};
const KEY = crypto.createHash('sha1').update(esbuild.version).update(JSON.stringify(OPTIONS)).digest('hex');

module.exports = {
  getCacheKey(source, file) {
    return crypto.createHash('sha1').update(KEY).update(file).update('\0').update(source).digest('hex');
  },
  process(source, file) {
    const { code, map } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: file });
    return { code, map };
  },
};
