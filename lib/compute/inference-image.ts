import { Annotations, Aws, CfnMapping, Stack, Token, aws_ecr as ecr, aws_ecr_assets as ecrAssets, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DLC_REGION_ACCOUNTS, InferenceGuardError } from '../core';

/** What an image gives the model that uses it. */
export interface InferenceImageConfig {
  /** Image URI for the SageMaker model's container. */
  readonly imageUri: string;
}

/** Tag parts and support window of one TF Serving DLC version. */
export interface TfServingDlcVersion {
  readonly python: string;
  readonly cuda: string;
  readonly os: string;
  /** End of patch (YYYY-MM-DD): after it the image gets no security fixes. */
  readonly endOfPatch: string;
}

/**
 * Versions of the SageMaker TensorFlow Serving DLC this library knows the tags of, with their end
 * of patch. Source: aws/deep-learning-containers `docs/src/data/tensorflow-inference/<version>-{gpu,cpu}-sagemaker.yml`
 * (tags, `eop`) and `docs/tensorflow/inference/changelog/index.md` (TensorFlow Serving 2.20,
 * 2026-08-20: `2.20.0-gpu-py312-cu129-amzn2023-sagemaker`, `2.20.0-cpu-py312-amzn2023-sagemaker`,
 * the first TensorFlow inference DLC on Amazon Linux 2023); 2.18 from `docs/reference/support_policy.md`.
 */
export const TF_SERVING_DLC_VERSIONS: Readonly<Record<string, TfServingDlcVersion>> = {
  '2.20.0': { python: 'py312', cuda: 'cu129', os: 'amzn2023', endOfPatch: '2027-08-20' },
  '2.19.0': { python: 'py312', cuda: 'cu122', os: 'ubuntu22.04', endOfPatch: '2026-03-11' },
  '2.18.0': { python: 'py310', cuda: 'cu122', os: 'ubuntu20.04', endOfPatch: '2025-10-24' },
};

/** The default TF Serving DLC version: the newest in `TF_SERVING_DLC_VERSIONS`. */
export const DEFAULT_TF_SERVING_DLC_VERSION = '2.20.0';

/** Whether a version's end of patch (a YYYY-MM-DD date, the last day it is patched) is before `nowMs`. */
function pastEndOfPatch(endOfPatch: string, nowMs: number): boolean {
  return new Date(`${endOfPatch}T00:00:00Z`).getTime() + 24 * 3600 * 1000 <= nowMs;
}

