import { Aws, CfnMapping, Stack, Token, aws_ecr as ecr, aws_ecr_assets as ecrAssets, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DLC_DEFAULT_ACCOUNT, DLC_REGION_ACCOUNTS, InferenceGuardError } from '../core';

/** What an image gives the model that uses it. */
export interface InferenceImageConfig {
  /** Image URI for the SageMaker model's container. */
  readonly imageUri: string;
}

/**
 * Versions of the SageMaker TensorFlow Serving DLC this library knows the tags of.
 * Source: aws/deep-learning-containers available_images.md (TensorFlow 2.19.0 inference, SageMaker).
 */
export const TF_SERVING_DLC_VERSIONS: Readonly<Record<string, { readonly python: string; readonly cuda: string; readonly os: string }>> = {
  '2.19.0': { python: 'py312', cuda: 'cu122', os: 'ubuntu22.04' },
  '2.18.0': { python: 'py310', cuda: 'cu122', os: 'ubuntu20.04' },
};

/** Options for the TF Serving DLC. */
export interface TensorflowServingDlcOptions {
  /**
   * TensorFlow version of the image.
   * @default "2.19.0"
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
   * `SAGEMAKER_TFS_*` / gunicorn / nginx settings derived from the limits apply.
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
  /** True when the image runs the SageMaker TF Serving stack (gunicorn + nginx + TF Serving). */
  public abstract readonly tensorflowServing: boolean;
  /** Human-readable description, for messages. */
  public abstract readonly description: string;

  /** Grants `role` pull access and returns the URI. */
  public abstract bind(scope: Construct, role: iam.IGrantable): InferenceImageConfig;
}

/** The DLC registry account for a Region (exceptions per available_images.md). */
export function dlcAccountFor(region: string): string {
  return DLC_REGION_ACCOUNTS[region] ?? DLC_DEFAULT_ACCOUNT;
}

/** Commercial Regions with the default DLC account, listed so the mapping covers env-agnostic stacks. */
const DEFAULT_ACCOUNT_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-2', 'il-central-1',
  'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-4',
  'ap-southeast-5', 'ap-southeast-7',
];

class DlcImage extends InferenceImage {
  public readonly gpu: boolean;
  public readonly tensorflowServing = true;
  public readonly description: string;
  private readonly tag: string;

  constructor(options: TensorflowServingDlcOptions) {
    super();
    this.gpu = options.gpu ?? true;
    const version = options.tensorflowVersion ?? '2.19.0';
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
  }

  public bind(scope: Construct, role: iam.IGrantable): InferenceImageConfig {
    const stack = Stack.of(scope);
    const region = stack.region;
    let account: string;
    if (!Token.isUnresolved(region)) {
      account = dlcAccountFor(region);
    } else {
      const id = 'KerasInferenceGuardDlcAccounts';
      const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
        mapping: Object.fromEntries([
          ...DEFAULT_ACCOUNT_REGIONS.map((r) => [r, { account: DLC_DEFAULT_ACCOUNT }]),
          ...Object.entries(DLC_REGION_ACCOUNTS).map(([r, a]) => [r, { account: a }]),
        ]),
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
