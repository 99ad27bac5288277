// The entry of assets/vendor/third-party.js (scripts/bundle-handlers.js): the third-party libraries
// the library runs, in one minified bundle; lib/core/third-party.ts loads it and declares its type.
import Long from 'long';
import * as protobuf from 'protobufjs';

// protobufjs looks for `long` with a runtime require it hides from bundlers; given here, int64
// fields decode exactly as with the installed package. `long` is protobufjs's own dependency.
protobuf.util.Long = Long;
protobuf.configure();

export { protobuf };
export { unzipSync } from 'fflate';
// @ts-expect-error jsfive ships no type declarations (lib/model/model-file.ts declares the part it uses)
export * as jsfive from 'jsfive';
export * as jsonc from 'jsonc-parser';
export * as tar from 'tar';
export * as yaml from 'yaml';
