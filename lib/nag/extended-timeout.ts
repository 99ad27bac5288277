import { CfnResource } from 'aws-cdk-lib';
import { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import { InferenceGuardError } from '../core/errors';
import { EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY } from './rules';

/**
 * Records on a REST API that its integration timeout was deliberately raised above 29 s (after a
 * quota increase), so `InferenceGuard-APIIntegrationTimeout` accepts timeouts up to 300 s on it.
 * Only REGIONAL and PRIVATE APIs can be extended; the rule still refuses it on edge-optimized APIs.
 *
 * @param api the REST API (its CfnRestApi gets the metadata entry)
 * @param reason why, e.g. the quota request id; it is written into the template for reviewers
 */
export function recordExtendedIntegrationTimeout(api: IRestApi, reason: string): void {
  const cfn = api.node.defaultChild;
  if (!CfnResource.isCfnResource(cfn)) {
    throw new InferenceGuardError('EXTENDED_TIMEOUT', api.node.path, [{
      prop: 'api', value: api.node.path, allowed: 'a REST API defined in this app (imported APIs have no template resource)', fix: 'record the extension in the stack that defines the API',
    }]);
  }
  if (reason.trim().length === 0) {
    throw new InferenceGuardError('EXTENDED_TIMEOUT', api.node.path, [{
      prop: 'reason', value: JSON.stringify(reason), allowed: 'a non-empty reason (the quota request id or why the timeout was raised)', fix: 'pass the reason reviewers should see',
    }]);
  }
  cfn.addMetadata(EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY, reason);
}
