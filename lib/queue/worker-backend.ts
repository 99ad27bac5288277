import { Arn, Stack, Token, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceGuardError } from '../core';
import type { SageMakerRealtimeBackend } from '../compute/sagemaker-realtime';
import { HANDLER_ENV } from './handler-env';

/** What a backend adds to the worker function. */
export interface WorkerBackendConfig {
  /** Environment variables telling the worker where to send jobs. */
  readonly environment: Record<string, string>;
  /** Name of the backend, for messages and alarm descriptions. */
  readonly name: string;
}

/** SageMaker endpoint names. Source: CreateEndpoint API, EndpointName pattern. */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * Where the queue worker sends each job. Choose with a static factory:
 * `WorkerBackend.sageMakerEndpoint(backend)` for a SageMaker real-time endpoint of this app,
 * `WorkerBackend.sageMakerEndpointByName(name)` for one defined elsewhere, or
 * `WorkerBackend.http(url)` for a model server reached over HTTP (an ECS service).
 */
export abstract class WorkerBackend {
  /**
   * A SageMaker real-time endpoint of this app, invoked with `InvokeEndpoint`. The worker gets
   * `sagemaker:InvokeEndpoint` on this endpoint only. It takes the backend, not its name, so an
   * asynchronous endpoint (which refuses `InvokeEndpoint`) cannot be passed by mistake.
   */
  public static sageMakerEndpoint(backend: SageMakerRealtimeBackend): WorkerBackend {
    return new SageMakerEndpointBackend(backend.endpointName);
  }

  /**
   * A SageMaker real-time endpoint defined outside this app, by name. It must be a real-time
   * endpoint: an asynchronous one refuses `InvokeEndpoint` and every job would fail.
   * @param endpointName the endpoint name (IAM matches endpoint ARNs in lower case; a token is used as given)
   */
  public static sageMakerEndpointByName(endpointName: string): WorkerBackend {
    if (!Token.isUnresolved(endpointName) && !ENDPOINT_NAME.test(endpointName)) {
      throw new InferenceGuardError('QUEUE_INVALID', 'WorkerBackend.sageMakerEndpointByName', [{
        prop: 'endpointName', value: JSON.stringify(endpointName), allowed: 'a SageMaker endpoint name: 1-63 letters, digits or hyphens, starting with a letter or digit',
        fix: 'pass the name of the endpoint, not its ARN or URL',
      }], 'invalid worker backend');
    }
    return new SageMakerEndpointBackend(endpointName);
  }

  /**
   * A model server reached over HTTP: the worker POSTs the request body to `url` and treats 2xx as
   * the result, 408/429/5xx as retryable, other 4xx as a failed job. Put the worker in the
   * service's VPC with the construct's `workerVpc` prop when the URL is private.
   */
  public static http(url: string): WorkerBackend {
    if (!Token.isUnresolved(url) && !/^https?:\/\/[^\s/]+/.test(url)) {
      throw new InferenceGuardError('QUEUE_INVALID', 'WorkerBackend.http', [{
        prop: 'url', value: JSON.stringify(url), allowed: 'an http:// or https:// URL', fix: 'pass the full URL of the model server\'s predict route',
      }], 'invalid worker backend');
    }
    return new HttpWorkerBackend(url);
  }

  /**
   * No Lambda worker: another consumer (for example an ECS queue worker service) reads the queue.
   * Give it the worker's permissions with `InferenceQueue.grantWorker()`; it must follow the job
   * protocol of the Lambda worker (claim the job record, write the result, report failures) for
   * the status endpoint to show its results.
   */
  public static externalConsumer(): WorkerBackend {
    return new ExternalConsumer();
  }

  /** Whether the queue runs its own Lambda worker for this backend. */
  public abstract readonly runsLambdaWorker: boolean;

  /** Grants the worker what it needs and returns its settings. */
  public abstract bind(scope: Construct, worker: iam.IGrantable): WorkerBackendConfig;
}

class ExternalConsumer extends WorkerBackend {
  public readonly runsLambdaWorker = false;

  public bind(): WorkerBackendConfig {
    return { environment: {}, name: 'an external consumer' };
  }
}

class SageMakerEndpointBackend extends WorkerBackend {
  public readonly runsLambdaWorker = true;

  constructor(private readonly endpointName: string) {
    super();
  }

  public bind(scope: Construct, worker: iam.IGrantable): WorkerBackendConfig {
    const name = Token.isUnresolved(this.endpointName) ? this.endpointName : this.endpointName.toLowerCase();
    const endpointArn = Arn.format({ service: 'sagemaker', resource: 'endpoint', resourceName: name }, Stack.of(scope));
    iam.Grant.addToPrincipal({ grantee: worker, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [endpointArn] });
    return { environment: { [HANDLER_ENV.backendKind]: 'sagemaker', [HANDLER_ENV.endpointName]: this.endpointName }, name: `SageMaker endpoint ${this.endpointName}` };
  }
}

class HttpWorkerBackend extends WorkerBackend {
  public readonly runsLambdaWorker = true;

  constructor(private readonly url: string) {
    super();
  }

  public bind(): WorkerBackendConfig {
    return { environment: { [HANDLER_ENV.backendKind]: 'http', [HANDLER_ENV.backendUrl]: this.url }, name: `HTTP model server ${this.url}` };
  }
}
