import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, aws_iam as iam, aws_s3_assets as s3assets } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InferenceGuardError } from '../core';
import { thirdParty } from '../core/third-party';

/** What a model artifact gives the model that uses it. */
export interface ModelArtifactConfig {
  /** S3 URL of the model.tar.gz. */
  readonly s3Url: string;
}

/**
 * Where the model's SavedModel comes from. SageMaker downloads a `model.tar.gz` from S3 and
 * extracts it into `/opt/ml/model`; the TF Serving container expects `<version>/saved_model.pb`
 * inside it.
 */
export abstract class ModelArtifact {
  /**
   * A local Keras SavedModel directory (`model.export(dir)` in Keras 3), packed at synth time into
   * a deterministic `model.tar.gz` asset. A directory with `saved_model.pb` at its top is placed
   * under version `1/`; a directory of numeric version folders is packed as is.
   */
  public static fromSavedModelDirectory(directory: string): ModelArtifact {
    return new SavedModelDirectoryArtifact(directory);
  }

  /** A `model.tar.gz` already in S3, e.g. `s3://bucket/models/mnist/model.tar.gz`. */
  public static fromS3Uri(uri: string): ModelArtifact {
    return new S3UriArtifact(uri);
  }

  /**
   * The local SavedModel directory, when the artifact is one: services read the model's signature from it.
   * @default - undefined (not a local directory)
   */
  public get savedModelDirectory(): string | undefined {
    return undefined;
  }

  /** Makes the artifact available to `role` and returns where it is. Called once per model. */
  public abstract bind(scope: Construct, role: iam.IGrantable): ModelArtifactConfig;
}

class S3UriArtifact extends ModelArtifact {
  private readonly bucket: string;
  private readonly key: string;
  constructor(private readonly uri: string) {
    super();
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
    if (!m) {
      throw new InferenceGuardError('MODEL_ARTIFACT_INVALID', 'ModelArtifact.fromS3Uri', [{
        prop: 'uri', value: JSON.stringify(uri), allowed: 's3://<bucket>/<key> of a model.tar.gz', fix: 'pass the full S3 URI of the packed model',
      }]);
    }
    this.bucket = m[1];
    this.key = m[2];
  }

  public bind(scope: Construct, role: iam.IGrantable): ModelArtifactConfig {
    // Exactly one object: no bucket-wide read.
    role.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Stack.of(scope).partition}:s3:::${this.bucket}/${this.key}`],
    }));
    return { s3Url: this.uri };
  }
}

class SavedModelDirectoryArtifact extends ModelArtifact {
  constructor(private readonly directory: string) {
    super();
  }

  public get savedModelDirectory(): string {
    return this.directory;
  }

  public bind(scope: Construct, role: iam.IGrantable): ModelArtifactConfig {
    const tarball = packSavedModel(this.directory);
    const asset = new s3assets.Asset(scope, 'ModelData', { path: tarball });
    role.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Stack.of(scope).partition}:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`],
    }));
    return { s3Url: asset.s3ObjectUrl };
  }
}

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, child));
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

/**
 * Packs a SavedModel directory into a deterministic tar.gz (sorted entries, fixed mtime, portable
 * headers), so the asset hash only changes when the model does. Returns the tarball path.
 */
export function packSavedModel(directory: string): string {
  const dir = path.resolve(directory);
  const problem = (value: string, fix: string) => new InferenceGuardError('MODEL_ARTIFACT_INVALID', 'ModelArtifact.fromSavedModelDirectory', [{
    prop: 'directory', value, allowed: 'a SavedModel directory (saved_model.pb at its top, or numeric version folders containing it)', fix,
  }]);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw problem(JSON.stringify(directory), 'export the Keras model with model.export(dir) and pass that directory');
  const files = listFiles(dir);
  const topLevel = files.includes('saved_model.pb');
  const versioned = files.some((f) => /^\d+\/saved_model\.pb$/.test(f));
  if (!topLevel && !versioned) throw problem(`${JSON.stringify(directory)} (no saved_model.pb found)`, 'a .keras or .h5 file cannot be served by TF Serving: export a SavedModel with model.export(dir)');
  const hash = crypto.createHash('sha256');
  for (const f of files) {
    hash.update(f);
    hash.update(fs.readFileSync(path.join(dir, f)));
  }
  const digest = hash.digest('hex').slice(0, 16);
  const outDir = path.join(os.tmpdir(), `kig-model-${digest}`);
  const tarball = path.join(outDir, 'model.tar.gz');
  if (fs.existsSync(tarball)) return tarball;
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = `${tarball}.${process.pid}.tmp`;
  thirdParty().tar.create({
    file: tmp, sync: true, gzip: { level: 9 }, portable: true, noMtime: false, mtime: new Date(0),
    cwd: dir, prefix: topLevel ? '1/' : '',
  }, files);
  fs.renameSync(tmp, tarball);
  return tarball;
}
