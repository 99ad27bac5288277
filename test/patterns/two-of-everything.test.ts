import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Duration, Stack, aws_cloudwatch as cw, aws_ecs as ecs, aws_sqs as sqs } from 'aws-cdk-lib';
import { IConstruct, Construct } from 'constructs';
import {
  AlarmTopic, EcsCapacity, EcsInferenceService, EcsQueueWorker, InferenceAlarms, InferenceApi, InferenceGuardChecks, InferenceProfile,
  KerasInferenceService, ModelArtifact, ModelServer, ModelSignature, ModelSource, SageMakerAsyncBackend, TensorDType, InferenceCompute } from '../../lib';
import { runKig } from '../support/cli';
import { alarmsOf, catalogProblems, restProblems } from '../alarms/template-alarms';

/**
 * Two services of every compute shape in one stack, and the same again in a second stack of the
 * same app: no physical name is used twice, every alarm's dimensions point at its own service's
 * resources, and the InferenceGuard pack and `kig review` report the same findings.
 */
const smProfile = InferenceProfile.of({
  model: 'm', hardware: 'ml.g5.xlarge', latencyMs: { p50: 40, p90: 60, p99: 100 }, sustainableConcurrency: 8,
  throughputPerInstanceRps: 100, peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 5000, coldStartSeconds: 120, maxRequestBytes: 100_000,
});
const gpuProfile = InferenceProfile.of({
  model: 'm', hardware: 'g5.xlarge', latencyMs: { p50: 40, p90: 60, p99: 100 }, sustainableConcurrency: 4,
  throughputPerInstanceRps: 50, peakHostMemoryMiB: 4000, peakGpuMemoryMiB: 5000, coldStartSeconds: 60, maxRequestBytes: 100_000,
});
const cpuProfile = InferenceProfile.of({
  model: 'm', hardware: 'fargate-2vcpu', latencyMs: { p50: 5, p90: 9, p99: 20 }, sustainableConcurrency: 2,
  throughputPerInstanceRps: 50, peakHostMemoryMiB: 1500, peakGpuMemoryMiB: 0, coldStartSeconds: 20, maxRequestBytes: 10_000,
});
const signature = ModelSignature.singleTensor({ name: 'x', dtype: TensorDType.FLOAT32, shape: [4], maxBatchSize: 1 });
const server = () => ModelServer.tensorflowServing({ version: '2.19.0', model: ModelSource.inImage('/models/m') });

/** The compute shapes: each adds one service (and what it needs) under `owner`. */
const SHAPES: Record<string, (owner: Construct, topic: AlarmTopic) => void> = {
  Realtime: (owner, topic) => new KerasInferenceService(owner, 'Service', {
    profile: smProfile, compute: InferenceCompute.sageMakerRealtime({ model: ModelArtifact.fromS3Uri('s3://model-bucket/m/model.tar.gz') }), signature, maxInstances: 3, alarmTopic: topic.topic, jobQueue: {},
  }),
  Async: (owner, topic) => new SageMakerAsyncBackend(owner, 'Service', {
    profile: smProfile, model: ModelArtifact.fromS3Uri('s3://model-bucket/m/model.tar.gz'), instanceType: 'ml.g5.xlarge', alarmTopic: topic.topic,
  }),
  GpuService: (owner, topic) => ecsWithApi(owner, topic, EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }), gpuProfile),
  FargateService: (owner, topic) => ecsWithApi(owner, topic, EcsCapacity.fargate(), cpuProfile),
  GpuWorker: (owner, topic) => new EcsQueueWorker(owner, 'Worker', {
    profile: gpuProfile, modelServer: server(), capacity: EcsCapacity.gpuInstances({ instanceType: 'g5.xlarge' }),
    queue: new sqs.Queue(owner, 'Queue', { visibilityTimeout: Duration.minutes(5), enforceSSL: true }),
    consumerImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/consumer:1'), maxTasks: 3, alarmTopic: topic.topic,
  }),
};

function ecsWithApi(owner: Construct, topic: AlarmTopic, capacity: EcsCapacity, profile: InferenceProfile): void {
  const svc = new EcsInferenceService(owner, 'Service', { profile, modelServer: server(), capacity, maxTasks: 3, alarmTopic: topic.topic });
  const api = new InferenceApi(owner, 'Api', { target: svc, limits: svc.limits, signature });
  new InferenceAlarms(owner, 'ApiAlarms', { api, limits: svc.limits, profile, alarmTopic: topic.topic });
}

/** Two services of one shape in a stack; each top-level construct owns everything it created. */
function buildStack(app: App, id: string, shape: string): Stack {
  const stack = new Stack(app, id);
  const topic = new AlarmTopic(stack, 'Topic');
  for (const n of [1, 2]) SHAPES[shape](new Construct(stack, `${shape}${n}`), topic);
  return stack;
}

