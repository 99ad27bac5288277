import { Duration, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** What the guarded API tells a backend when it binds `POST /predict`. */
export interface SyncTargetBindOptions {
  /** Integration timeout taken from the derived limits. */
  readonly integrationTimeout: Duration;
  /** Request template context: the JSON content type the method accepts. */
  readonly contentType: string;
}

/**
 * How a backend is reached from `POST /predict`: the integration and the facts the API
 * validates against (payload cap and the next hop's timeouts).
 */
export interface SyncTargetBinding {
  /** The API Gateway integration. Its integration responses must map backend failures to non-2xx codes. */
  readonly integration: apigw.Integration;
  /** Method responses matching the integration responses (status codes and headers such as Retry-After). */
  readonly methodResponses: apigw.MethodResponse[];
  /** Largest request body the backend accepts (bytes). */
  readonly maxPayloadBytes: number;
  /** Hard timeout of the backend (ms), e.g. 60 000 for SageMaker real-time. @default - none */
  readonly backendTimeoutMs?: number;
  /** Idle timeout of a load balancer on the path (ms); the integration timeout must be lower. @default - none */
  readonly loadBalancerIdleTimeoutMs?: number;
  /** Name of the backend, for messages. */
  readonly backendName: string;
}

/** A backend that can serve `POST /predict` synchronously behind the guarded API. */
export interface ISyncInferenceTarget {
  /** Creates the integration (and any role or VPC link it needs) under `scope`. */
  bindSync(scope: Construct, options: SyncTargetBindOptions): SyncTargetBinding;
}
