import { ADMISSION_PATTERNS, runPattern } from '../../bench/admission-patterns';
import { motoPerTestFile } from '../support/moto';

const peer = motoPerTestFile();

describe('admission bound under adversarial arrival patterns (local SQS + DynamoDB, 3 runs each)', () => {
  test.each(ADMISSION_PATTERNS.map((p) => [p.name, p] as const))('%s: depth never above budget + environments - 1 (+1 per SDK-retried send); Retry-After never below the drain time', async (_name, pattern) => {
    for (let run = 0; run < 3; run++) {
      const r = await runPattern(peer.clients, pattern);
      expect(r.unexpected).toEqual([]);
      expect(r.maxDepth).toBeLessThanOrEqual(r.bound);
      expect(r.retryAfterBelowDrain).toBe(0);
      if (pattern.drainPerSecond === 0) {
        // Nothing drains: every admitted job is still queued, and the budget is used in full.
        expect(r.admitted).toBeLessThanOrEqual(r.bound);
        expect(r.admitted).toBeGreaterThanOrEqual(pattern.depthBudget);
      }
      expect(r.rejected).toBeGreaterThan(0);
    }
  });
});
