import {
  AspectPriority, Aspects, Duration, IAspect, Stack, aws_apigateway as apigw,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Props of `AlbVpcLinkIntegration`. */
export interface AlbVpcLinkIntegrationProps {
  /** VPC link v2 id (`AWS::ApiGatewayV2::VpcLink`). */
  readonly vpcLink: apigw.IVpcLink;
  /** The ALB the VPC link reaches (`IntegrationTarget`). */
  readonly loadBalancerArn: string;
  /** URI used for the Host header and the path: `http://<alb-dns>:<port><predictPath>`. */
  readonly uri: string;
  readonly timeout: Duration;
}

/** Sets `Integration.IntegrationTarget`, which the L2 `Method` does not render yet. */
class IntegrationTargetAspect implements IAspect {
  constructor(private readonly target: string) {}
  public visit(node: IConstruct): void {
    if (node instanceof apigw.CfnMethod) node.addPropertyOverride('Integration.IntegrationTarget', this.target);
  }
}

/**
 * A REST API private integration through a VPC link v2 straight to an internal ALB (no NLB in
 * between), in the shape AWS documents for VPC link v2: an HTTP proxy integration with the load
 * balancer as `IntegrationTarget` (API Gateway guide, "Set up a private integration",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-private-integration.html).
 *
 * A proxy integration passes the backend's status and body through: TF Serving's own errors arrive
 * as its JSON (`{"error": ...}`) with its status; failures API Gateway itself detects (timeout,
 * unreachable load balancer) get the API's JSON gateway responses. A 2xx can only come from the
 * model server.
 */
export class AlbVpcLinkIntegration extends apigw.Integration {
  /** Method responses: none are needed for a proxy integration. */
  public readonly methodResponses: apigw.MethodResponse[] = [];
  private readonly loadBalancerArn: string;

  constructor(props: AlbVpcLinkIntegrationProps) {
    super({
      type: apigw.IntegrationType.HTTP_PROXY,
      integrationHttpMethod: 'POST',
      uri: props.uri,
      options: {
        connectionType: apigw.ConnectionType.VPC_LINK,
        vpcLink: props.vpcLink,
        timeout: props.timeout,
      },
    });
    this.loadBalancerArn = props.loadBalancerArn;
  }

  public bind(method: apigw.Method): apigw.IntegrationConfig {
    Aspects.of(method).add(new IntegrationTargetAspect(this.loadBalancerArn), { priority: AspectPriority.MUTATING });
    const config = super.bind(method);
    // The target is not part of the rendered method props, so it must redeploy the stage itself.
    return { ...config, deploymentToken: JSON.stringify(Stack.of(method).resolve({ target: this.loadBalancerArn, uri: config.uri })) };
  }
}
