import * as path from 'path';
import { aws_lambda as lambda } from 'aws-cdk-lib';
import { builtAsset } from '../core/package-assets';

/**
 * Code of a bundled handler (`assets/handlers/<name>/index.js`, built by `npm run build`), so
 * synthesis needs neither esbuild nor Docker.
 */
export function handlerCode(name: 'admission' | 'worker' | 'status' | 'reconciler'): lambda.Code {
  return lambda.Code.fromAsset(path.dirname(builtAsset(`handlers/${name}/index.js`)));
}
