import { aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import type { IAlarmSource } from '../alarms/guard-alarms';
import { Construct, IConstruct } from 'constructs';
import { ISyncInferenceTarget } from '../api/target';
import { InferenceProfile } from '../profile/inference-profile';

/**
 * What a compute shape accepts and how it behaves, known before it is built: the limits are
 * derived from the profile plus these facts, so nothing downstream names a concrete backend.
 */
export interface BackendCapabilities {
  /** Name of the backend, for messages and formulas (e.g. "SageMaker real-time endpoint"). */
  readonly name: string;
  /** Largest request body the backend accepts (bytes). */
  readonly maxPayloadBytes: number;
  /**
   * Hard timeout of one invocation (ms): the API integration timeout must stay at or below it.
   * @default - none (the model-server timeout is the only deadline)
   */
  readonly invocationTimeoutMs?: number;
  /**
   * Idle timeout of a load balancer on the path (ms); the integration timeout must be lower.
   * @default - no load balancer
   */
  readonly loadBalancerIdleTimeoutMs?: number;
  /** Whether callers get the answer on the same connection. An asynchronous backend is only reached through a queue or an async API. */
  readonly synchronous: boolean;
  /** Whether the backend may run with no capacity at all (a request then waits for a cold start). */
  readonly scalesToZero: boolean;
  /** What one scaling unit is ("instance", "task", "concurrent invocation"), for messages. */
  readonly scalingUnit: string;
  /**
   * Requests per second one scaling unit serves.
   * @default - the profile's throughputPerInstanceRps
   */
  readonly throughputPerUnitRps?: number;
  /**
   * Requests one scaling unit works on at once.
   * @default - the profile's sustainableConcurrency
   */
  readonly concurrencyPerUnit?: number;
  /**
   * Largest number of scaling units the backend supports.
   * @default 10000
   */
  readonly maxUnits?: number;
  /**
   * Seconds from "more capacity needed" to "capacity serves".
   * @default - the profile's coldStartSeconds
   */
  readonly coldStartSeconds?: number;
  /**
   * Whether every unit up to the maximum serves on demand, without waiting for a scaling policy
   * (SageMaker serverless provisions concurrency per request). Per-key limits are then sized on
   * the maximum, not the minimum.
   * @default false
   */
  readonly capacityOnDemand?: boolean;
  /**
   * Default of the instance ceiling when the user sets none (the cost ceiling under attack).
   * @default 2
   */
  readonly defaultMaxUnits?: number;
  /**
   * How the default ceiling was chosen, when the backend derives it.
   * @default - the library default
   */
  readonly defaultMaxUnitsFormula?: string;
}

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
