import {
  AspectPriority, Aspects, Duration, IAspect, Stack, aws_apigateway as apigw,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InferenceGuardError } from '../../core/errors';
import { PRIVATE_INTEGRATION_PATH_PARAMETER } from '../private/aws-constraints';

/** Props of `AlbVpcLinkIntegration`. */
export interface AlbVpcLinkIntegrationProps {
  /** VPC link v2 id (`AWS::ApiGatewayV2::VpcLink`). */
  readonly vpcLink: apigw.IVpcLink;
  /** The ALB the VPC link reaches (`IntegrationTarget`). */
  readonly loadBalancerArn: string;
  /**
   * URI used for the Host header and the path: `http://<alb-dns>:<port><predictPath>`. The path's
   * first segment must be plain (letters, digits, `.`, `_`, `~`, `-`): it becomes the static
   * override that keeps the stage name out of the path.
   */
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
 * The path that reaches the container is the URI's path, exactly. API Gateway puts the stage name
 * in front of the path it sends to a private integration (a request to stage `prod` would reach
 * TF Serving as `/prod/v1/models/<name>:predict`, a 404) unless the path is overridden through
 * parameter mapping (private integration guide, "Considerations",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/private-integration.html). So the
 * URI's first path segment is a path parameter given its value by a static mapping
 * (`integration.request.path.kigPathRoot = 'v1'`), which is that override.
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
    // The origin may hold tokens (the load balancer's DNS name); their encoded form has no '/'.
    const m = /^(https?:\/\/[^/]+)\/([A-Za-z0-9._~-]+)(\/.*)?$/.exec(props.uri);
    if (!m) {
      throw new InferenceGuardError('INTEGRATION_INVALID', 'AlbVpcLinkIntegration', [{
        prop: 'uri', value: JSON.stringify(props.uri),
        allowed: 'http(s)://<host>[:port]/<segment>[/...] whose first path segment has only letters, digits, ".", "_", "~" and "-"',
        fix: 'give the model server a predict path such as /v1/models/<name>:predict or /predict',
      }]);
    }
    super({
      type: apigw.IntegrationType.HTTP_PROXY,
      integrationHttpMethod: 'POST',
      uri: `${m[1]}/{${PRIVATE_INTEGRATION_PATH_PARAMETER}}${m[3] ?? ''}`,
      options: {
        connectionType: apigw.ConnectionType.VPC_LINK,
        vpcLink: props.vpcLink,
        timeout: props.timeout,
        // The documented override of the path: with it the stage name stays out of the backend path.
        requestParameters: { [`integration.request.path.${PRIVATE_INTEGRATION_PATH_PARAMETER}`]: `'${m[2]}'` },
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