/** What to use instead of a version past its end of patch, at `nowMs`. */
function replacementAdvice(version: string, nowMs: number): string {
  const newer = Object.entries(TF_SERVING_DLC_VERSIONS)
    .filter(([v, d]) => compareVersions(v, version) > 0 && !pastEndOfPatch(d.endOfPatch, nowMs))
    .sort(([a], [b]) => compareVersions(b, a));
  if (newer.length > 0) {
    const [v, d] = newer[0];
    return `Use TensorFlow ${v} (end of patch ${d.endOfPatch}): InferenceImage.tensorflowServingDlc({ tensorflowVersion: '${v}' }), after checking the model serves on it`;
  }
  return 'No newer TensorFlow inference DLC within its end of patch is in this library\'s version table; build a patched image into your own ECR repository (InferenceImage.fromEcrRepository), pass a newer published tag, or acknowledge this warning';
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Options for the TF Serving DLC. */
export interface TensorflowServingDlcOptions {
  /**
   * TensorFlow version of the image.
   * @default "2.20.0"
   */
  readonly tensorflowVersion?: string;
  /**
   * GPU or CPU build.
   * @default true
   */
  readonly gpu?: boolean;
  /**
   * Full image tag, for versions not in `TF_SERVING_DLC_VERSIONS`.
   * @default - built from the version table
   */
  readonly tag?: string;
}

/** Options for a custom image. */
export interface CustomImageOptions {
  /** Whether the image needs a GPU (CUDA build). Checked against the instance type. */
  readonly gpu: boolean;
  /**
   * Whether the image is the SageMaker TF Serving container (or built on it), so the
   * `SAGEMAKER_TFS_*` and nginx settings derived from the limits apply.
   * @default false
   */
  readonly tensorflowServing?: boolean;
}

/**
 * The container image that serves the model: the SageMaker TensorFlow Serving Deep Learning
 * Container, resolved per Region, or a custom image.
 */
export abstract class InferenceImage {
  /** The SageMaker TF Serving DLC (`tensorflow-inference`), from the registry account of the stack's Region. */
  public static tensorflowServingDlc(options: TensorflowServingDlcOptions = {}): InferenceImage {
    return new DlcImage(options);
  }

  /** An image in an ECR repository. */
  public static fromEcrRepository(repository: ecr.IRepository, tag: string, options: CustomImageOptions): InferenceImage {
    return new EcrImage(repository, tag, options);
  }

  /** An image built from a local Dockerfile directory at deploy time. */
  public static fromAsset(directory: string, options: CustomImageOptions): InferenceImage {
    return new AssetImage(directory, options);
  }

  /** True when the image is a CUDA build that needs a GPU instance. */
  public abstract readonly gpu: boolean;
  /** True when the image runs the SageMaker TF Serving stack (nginx + TF Serving). */
  public abstract readonly tensorflowServing: boolean;
  /** Human-readable description, for messages. */
  public abstract readonly description: string;

  /** Grants `role` pull access and returns the URI. */
  public abstract bind(scope: Construct, role: iam.IGrantable): InferenceImageConfig;
}

/**
 * The DLC registry account of a Region. Throws for a Region without Deep Learning Containers:
 * there is no image to pull there, and guessing an account only fails later, at deployment.
 */
export function dlcAccountFor(region: string): string {
  const account = DLC_REGION_ACCOUNTS[region];
  if (account === undefined) {
    throw new InferenceGuardError('IMAGE_INVALID', 'InferenceImage.tensorflowServingDlc', [{
      prop: 'region', value: JSON.stringify(region), allowed: `a Region with Deep Learning Containers (${Object.keys(DLC_REGION_ACCOUNTS).join(', ')})`,
      fix: 'deploy to one of these Regions, or copy the image into your own ECR repository and use InferenceImage.fromEcrRepository',
    }]);
  }
  return account;
}

class DlcImage extends InferenceImage {
  public readonly gpu: boolean;
  public readonly tensorflowServing = true;
  public readonly description: string;
  private readonly tag: string;

  constructor(options: TensorflowServingDlcOptions) {
    super();
    this.gpu = options.gpu ?? true;
    const version = options.tensorflowVersion ?? DEFAULT_TF_SERVING_DLC_VERSION;
    const known = TF_SERVING_DLC_VERSIONS[version];
    if (!options.tag && !known) {
      throw new InferenceGuardError('IMAGE_INVALID', 'InferenceImage.tensorflowServingDlc', [{
        prop: 'tensorflowVersion', value: JSON.stringify(version), allowed: Object.keys(TF_SERVING_DLC_VERSIONS).join(', '),
        fix: 'pick a known version, or pass the full `tag` from the Deep Learning Containers image list',
      }]);
    }
    this.tag = options.tag ?? (this.gpu
      ? `${version}-gpu-${known.python}-${known.cuda}-${known.os}-sagemaker`
      : `${version}-cpu-${known.python}-${known.os}-sagemaker`);
    if (options.tag && /-(gpu|cpu)-/.test(options.tag) && options.tag.includes('-gpu-') !== this.gpu) {
      throw new InferenceGuardError('IMAGE_INVALID', 'InferenceImage.tensorflowServingDlc', [{
        prop: 'tag', value: JSON.stringify(options.tag), allowed: `a ${this.gpu ? 'GPU (-gpu-)' : 'CPU (-cpu-)'} tag because gpu = ${this.gpu}`, fix: 'make `gpu` and the tag agree',
      }]);
    }
    this.description = `tensorflow-inference:${this.tag}`;
    this.endOfPatch = known?.endOfPatch;
    this.version = version;
  }

  private readonly version: string;

  /** End of patch of the version, when known. */
  private readonly endOfPatch?: string;

  public bind(scope: Construct, role: iam.IGrantable): InferenceImageConfig {
    const stack = Stack.of(scope);
    const region = stack.region;
    // Only an image past its end of patch is worth a warning: it gets no security fixes.
    const now = Date.now();
    if (this.endOfPatch !== undefined && pastEndOfPatch(this.endOfPatch, now)) {
      Annotations.of(scope).addWarningV2('keras-inference-guard:dlcPastEndOfPatch',
        `${this.description} is past its end of patch (${this.endOfPatch}, DLC support policy): it gets no security fixes. ${replacementAdvice(this.version, now)}.`);
    }
    let account: string;
    if (!Token.isUnresolved(region)) {
      account = dlcAccountFor(region);
    } else {
      const id = 'KerasInferenceGuardDlcAccounts';
      const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
        // Every Region with DLCs, so an env-agnostic stack resolves in each; elsewhere FindInMap fails the deployment.
        mapping: Object.fromEntries(Object.entries(DLC_REGION_ACCOUNTS).map(([r, a]) => [r, { account: a }])),
      });
      account = mapping.findInMap(Aws.REGION, 'account');
    }
    const repoArn = `arn:${stack.partition}:ecr:${region}:${account}:repository/tensorflow-inference`;
    role.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [repoArn],
    }));
    addEcrAuth(role);
    return { imageUri: `${account}.dkr.ecr.${region}.${stack.urlSuffix}/tensorflow-inference:${this.tag}` };
  }
}

function addEcrAuth(role: iam.IGrantable): void {
  // ecr:GetAuthorizationToken has no resource-level permissions; it must be granted on "*".
  role.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
}

class EcrImage extends InferenceImage {
  public readonly gpu: boolean;
  public readonly tensorflowServing: boolean;
  public readonly description: string;
  constructor(private readonly repository: ecr.IRepository, private readonly tag: string, options: CustomImageOptions) {
    super();
    this.gpu = options.gpu;
    this.tensorflowServing = options.tensorflowServing ?? false;
    this.description = `ECR image ${repository.node.path}:${tag}`;
  }

  public bind(_scope: Construct, role: iam.IGrantable): InferenceImageConfig {
    this.repository.grantPull(role);
    return { imageUri: this.repository.repositoryUriForTag(this.tag) };
  }
}

class AssetImage extends InferenceImage {
  public readonly gpu: boolean;
  public readonly tensorflowServing: boolean;
  public readonly description: string;
  private asset?: ecrAssets.DockerImageAsset;
  constructor(private readonly directory: string, options: CustomImageOptions) {
    super();
    this.gpu = options.gpu;
    this.tensorflowServing = options.tensorflowServing ?? false;
    this.description = `image built from ${directory}`;
  }

  public bind(scope: Construct, role: iam.IGrantable): InferenceImageConfig {
    this.asset ??= new ecrAssets.DockerImageAsset(scope, 'ModelImage', { directory: this.directory });
    this.asset.repository.grantPull(role);
    return { imageUri: this.asset.imageUri };
  }
}
