import * as path from 'path';
import * as ts from 'typescript';

/**
 * The compiled library ships without inline source maps (which carried the TypeScript sources
 * inside every file of dist/lib): neither the tsc build nor the jsii build turns them on. What
 * `npm pack` would ship is checked after the build (test/python/test_package.py).
 */
const ROOT = path.join(__dirname, '..', '..');

test.each(['tsconfig.json', 'tsconfig.jsii.json'])('%s emits no source map, inline or not', (file) => {
  const config = ts.readConfigFile(path.join(ROOT, file), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
  expect({ inlineSourceMap: options.inlineSourceMap ?? false, inlineSources: options.inlineSources ?? false, sourceMap: options.sourceMap ?? false })
    .toEqual({ inlineSourceMap: false, inlineSources: false, sourceMap: false });
});
