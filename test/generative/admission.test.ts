import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import { admit, DepthGauge, parseRequest } from '../../handlers/admission/core';
import { ClientError } from '../../handlers/shared/errors';
import { compileRequestSchema } from '../../handlers/shared/schema';
import { localClients, MotoServer, startMoto } from '../support/moto';
import { admissionConfig, createFixture } from '../support/queue-fixture';
import { postJobs, TEST_SIGNATURE } from '../support/requests';
import { requestBody } from './arbitraries';

const SEED = 20260415;
const validate = compileRequestSchema(TEST_SIGNATURE.toJsonSchema());

/**
 * What TF Serving does with an accepted body: build a float32 tensor of the signature's shape from
 * the instances. It must build, and every element must stay finite once stored as float32.
 */
function modelServerAccepts(body: string): boolean {
  const instances = (JSON.parse(body) as { instances: number[][] }).instances;
  const t = tf.tensor(instances, [instances.length, 3], 'float32');
  try {
    return Array.from(t.dataSync()).every(Number.isFinite);
  } finally {
    t.dispose();
  }
}

describe('generated request bodies through admission', () => {
  test('parse and schema: a 4xx with problems, or a body the model server accepts', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(fc.property(requestBody, (body) => {
      const config = admissionConfig({ queueUrl: 'q', queueName: 'q', dlqUrl: 'd', tableName: 't', bucketName: 'b' }, { maxRequestBytes: 4_096 });
      try {
        parseRequest(postJobs(body), config, validate);
      } catch (e) {
        expect(e).toBeInstanceOf(ClientError);
        expect((e as ClientError).statusCode).toBeGreaterThanOrEqual(400);
        expect((e as ClientError).statusCode).toBeLessThan(500);
        refused++;
        return;
      }
      expect({ body, accepted: modelServerAccepts(body) }).toEqual({ body, accepted: true });
      accepted++;
    }), { seed: SEED, numRuns: 400 });
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  describe('end to end on a local queue', () => {
    let moto: MotoServer;
    beforeAll(async () => { moto = await startMoto(); });
    afterAll(async () => { await moto?.stop(); });

    test('every answer is 202 or a 4xx with a JSON body; never a 5xx', async () => {
      const clients = localClients(moto.endpoint);
      const f = await createFixture(clients, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
      const config = admissionConfig(f, { maxRequestBytes: 4_096 });
      const deps = { ...clients, validate, now: Date.now, log: () => undefined };
      const gauge = new DepthGauge(config, clients.sqs, Date.now);
      await fc.assert(fc.asyncProperty(requestBody, fc.constantFrom<unknown>('application/json', 5, { a: 1 }, null, 'text/plain'), async (body, contentType) => {
        const event = { ...postJobs(body), headers: { 'Content-Type': contentType as string } };
        const res = await admit(event, config, deps, gauge);
        expect(res.statusCode === 202 || (res.statusCode >= 400 && res.statusCode < 500)).toBe(true);
        expect(JSON.parse(res.body)).toEqual(expect.any(Object));
      }), { seed: SEED, numRuns: 40 });
    });
  });
});
