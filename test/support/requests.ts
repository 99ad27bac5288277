import type { ProxyEvent } from '../../handlers/shared/http';
import { ModelSignature, TensorDType } from '../../lib/model';

/** The model signature used by the handler tests: a batch of up to 4 float32 vectors of length 3. */
export const TEST_SIGNATURE = ModelSignature.singleTensor({ dtype: TensorDType.FLOAT32, shape: [3], maxBatchSize: 4 });

/** An API Gateway proxy event for POST /jobs. */
export function postJobs(body: unknown, headers: Record<string, string> = {}, scope = 'key-1'): ProxyEvent {
  return {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    headers: { 'Content-Type': 'application/json', ...headers },
    requestContext: { requestId: 'req-1', path: '/prod/jobs', identity: { apiKeyId: scope } },
  };
}

/** An API Gateway proxy event for GET /jobs/{id}. */
export function getJob(id: string): ProxyEvent {
  return { pathParameters: { id }, requestContext: { requestId: 'req-2', path: `/prod/jobs/${id}` } };
}