/** Properties that hold an account- or Region-wide physical name, by resource type. */
const NAME_PROPS: Record<string, string[]> = {
  'AWS::ApiGateway::RestApi': ['Name'],
  'AWS::ApiGateway::UsagePlan': ['UsagePlanName'],
  'AWS::WAFv2::WebACL': ['Name'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::SageMaker::Endpoint': ['EndpointName'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::SSM::Parameter': ['Name'],
  'AWS::SQS::Queue': ['QueueName'],
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::DynamoDB::Table': ['TableName'],
  'AWS::IAM::Role': ['RoleName'],
  'AWS::ECS::Cluster': ['ClusterName'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::ApplicationAutoScaling::ScalingPolicy': ['PolicyName'],
};

/** A name with the stack's pseudo parameters filled in; undefined when it depends on a resource (then it is unique by construction). */
function literal(v: unknown, stackName: string): string | undefined {
  if (typeof v === 'string') return v;
  const o = v as Record<string, any>;
  if (o?.Ref === 'AWS::StackName') return stackName;
  if (o?.Ref === 'AWS::Region' || o?.Ref === 'AWS::AccountId') return `{${o.Ref}}`;
  if (o?.['Fn::Join']) {
    const parts = (o['Fn::Join'][1] as unknown[]).map((p) => literal(p, stackName));
    return parts.every((p) => p !== undefined) ? parts.join(o['Fn::Join'][0]) : undefined;
  }
  return undefined;
}

const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kig-two-of-everything-')) });
const stacks = Object.keys(SHAPES).flatMap((shape) => [buildStack(app, `${shape}First`, shape), buildStack(app, `${shape}Second`, shape)]);
const assembly = app.synth();

test('no physical name is used twice in the account and Region', () => {
  const seen = new Map<string, string>();
  const collisions: string[] = [];
  for (const s of assembly.stacks) {
    for (const [id, r] of Object.entries<any>(s.template.Resources)) {
      for (const prop of NAME_PROPS[r.Type] ?? []) {
        const name = literal(r.Properties?.[prop], s.stackName);
        if (name === undefined) continue;
        // Scaling policy names are per scalable target.
        const scope = r.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy' ? JSON.stringify(r.Properties.ScalingTargetId ?? r.Properties.ResourceId) + s.stackName : '';
        const key = `${r.Type} ${name} ${scope}`;
        if (seen.has(key)) collisions.push(`${r.Type} ${prop} "${name}": ${seen.get(key)} and ${s.stackName}/${id}`);
        else seen.set(key, `${s.stackName}/${id}`);
      }
    }
  }
  expect(seen.size).toBeGreaterThan(20);
  expect(collisions).toEqual([]);
});

/** The top-level construct (a service) that owns `c`. */
function ownerOf(c: IConstruct): string {
  const stack = Stack.of(c);
  return `${stack.stackName}/${c.node.scopes[c.node.scopes.indexOf(stack) + 1].node.id}`;
}

test("every alarm's dimensions point at its own service's resources", () => {
  const problems: string[] = [];
  let checked = 0;
  for (const stack of stacks) {
    const owners = new Map<string, string>();
    const literalNames = new Map<string, string>();
    const template = assembly.getStackByName(stack.stackName).template;
    for (const c of stack.node.findAll()) {
      if (!(c instanceof CfnElement)) continue;
      const logicalId = stack.resolve(c.logicalId) as string;
      if (c.node.scopes.length < 3) continue;
      owners.set(logicalId, ownerOf(c));
      const r = template.Resources?.[logicalId];
      for (const prop of NAME_PROPS[r?.Type] ?? []) {
        const name = literal(r.Properties?.[prop], stack.stackName);
        if (name !== undefined) literalNames.set(name, ownerOf(c));
      }
    }
    for (const alarm of stack.node.findAll().filter((c): c is cw.Alarm => c instanceof cw.Alarm)) {
      const owner = ownerOf(alarm);
      const props = stack.resolve((alarm.node.defaultChild as cw.CfnAlarm)._toCloudFormation()).Resources;
      const alarmProps = (Object.values(props)[0] as any).Properties;
      const dims: Array<{ Name: string; Value: any }> = [
        ...(alarmProps.Dimensions ?? []),
        ...(alarmProps.Metrics ?? []).flatMap((m: any) => m.MetricStat?.Metric.Dimensions ?? []),
      ];
      for (const d of dims) {
        // Stage and VariantName are scoped by ApiName and EndpointName, Tier (a usage-plan tier of the
        // job queue) by QueueName; Rule and Region are constants.
        if (['Stage', 'VariantName', 'Tier', 'Rule', 'Region'].includes(d.Name)) continue;
        const v = d.Value;
        const ref = v?.Ref ?? v?.['Fn::GetAtt']?.[0];
        const name = literal(v, stack.stackName);
        const target = ref !== undefined && !String(ref).startsWith('AWS::') ? owners.get(ref) : name !== undefined ? literalNames.get(name) : undefined;
        checked += 1;
        if (target !== owner) problems.push(`${alarm.node.path} ${d.Name}=${JSON.stringify(v)} belongs to ${target ?? 'no resource of this app'}, not ${owner}`);
      }
    }
  }
  expect(checked).toBeGreaterThan(100);
  expect(problems).toEqual([]);
});

test('the InferenceGuard pack and kig review report the same findings', async () => {
  const violations = new InferenceGuardChecks(app).validateScope(app).violations;
  const pack = violations.flatMap((v) => v.violatingResources.map(() => v.ruleName)).sort();
  const r = await runKig(['review', app.outdir, '--format', 'json']);
  const report = JSON.parse(r.stdout);
  const review = report.templates.flatMap((t: { findings: Array<{ ruleId: string; acknowledged?: string }> }) => t.findings.filter((f) => !f.acknowledged).map((f) => f.ruleId)).sort();
  expect(review).toEqual(pack);
}, 120_000);

test('every alarm of every compute shape reads catalog metrics and is quiet at rest', () => {
  const alarms = assembly.stacks.flatMap((s) => alarmsOf(s.stackName, s.template));
  expect(alarms.length).toBeGreaterThan(100);
  expect(alarms.flatMap(catalogProblems)).toEqual([]);
  expect(alarms.flatMap(restProblems)).toEqual([]);
});
