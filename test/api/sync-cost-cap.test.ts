import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { App, Stack } from 'aws-cdk-lib';
import { InferenceApi, ModelSignature, TensorDType } from '../../lib';
import { renderGatewayResponse } from '../support/api-gateway-templates';
import { cfnLint } from '../support/cfn-lint';
import { errorOf } from '../support/errors';
import { serviceStack } from '../support/stacks';

/**
 * POST /predict refuses requests above the synchronous cost threshold with the request model
 * alone (API Gateway validates the body against it before the integration is called), and its 400
 * names the limit and POST /jobs.
 */

/** A text model: one variable dimension of at most 128 tokens, batches of at most 8. */
const TEXT = ModelSignature.singleTensor({ name: 'tokens', dtype: TensorDType.INT32, shape: [-1], maxVariableDim: 128, maxBatchSize: 8 });

type Res = { Type: string; Properties: Record<string, any> };

function resources(template: { toJSON(): any }, type: string): Array<[string, Res]> {
  return Object.entries(template.toJSON().Resources as Record<string, Res>).filter(([, r]) => r.Type === type);
}

function modelNamed(template: { toJSON(): any }, name: string): [string, Res] | undefined {
  return resources(template, 'AWS::ApiGateway::Model').find(([, r]) => r.Properties.Name === name);
}

/** The logical id of the model a POST method validates with, by its resource's path part. */
function methodModel(template: { toJSON(): any }, pathPart: string): string {
  const [resourceId] = resources(template, 'AWS::ApiGateway::Resource').find(([, r]) => r.Properties.PathPart === pathPart)!;
  const [, method] = resources(template, 'AWS::ApiGateway::Method').find(([, r]) => r.Properties.HttpMethod === 'POST' && r.Properties.ResourceId?.Ref === resourceId)!;
  return method.Properties.RequestModels['application/json'].Ref;
}

function badRequestBody(template: { toJSON(): any }, validationErrorString: string): any {
  const [, response] = resources(template, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === 'BAD_REQUEST_BODY')!;
  expect(response.Properties.StatusCode).toBe('400');
  return JSON.parse(renderGatewayResponse(response.Properties.ResponseTemplates['application/json'], { message: 'Invalid request body', responseType: 'BAD_REQUEST_BODY', validationErrorString }));
}

const tokens = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('a service with a job queue caps the cost of POST /predict (threshold tuned to 2 units)', () => {
  // Threshold 2 units; fixedShare 0.1 (the profile has no payload sizes); one unit = 128 tokens.
  // One sequence of 128 costs 1 <= 2, so the token bound stays 128; cost(b sequences of 128) =
  // 0.1 + 0.9 x b: b = 2 costs 1.9 (admitted), b = 3 costs 2.8 (refused). So maxItems 2 on instances.
  const { template, service } = serviceStack({ signature: TEXT, jobQueue: { limits: { syncCostThresholdUnits: 2 } } });

  test('the numbers are recorded with the queue limits', () => {
    expect(service.jobs!.limits.syncCostThresholdUnits).toBe(2);
    expect(service.jobs!.limits.syncMaxBatchSize).toBe(2);
    expect(service.jobs!.limits.syncMaxVariableDim).toBe(128);
    expect(service.jobs!.limits.syncMaxRequestCostUnits).toBe(1.9);
    expect(service.api!.syncCostCap).toEqual({ thresholdUnits: 2, maxBatchSize: 2, maxVariableDim: 128, maxRequestCostUnits: 1.9, heavierRequestsTo: 'POST /jobs' });
  });

  test('/predict validates against the narrowed model, /jobs against the whole signature', () => {
    const [syncId, sync] = modelNamed(template, 'PredictRequestSync')!;
    const [fullId, full] = modelNamed(template, 'PredictRequest')!;
    expect(methodModel(template, 'predict')).toBe(syncId);
    expect(methodModel(template, 'jobs')).toBe(fullId);
    expect(sync.Properties.Schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(sync.Properties.Schema.properties.instances.maxItems).toBe(2);
    expect(sync.Properties.Schema.properties.instances.items.maxItems).toBe(128);
    expect(full.Properties.Schema.properties.instances.maxItems).toBe(8);
  });

  test('the synthesized schema, run by a draft-04 validator: 2 sequences of 128 (1.9 units) pass, 3 (2.8 units) do not', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const predict = ajv.compile(modelNamed(template, 'PredictRequestSync')![1].Properties.Schema);
    const jobs = ajv.compile(modelNamed(template, 'PredictRequest')![1].Properties.Schema);
    const under = { instances: [tokens(128), tokens(128)] };
    const over = { instances: [tokens(128), tokens(128), tokens(128)] };
    expect(predict(under)).toBe(true);
    expect(predict(over)).toBe(false);
    expect(predict.errors).toEqual([expect.objectContaining({ keyword: 'maxItems', instancePath: '/instances', params: { limit: 2 } })]);
    // The refused request is one POST /jobs accepts (its cost is priced exactly there).
    expect(jobs(over)).toBe(true);
    // The price of a per-array bound: 3 sequences of 10 tokens cost 0.1 + 0.9 x 30 / 128 = 0.311 units, under the
    // threshold, and are refused all the same (JSON Schema draft 4 cannot bound a sum of lengths).
    expect(predict({ instances: [tokens(10), tokens(10), tokens(10)] })).toBe(false);
    // Above the token bound is refused as before.
    expect(predict({ instances: [tokens(129)] })).toBe(false);
  });

  test('cfn-lint passes on the template with the narrowed model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-sync-cap-'));
    try {
      const file = path.join(dir, 'sync-cap.template.json');
      fs.writeFileSync(file, JSON.stringify(template.toJSON()));
      expect(await cfnLint([file])).toEqual({ status: 0, stdout: '', stderr: '' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the 400 is JSON and names the limit and POST /jobs', () => {
    const body = badRequestBody(template, '[array is too long: must have at most 2 elements but instance has 3 elements]');
    expect(body).toMatchObject({
      error: 'InvalidRequest',
      message: '[array is too long: must have at most 2 elements but instance has 3 elements]',
      syncLimit: { maxCostUnits: 2, maxBatchSize: 2, maxVariableDim: 128, heavierRequests: 'POST /jobs' },
      requestId: 'req-123',
    });
    expect(body.syncLimit.note).toContain('at most 2 cost units');
    expect(body.syncLimit.note).toContain('send heavier requests to POST /jobs');
  });
});

