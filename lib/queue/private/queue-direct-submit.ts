import { Stack, aws_apigateway as apigw, aws_iam as iam, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * `POST /jobs` straight to SQS (no admission function): the message has the shape the worker
 * reads, and only a 2xx from SQS is success. The API role that sends is created once per owner.
 */
export function directSubmitMethod(owner: Construct, queue: sqs.IQueue, jobs: apigw.Resource, auth: apigw.MethodOptions, requestModel: apigw.IModel | undefined): apigw.Method {
  let role = owner.node.tryFindChild('ApiQueueRole') as iam.Role | undefined;
  if (!role) {
    role = new iam.Role(owner, 'ApiQueueRole', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'), description: 'Lets API Gateway send job messages to the queue' });
    queue.grantSendMessages(role);
  }
  const stack = Stack.of(owner);
  const json = (o: unknown) => JSON.stringify(o);
  // The message has the shape the worker reads: {"v":1,"jobId":<request id>,"request":<body>}.
  const template = [
    '#set($q = \'"\')',
    'Action=SendMessage&MessageBody=$util.urlEncode("{${q}v${q}:1,${q}jobId${q}:${q}$context.requestId${q},${q}contentType${q}:${q}application/json${q},${q}request${q}:$input.body}")',
  ].join('\n');
  const retryAfter = { 'method.response.header.Retry-After': "'5'" };
  const integration = new apigw.AwsIntegration({
    service: 'sqs',
    path: `${stack.account}/${queue.queueName}`,
    integrationHttpMethod: 'POST',
    options: {
      credentialsRole: role,
      // A content type without a template is refused (415), never passed to SQS as is.
      passthroughBehavior: apigw.PassthroughBehavior.NEVER,
      requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
      requestTemplates: { 'application/json': template },
      integrationResponses: [
        // Only a 2xx from SQS is success: SQS errors never come back as 200.
        { selectionPattern: '2\\d{2}', statusCode: '202', responseTemplates: { 'application/json': '{"jobId":"$context.requestId","status":"QUEUED","statusUrl":"$context.path/$context.requestId"}' } },
        { selectionPattern: '400', statusCode: '400', responseTemplates: { 'application/json': json({ error: 'QueueRejected', message: 'The queue refused the message: the body is too large or not valid for the queue.' }) } },
        { selectionPattern: '(40[1-9]|4[1-9]\\d)', statusCode: '500', responseTemplates: { 'application/json': json({ error: 'QueueIntegrationError', message: 'The queue refused the request; this is a server-side configuration error.' }) } },
        { selectionPattern: '5\\d{2}', statusCode: '503', responseParameters: retryAfter, responseTemplates: { 'application/json': json({ error: 'DependencyUnavailable', message: 'SQS is unavailable; retry later.', retryAfterSeconds: 5 }) } },
        // Anything else (no status matched) is an error, not a success.
        { statusCode: '500', responseTemplates: { 'application/json': json({ error: 'QueueIntegrationError', message: 'Unexpected answer from the queue.' }) } },
      ],
    },
  });
  const errorModels = { 'application/json': apigw.Model.EMPTY_MODEL };
  return jobs.addMethod('POST', integration, {
    ...auth,
    requestModels: requestModel ? { 'application/json': requestModel } : undefined,
    methodResponses: [
      { statusCode: '202', responseModels: errorModels },
      { statusCode: '400', responseModels: errorModels },
      { statusCode: '500', responseModels: errorModels },
      { statusCode: '503', responseModels: errorModels, responseParameters: { 'method.response.header.Retry-After': true } },
    ],
  });
}
