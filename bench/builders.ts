import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildEcsServiceStack } from '../examples/ecs-gpu/app';
import { SageMakerServerlessStack } from '../examples/sagemaker-serverless/app';

function ecsApp(fargate: boolean): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kig-bench-')) });
  buildEcsServiceStack(app, { fargate });
  return app;
}

/** Further apps the synth benchmark times: [label, builder]. Backends register theirs here. */
export const EXTRA_BUILDERS: Array<[string, () => App]> = [
  ['1 ECS GPU service stack', () => ecsApp(false)],
  ['1 Fargate service stack', () => ecsApp(true)],
  ['1 SageMaker serverless service stack (with job queue)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kig-bench-')) });
    new SageMakerServerlessStack(app, 'KerasSageMakerServerless');
    return app;
  }],
];