describe('a threshold below one full-length sequence narrows the token bound, with a batch of one', () => {
  // Threshold 0.5: cost(1 sequence of L) = 0.1 + 0.9 x L / 128; L = 56 costs 0.494, L = 57 costs 0.501.
  const { template } = serviceStack({ signature: TEXT, jobQueue: { limits: { syncCostThresholdUnits: 0.5 } } });

  test('56 tokens pass, 57 do not, and neither do two sequences of one token', () => {
    const schema = modelNamed(template, 'PredictRequestSync')![1].Properties.Schema;
    expect([schema.properties.instances.maxItems, schema.properties.instances.items.maxItems]).toEqual([1, 56]);
    const predict = new Ajv({ strict: false }).compile(schema);
    expect(predict({ instances: [tokens(56)] })).toBe(true);
    expect(predict({ instances: [tokens(57)] })).toBe(false);
    expect(predict({ instances: [tokens(1), tokens(1)] })).toBe(false);
    expect(badRequestBody(template, '[x]').syncLimit).toMatchObject({ maxCostUnits: 0.5, maxBatchSize: 1, maxVariableDim: 56 });
  });
});

describe('where the cap is not applied', () => {
  const unchanged = (template: { toJSON(): any }) => {
    expect(modelNamed(template, 'PredictRequestSync')).toBeUndefined();
    expect(methodModel(template, 'predict')).toBe(modelNamed(template, 'PredictRequest')![0]);
    expect(badRequestBody(template, '[x]')).toEqual({ error: 'InvalidRequest', message: '[x]', requestId: 'req-123' });
  };

  test('capSyncCost: false turns it off', () => {
    unchanged(serviceStack({ signature: TEXT, jobQueue: { limits: { syncCostThresholdUnits: 2 }, capSyncCost: false } }).template);
  });

  test('without a job queue there is nowhere to send heavier work: /predict admits the whole signature', () => {
    unchanged(serviceStack({ signature: TEXT }).template);
  });

  test('a threshold the signature already meets changes nothing (the profile measured at the largest request)', () => {
    const { template, service } = serviceStack({ signature: TEXT, jobQueue: {} });
    // Integration timeout 6000 ms, p99 41 ms: 7.3 x 6000 / 41 = 1068.292 units, far above the largest request (7.3).
    expect(service.jobs!.limits.syncCostThresholdUnits).toBe(1068.292);
    expect(service.api!.syncCostCap).toBeUndefined();
    unchanged(template);
  });
});

test('InferenceApi refuses a cap that widens the signature or admits more than its threshold', () => {
  const { service } = serviceStack({ signature: TEXT });
  const stack = new Stack(new App(), 'Other');
  const e = errorOf(() => new InferenceApi(stack, 'Api', {
    target: service.syncBackend!, limits: service.limits, signature: TEXT,
    syncCostCap: { thresholdUnits: 2, maxBatchSize: 9, maxRequestCostUnits: 2.8, heavierRequestsTo: 'POST /jobs $context.requestId' },
  }));
  expect(e.problems.map((p) => p.prop).sort()).toEqual(['syncCostCap.heavierRequestsTo', 'syncCostCap.maxBatchSize', 'syncCostCap.maxRequestCostUnits']);
});
