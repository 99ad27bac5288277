import type { unzipSync } from 'fflate';
import type * as Jsonc from 'jsonc-parser';
import type * as Protobuf from 'protobufjs';
import type * as Tar from 'tar';
import type * as Yaml from 'yaml';
import { builtAsset } from './package-assets';

/**
 * The third-party libraries the library runs (model files, model archives, template parsing),
 * bundled at build time into one minified file (scripts/third-party.ts, built by
 * scripts/bundle-handlers.js into assets/vendor/third-party.js) instead of shipping each package
 * whole in the npm package: about 400 KB in place of 13 MB of bundled dependencies (browser
 * builds, ES module and CommonJS copies, sources). Type declarations come from the packages
 * themselves, which are development dependencies.
 */
export interface ThirdParty {
  readonly protobuf: typeof Protobuf;
  readonly tar: typeof Tar;
  readonly yaml: typeof Yaml;
  readonly jsonc: typeof Jsonc;
  readonly unzipSync: typeof unzipSync;
  /** jsfive ships no type declarations; lib/model/model-file.ts declares the part it uses. */
  readonly jsfive: unknown;
}

let loaded: ThirdParty | undefined;

/** The bundled libraries, loaded at first use. */
export function thirdParty(): ThirdParty {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(builtAsset('vendor/third-party.js')) as ThirdParty;
  return loaded;
}
