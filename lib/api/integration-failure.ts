import { aws_apigateway as apigw } from 'aws-cdk-lib';

/** Construct id of the gateway response under the REST API. */
const ID = 'IntegrationFailure';

/** Seconds a caller waits before retrying an integration the backend could not take. */
export const INTEGRATION_FAILURE_RETRY_AFTER_SECONDS = 1;

/**
 * A Lambda integration whose function is throttled (reserved concurrency reached, or the account's
 * concurrency used up) fails before any function code runs: Lambda's Invoke answers 429
 * TooManyRequestsException (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors),
 * and API Gateway turns it into a 500 "Internal server error"
 * (https://repost.aws/knowledge-center/api-gateway-internal-server-error, "Throttling occurs"), with
 * a proxy integration as with a non-proxy one: there is no function result for an integration
 * response to select, so no selection pattern can map it. API Gateway reports it through the
 * INTEGRATION_FAILURE gateway response, "the gateway response for an integration failed error"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html;
 * its default status is 504 and, unset, it falls back to DEFAULT_5XX). That a Lambda 429 is reported
 * as INTEGRATION_FAILURE is an API Gateway team answer on AWS's forum (quoted at
 * https://stackoverflow.com/questions/36363280), not a sentence of the developer guide; should it
 * arrive as another 5xx type, the DEFAULT_5XX response still gives JSON and Retry-After. Customizing that response is
 * the one place the status can change: 503 with Retry-After and a JSON body, so a flood that
 * exhausts Lambda concurrency reads as "retry later" instead of a server fault.
 *
 * Added once per REST API (idempotent): the guarded API adds it, and so does a job queue attached
 * to any other REST API.
 */
export function addIntegrationFailureResponse(api: apigw.RestApiBase): void {
  if (api.node.tryFindChild(ID)) return;
  api.addGatewayResponse(ID, {
    type: apigw.ResponseType.INTEGRATION_FAILURE,
    statusCode: '503',
    responseHeaders: { 'Retry-After': `'${INTEGRATION_FAILURE_RETRY_AFTER_SECONDS}'` },
    templates: {
      'application/json': '{"error": "ServiceUnavailable", "message": "The service could not take the request now (its functions are at their concurrency limit, or the integration failed). Retry after the number of seconds in Retry-After.", "requestId": "$context.requestId"}',
    },
  });
}
