import { aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import type { IAlarmSource } from '../alarms/guard-alarms';
import { Construct, IConstruct } from 'constructs';
import { ISyncInferenceTarget } from '../api/target';
import { InferenceProfile } from '../profile/inference-profile';
import type { BackendCapabilities } from '../profile/backend-capabilities';

/**
 * Every compute shape: the facts the guard reads and the alarms it built (`alarms`, whose
 * saturation alarms feed the under-attack alarm and whose widgets join the dashboard).
 */
export interface IInferenceBackend extends IConstruct, IAlarmSource {
  /** What the backend accepts and how it behaves. */
  readonly capabilities: BackendCapabilities;
  /** The measured profile every limit was derived from. */
  readonly profile: InferenceProfile;
}

/** What a synchronous queue worker needs to call a backend. */
export interface SyncWorkerTarget {
  /** How the worker Lambda calls the backend: `sagemaker` (InvokeEndpoint) or `http`. */
  readonly kind: string;
  /**
   * SageMaker endpoint name.
   * @default - not a SageMaker endpoint
   */
  readonly endpointName?: string;
  /**
   * URL of the model server's predict route.
   * @default - not an HTTP server
   */
  readonly url?: string;
  /** Name of the backend, for messages and alarm descriptions. */
  readonly name: string;
  /**
   * VPC the worker must run in to reach the backend (a private load balancer).
   * @default - the worker runs outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Security groups the worker must have in `vpc` (the backend admits them).
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * A backend that answers on the same connection: it can sit behind `POST /predict` (through
 * `bindSync`) and be called by a synchronous queue worker (through `bindWorker`).
 */
export interface ISyncInferenceBackend extends IInferenceBackend, ISyncInferenceTarget {
  /** Grants `worker` the right to invoke the backend and tells it where to send each job. */
  bindWorker(scope: Construct, worker: iam.IGrantable): SyncWorkerTarget;
}

/**
 * How an asynchronous backend is invoked: the caller uploads the request to `inputBucketName`
 * under `inputPrefix` and calls `InvokeEndpointAsync` with these values; the result lands in S3.
 */
export interface AsyncInvocationTarget {
  /** Endpoint name for InvokeEndpointAsync. */
  readonly endpointName: string;
  /** Bucket the inputs are uploaded to. */
  readonly inputBucketName: string;
  /** Key prefix of the inputs. */
  readonly inputPrefix: string;
  /** Pass as InvocationTimeoutSeconds. */
  readonly invocationTimeoutSeconds: number;
  /** Pass as RequestTTLSeconds. */
  readonly requestTtlSeconds: number;
}

/**
 * A backend that answers later (results in S3, notifications on topics). It has no `bindSync`
 * and no `bindWorker`, so it cannot be put behind the synchronous API integration or given to a
 * synchronous queue worker: the compiler refuses it.
 */
export interface IAsyncInferenceBackend extends IInferenceBackend {
  /** Grants `caller` InvokeEndpointAsync and the input upload, and says how to invoke. */
  bindAsyncCaller(caller: iam.IGrantable): AsyncInvocationTarget;
}
