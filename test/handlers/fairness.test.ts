import { ADMISSION_PATTERNS } from '../../bench/admission-patterns';
import { FAIR_BUDGET_UNITS, FAIR_KEY_SHARE, OTHER_KEYS, runFairPattern, runPremiumDuringFlood } from '../../bench/fairness-patterns';
import { motoPerTestFile } from '../support/moto';

const peer = motoPerTestFile();

describe(`one key floods with the dearest jobs while ${OTHER_KEYS} others submit normal ones (local SQS + DynamoDB, real admission handler, 3 runs per pattern)`, () => {
  test.each(ADMISSION_PATTERNS.map((p) => [p.name, p] as const))('others arrive as in "%s": others admitted >= 99 %%, the flooder held to its share, the queue within its cost budget', async (_name, pattern) => {
    const figures: string[] = [];
    for (let run = 0; run < 3; run++) {
      const r = await runFairPattern(peer.clients, pattern);
      figures.push(`run ${run + 1}: others ${r.othersAdmitted}/${r.othersSubmitted}, flooder ${r.flooderAdmitted}/${r.flooderSubmitted} (max ${r.flooderMaxUnits} units, share ${r.keyBudgetUnits}), queue max ${r.maxUnits} units (bound ${r.unitBound})`);
      expect(r.unexpected).toEqual([]);
      expect(r.othersSubmitted).toBeGreaterThan(0);
      expect(r.othersAdmitted / r.othersSubmitted).toBeGreaterThanOrEqual(0.99);
      expect(r.flooderMaxUnits).toBeLessThanOrEqual(FAIR_BUDGET_UNITS * FAIR_KEY_SHARE);
      // The flood really was held back, by its key's share and nothing else.
      expect(r.flooderKeyShareRefusals).toBeGreaterThan(0);
      expect(r.flooderKeyShareRefusals).toBe(r.flooderSubmitted - r.flooderAdmitted);
      expect(r.maxUnits).toBeLessThanOrEqual(r.unitBound);
      expect(r.retryAfterBelowDrain).toBe(0);
    }
    process.stdout.write(`${pattern.name}\n  ${figures.join('\n  ')}\n`);
  }, 900_000);
});

describe('priority by tier (local SQS + DynamoDB, real admission and worker handlers, a model server whose call time grows with the request)', () => {
  test('a premium job submitted during a basic-tier flood completes behind at most the basic tier\'s budget', async () => {
    const r = await runPremiumDuringFlood(peer.clients, { budgetUnits: 40, basicShare: 0.5, basicKeys: 4, workers: 2, msPerElement: 3, maxMs: 240_000 });
    process.stdout.write(`premium during basic flood: ${JSON.stringify(r)}\n`);
    expect(r.premiumStatus).toBe(202);
    expect(r.premiumState).toBe('SUCCEEDED');
    // The basic flood did fill its tier's share: the premium job arrived behind a full tier.
    expect(r.basicTierRefusals).toBeGreaterThan(0);
    // Measured in units of work served before it, not in seconds: this machine's speed varies.
    expect(r.unitsServedBeforePremium).toBeLessThanOrEqual(r.unitsBound);
  }, 600_000);
});
