import { Arn, Stack, Token, aws_apigateway as apigw, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SyncTargetBindOptions, SyncTargetBinding } from '../../api/target';
import type { SyncWorkerTarget } from '../backend';
import type { InferenceProfile } from '../../profile/inference-profile';

/**
 * `POST /predict` integrated directly with SageMaker runtime InvokeEndpoint (no Lambda), with
 * SageMaker's errors mapped to 4xx/5xx and Retry-After. Real-time and serverless endpoints take
 * the same InvokeEndpoint call (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html).
 */
export function sageMakerEndpointInvokeIntegration(scope: Construct, endpointName: string, profile: InferenceProfile, options: SyncTargetBindOptions): SyncTargetBinding {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'InvokeEndpointRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Lets API Gateway call InvokeEndpoint on one endpoint',
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['sagemaker:InvokeEndpoint'],
    // Endpoint ARNs are lower-case; the endpoint name is lower-case.
    resources: [`arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:endpoint/${endpointName}`],
  }));
  const retryAfterThrottled = String(Math.max(1, Math.ceil(profile.latencyMs.p99 / 1000)));
  const retryAfterNotReady = String(Math.max(1, Math.ceil(profile.coldStartSeconds)));
  // The message is SageMaker's `Message` (or `message`), always a string, escaped for a JSON string:
  // $util.escapeJavaScript turns ' into \', which JSON does not allow, so the API Gateway mapping
  // template reference has templates turn it back with .replaceAll("\\'","'")
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
  // TF Serving's messages quote names with ' ("... of 'instances' list").
  const errorBody = (code: string) => `#set($m = "")#set($p = $input.path('$.Message'))#if("$!p" != "")#set($m = "$p")#else#set($p = $input.path('$.message'))#if("$!p" != "")#set($m = "$p")#end#end
  {"error": "${code}", "message": "$util.escapeJavaScript($m).replaceAll("\\\\'","'")", "requestId": "$context.requestId"}`;
  const integration = new apigw.AwsIntegration({
    service: 'runtime.sagemaker',
    path: `endpoints/${endpointName}/invocations`,
    integrationHttpMethod: 'POST',
    options: {
      credentialsRole: role,
      timeout: options.integrationTimeout,
      passthroughBehavior: apigw.PassthroughBehavior.NEVER,
      requestParameters: { 'integration.request.header.Content-Type': `'${options.contentType}'`, 'integration.request.header.Accept': "'application/json'" },
      requestTemplates: { [options.contentType]: '$input.body' },
      integrationResponses: [
        { statusCode: '200', responseTemplates: { 'application/json': '$input.body' } },
        {
          // ValidationError is the caller's mistake; a throttling error also arrives as 400 and is turned into 429.
          selectionPattern: '400', statusCode: '400',
          responseTemplates: { 'application/json': `#if($input.body.contains("Throttl"))#set($context.responseOverride.status = 429)#set($context.responseOverride.header.Retry-After = "${retryAfterThrottled}")#end\n${errorBody('BadRequest')}` },
        },
        { selectionPattern: '424', statusCode: '424', responseTemplates: { 'application/json': errorBody('ModelError') } },
        {
          // ModelNotReadyException: the model is still loading; retry after a cold start.
          selectionPattern: '429', statusCode: '503',
          responseParameters: { 'method.response.header.Retry-After': `'${retryAfterNotReady}'` },
          responseTemplates: { 'application/json': errorBody('ModelNotReady') },
        },
        {
          selectionPattern: '503', statusCode: '503',
          responseParameters: { 'method.response.header.Retry-After': `'${retryAfterThrottled}'` },
          responseTemplates: { 'application/json': errorBody('ServiceUnavailable') },
        },
        // Every other non-2xx status is a backend failure: never a 200.
        { selectionPattern: '(1\\d{2}|3\\d{2}|4(0[1-9]|1\\d|2[0-35-8]|[3-9]\\d)|5(0[0-24-9]|[1-9]\\d))', statusCode: '502', responseTemplates: { 'application/json': errorBody('BackendError') } },
      ],
    },
  });
  const json = { 'application/json': apigw.Model.EMPTY_MODEL };
  return {
    integration,
    methodResponses: [
      { statusCode: '200', responseModels: json },
      { statusCode: '400', responseModels: json, responseParameters: { 'method.response.header.Retry-After': false } },
      { statusCode: '424', responseModels: json },
      { statusCode: '429', responseModels: json, responseParameters: { 'method.response.header.Retry-After': true } },
      { statusCode: '503', responseModels: json, responseParameters: { 'method.response.header.Retry-After': true } },
      { statusCode: '502', responseModels: json },
    ],
  };
}

/** Grants `worker` `sagemaker:InvokeEndpoint` on one endpoint, for a synchronous queue worker. */
export function sageMakerWorkerTarget(scope: Construct, worker: iam.IGrantable, endpointName: string, backendName: string): SyncWorkerTarget {
  // IAM matches endpoint ARNs in lower case; a token is used as given.
  const name = Token.isUnresolved(endpointName) ? endpointName : endpointName.toLowerCase();
  const endpointArn = Arn.format({ service: 'sagemaker', resource: 'endpoint', resourceName: name }, Stack.of(scope));
  iam.Grant.addToPrincipal({ grantee: worker, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [endpointArn] });
  return { kind: 'sagemaker', endpointName, name: `${backendName} ${endpointName}` };
}
