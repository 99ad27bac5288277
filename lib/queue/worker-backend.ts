import { Arn, Stack, Token, aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceGuardError } from '../core';
import type { ISyncInferenceBackend } from '../compute/backend';
import type { SageMakerRealtimeBackend } from '../compute/sagemaker-realtime';
import { HANDLER_ENV } from './handler-env';

/** What a backend adds to the worker function. */
export interface WorkerBackendConfig {
  /** Environment variables telling the worker where to send jobs. */
  readonly environment: Record<string, string>;
  /** Name of the backend, for messages and alarm descriptions. */
  readonly name: string;
  /**
   * VPC the worker must run in to reach the backend.
   * @default - the queue's `workerVpc`
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Security groups the worker needs in that VPC.
   * @default - the queue's `workerSecurityGroups`
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Options of `WorkerBackend.externalConsumer()`. */
export interface ExternalConsumerOptions {
  /**
   * Whether the consumer gives a finished job's cost units back to the admission ledger, as the
   * Lambda worker does (docs/job-queue.md, "An external consumer"). Only then does admission hold
   * cost units for its jobs and enforce the per-tier and per-key shares of the cost budget; without
   * it every admitted job's units would stay held, and once they reached the budget admission would
   * refuse every job. The queue's depth bound (jobs against the backlog budget) applies either way.
   * @default false
   */
  readonly givesCostUnitsBack?: boolean;
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
    return WorkerBackend.fromBackend(backend);
  }

  /**
   * Any synchronous backend of this app (a SageMaker real-time or serverless endpoint, an ECS
   * service): the backend grants the worker what it needs and says where to send each job. An
   * asynchronous backend has no `bindWorker`, so the compiler refuses it here.
   */
  public static fromBackend(backend: ISyncInferenceBackend): WorkerBackend {
    return new SyncBackendWorker(backend);
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
   *
   * Admission holds cost units for its jobs only if the consumer gives them back
   * (`givesCostUnitsBack`); otherwise the per-tier and per-key cost shares are not enforced and the
   * depth bound alone limits the backlog.
   */
  public static externalConsumer(options: ExternalConsumerOptions = {}): WorkerBackend {
    return new ExternalConsumer(options.givesCostUnitsBack ?? false);
  }

  /** Whether the queue runs its own Lambda worker for this backend. */
  public abstract readonly runsLambdaWorker: boolean;

  /**
   * Whether the queue's consumer gives each finished job's cost units back to the admission ledger:
   * the queue's own Lambda worker always does.
   */
  public get givesCostUnitsBack(): boolean {
    return this.runsLambdaWorker;
  }

  /** Grants the worker what it needs and returns its settings. */
  public abstract bind(scope: Construct, worker: iam.IGrantable): WorkerBackendConfig;
}

class ExternalConsumer extends WorkerBackend {
  public readonly runsLambdaWorker = false;

  constructor(private readonly givesUnitsBack: boolean) {
    super();
  }

  public get givesCostUnitsBack(): boolean {
    return this.givesUnitsBack;
  }

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

class SyncBackendWorker extends WorkerBackend {
  public readonly runsLambdaWorker = true;

  constructor(private readonly backend: ISyncInferenceBackend) {
    super();
  }

  public bind(scope: Construct, worker: iam.IGrantable): WorkerBackendConfig {
    const target = this.backend.bindWorker(scope, worker);
    const environment: Record<string, string> = { [HANDLER_ENV.backendKind]: target.kind };
    if (target.endpointName !== undefined) environment[HANDLER_ENV.endpointName] = target.endpointName;
    if (target.url !== undefined) environment[HANDLER_ENV.backendUrl] = target.url;
    return { environment, name: target.name, vpc: target.vpc, securityGroups: target.securityGroups };
  }
}
