import {
  AspectPriority, Aspects, Duration, IAspect, Stack, aws_apigateway as apigw,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One backend status pattern and the API status it becomes. */
export interface BackendStatusMapping {
  /** Selection pattern matched against the backend's HTTP status code. */
  readonly pattern: string;
  /** API status code. */
  readonly status: string;
  /** `error` field of the JSON body. */
  readonly error: string;
  /** Whether the response carries `Retry-After`. @default false */
  readonly retryAfter?: boolean;
}

/**
 * How backend statuses become API statuses. Patterns are mutually exclusive (API Gateway does not
 * promise an order among matching patterns), and every non-2xx status has one, so a backend
 * failure can never fall through to the default 200.
 */
export const ECS_STATUS_MAPPING: readonly BackendStatusMapping[] = [
  { pattern: '400', status: '400', error: 'invalid_input' },
  { pattern: '413', status: '413', error: 'payload_too_large' },
  { pattern: '429', status: '429', error: 'throttled', retryAfter: true },
  { pattern: '503', status: '503', error: 'backend_unavailable', retryAfter: true },
  { pattern: '504', status: '504', error: 'backend_timeout' },
  // Other 4xx: the model or server refused the request for a reason that is not the caller's input
  // (unknown model, method not allowed): 424 Failed Dependency.
  { pattern: '4(0[1-9]|1[0-24-9]|2[0-8]|[3-9]\\d)', status: '424', error: 'model_error' },
  // Other 5xx, and 1xx/3xx, which the model server never sends on purpose.
  { pattern: '5(0[0-25-9]|[1-9]\\d)|[13]\\d{2}', status: '502', error: 'bad_gateway' },
];

/** Errors whose body comes from the model server (TF Serving answers `{"error": "..."}`): its message is passed on. */
const SERVER_MESSAGE_ERRORS = new Set(['invalid_input', 'payload_too_large', 'model_error']);

function errorTemplate(error: string, message: string): string {
  if (!SERVER_MESSAGE_ERRORS.has(error)) {
    // Load balancer bodies are HTML: a fixed JSON message, never the backend body.
    return `{"error":"${error}","message":"${message}","requestId":"$context.requestId"}`;
  }
  return `#set($m = $input.path('$.error'))#if("$!m" == "")#set($m = "${message}")#end
{"error":"${error}","message":"$util.escapeJavaScript($m)","requestId":"$context.requestId"}`;
}

const MESSAGES: Record<string, string> = {
  invalid_input: 'the model rejected the input; check the request against the model signature',
  payload_too_large: 'the request body is too large for the model server',
  throttled: 'the model server is at capacity; retry after the Retry-After delay',
  backend_unavailable: 'the model server is overloaded or starting; retry after the Retry-After delay',
  backend_timeout: 'the model server did not answer in time',
  model_error: 'the model server refused the request',
  bad_gateway: 'the model server failed',
};

/** Props of `AlbVpcLinkIntegration`. */
export interface AlbVpcLinkIntegrationProps {
  /** VPC link v2 id (`AWS::ApiGatewayV2::VpcLink`). */
  readonly vpcLink: apigw.IVpcLink;
  /** The ALB the VPC link reaches (`IntegrationTarget`). */
  readonly loadBalancerArn: string;
  /** URI used for the Host header and the path: `http://<alb-dns>:<port><predictPath>`. */
  readonly uri: string;
  readonly timeout: Duration;
  /** Content type of the method's JSON body. */
  readonly contentType: string;
  /** Value of the Retry-After header on 429/503 (seconds). */
  readonly retryAfterSeconds: number;
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
 * between). Non-proxy HTTP, so every backend status is mapped: 429/503 keep their code and add
 * `Retry-After`, 400/413 pass through with a JSON body, other 4xx become 424, 5xx become 502;
 * an integration timeout is answered by API Gateway itself with 504.
 */
export class AlbVpcLinkIntegration extends apigw.Integration {
  /** Method responses matching the integration responses. */
  public readonly methodResponses: apigw.MethodResponse[];
  /** The integration responses: the default 200 and one per failure pattern. */
  public readonly integrationResponses: apigw.IntegrationResponse[];
  private readonly loadBalancerArn: string;

  constructor(props: AlbVpcLinkIntegrationProps) {
    const retryAfter = `'${props.retryAfterSeconds}'`;
    const integrationResponses: apigw.IntegrationResponse[] = [
      // Default (2xx): the prediction body as the server sent it.
      { statusCode: '200', responseTemplates: { 'application/json': '$input.body' } },
      ...ECS_STATUS_MAPPING.map((m) => ({
        selectionPattern: m.pattern,
        statusCode: m.status,
        responseTemplates: { 'application/json': errorTemplate(m.error, MESSAGES[m.error]) },
        responseParameters: m.retryAfter ? { 'method.response.header.Retry-After': retryAfter } : undefined,
      })),
    ];
    super({
      type: apigw.IntegrationType.HTTP,
      integrationHttpMethod: 'POST',
      uri: props.uri,
      options: {
        connectionType: apigw.ConnectionType.VPC_LINK,
        vpcLink: props.vpcLink,
        timeout: props.timeout,
        // Only the JSON content type is forwarded; anything else gets 415 from API Gateway.
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestTemplates: { [props.contentType]: '$input.body' },
        requestParameters: { 'integration.request.header.Content-Type': "'application/json'" },
        integrationResponses,
      },
    });
    this.loadBalancerArn = props.loadBalancerArn;
    this.integrationResponses = integrationResponses;
    const statuses = ['200', ...new Set(ECS_STATUS_MAPPING.map((m) => m.status))];
    this.methodResponses = statuses.map((statusCode) => ({
      statusCode,
      responseParameters: ECS_STATUS_MAPPING.some((m) => m.status === statusCode && m.retryAfter)
        ? { 'method.response.header.Retry-After': true } : undefined,
    }));
  }

  public bind(method: apigw.Method): apigw.IntegrationConfig {
    Aspects.of(method).add(new IntegrationTargetAspect(this.loadBalancerArn), { priority: AspectPriority.MUTATING });
    const config = super.bind(method);
    // The target is not part of the rendered method props, so it must redeploy the stage itself.
    return { ...config, deploymentToken: JSON.stringify(Stack.of(method).resolve({ target: this.loadBalancerArn, uri: config.uri })) };
  }
}
