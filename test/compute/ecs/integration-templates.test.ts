import { Duration, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlbVpcLinkIntegration } from '../../../lib';
import { privateIntegrationBackendPath } from '../../../lib/compute/private/aws-constraints';
import { errorOf } from '../../support/errors';
import { newStack } from './fixtures';

/**
 * The private integration has the shape AWS documents for a VPC link v2 to a load balancer:
 * HTTP_PROXY, connection type VPC_LINK, the load balancer ARN as IntegrationTarget, and the path
 * overridden through parameter mapping so the stage name stays out of it.
 */
test('HTTP proxy integration through the VPC link v2 with the ALB as target', () => {
  const stack = newStack();
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const lb = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/x/1';
  const integration = new AlbVpcLinkIntegration({
    vpcLink: apigw.VpcLink.fromVpcLinkId(stack, 'Link', 'abc123'),
    loadBalancerArn: lb,
    uri: 'http://internal-x.eu-west-1.elb.amazonaws.com:80/v1/models/m:predict',
    timeout: Duration.seconds(6),
  });
  api.root.addResource('predict').addMethod('POST', integration, { methodResponses: integration.methodResponses });
  Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
    Integration: {
      Type: 'HTTP_PROXY', ConnectionType: 'VPC_LINK', ConnectionId: 'abc123', IntegrationHttpMethod: 'POST',
      IntegrationTarget: lb, TimeoutInMillis: 6000,
      Uri: 'http://internal-x.eu-west-1.elb.amazonaws.com:80/{kigPathRoot}/models/m:predict',
      RequestParameters: { 'integration.request.path.kigPathRoot': "'v1'" },
      IntegrationResponses: Match.absent(), RequestTemplates: Match.absent(),
    },
  });
  const [method] = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method'));
  expect(privateIntegrationBackendPath(method.Properties.Integration, 'prod')).toBe('/v1/models/m:predict');
});

test('a URI whose first path segment cannot be a static override is refused with the prop named', () => {
  const stack = newStack();
  for (const uri of ['http://internal-x:80', 'http://internal-x:80/', 'http://internal-x:80/a b/c']) {
    const e = errorOf(() => new AlbVpcLinkIntegration({ vpcLink: apigw.VpcLink.fromVpcLinkId(stack, `L${uri.length}`, 'abc'), loadBalancerArn: 'arn', uri, timeout: Duration.seconds(6) }));
    expect(e.problems[0].prop).toBe('uri');
    expect(e.problems[0].value).toBe(JSON.stringify(uri));
  }
});
