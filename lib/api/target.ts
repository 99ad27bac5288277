import { Duration, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BackendCapabilities } from '../profile/backend-capabilities';

/** What the guarded API tells a backend when it binds `POST /predict`. */
export interface SyncTargetBindOptions {
  /** Integration timeout taken from the derived limits. */
  readonly integrationTimeout: Duration;
  /** Request template context: the JSON content type the method accepts. */
  readonly contentType: string;
}

/**
 * How a backend is reached from `POST /predict`: the integration and its method responses. The
 * facts the API validates against (payload cap, the next hop's timeouts) are the target's
 * `capabilities`, the same ones the limits were derived from.
 */
export interface SyncTargetBinding {
  /** The API Gateway integration. Its integration responses must map backend failures to non-2xx codes. */
  readonly integration: apigw.Integration;
  /** Method responses matching the integration responses (status codes and headers such as Retry-After). */
  readonly methodResponses: apigw.MethodResponse[];
}

/** A backend that can serve `POST /predict` synchronously behind the guarded API. */
export interface ISyncInferenceTarget {
  /** What the backend accepts (payload cap) and its hard timeouts. */
  readonly capabilities: BackendCapabilities;
  /** Creates the integration (and any role or VPC link it needs) under `scope`. */
  bindSync(scope: Construct, options: SyncTargetBindOptions): SyncTargetBinding;
}
