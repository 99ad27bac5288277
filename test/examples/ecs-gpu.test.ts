import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildEcsServiceStack } from '../../examples/ecs-gpu/app';
import { cfnLint } from '../support/cfn-lint';

// What the whole example contains is checked in examples.test.ts, on the one synthesis of every
// example; here: the single-service builder the benchmark uses.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-ecs-gpu-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test('one ECS service is one function call (the benchmark unit), GPU and Fargate; cfn-lint is clean', async () => {
  const benchApp = new App();
  // Build both stacks before the first synthesis (Template.fromStack synthesizes the whole app).
  const gpuStack = buildEcsServiceStack(benchApp, { stackId: 'Gpu' });
  const cpuStack = buildEcsServiceStack(benchApp, { stackId: 'Cpu', fargate: true });
  const gpu = Template.fromStack(gpuStack);
  const cpu = Template.fromStack(cpuStack);
  gpu.resourceCountIs('AWS::ECS::CapacityProvider', 1);
  cpu.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['FARGATE'], Cpu: '1024', Memory: '3072' });

  // cfn-lint (part of the machine image) on both single-service templates in one run.
  const files = ([['gpu', gpu], ['fargate', cpu]] as const).map(([name, tpl]) => {
    const file = path.join(outdir, `single-${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(tpl.toJSON()));
    return file;
  });
  expect(await cfnLint(files)).toEqual({ status: 0, stdout: '', stderr: '' });
});
