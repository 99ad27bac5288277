import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requestCostUnits, requestElements } from '../../lib/core/queue-formulas';
import { runKig } from '../support/cli';
import { kerasFixtures } from '../model/support';
import { BASE_PROFILE } from '../support/profiles';

// The four models Keras wrote (scripts/keras-fixtures.py): their cost units as kig prints them,
// checked against the elements of the largest request the fixture script wrote in Python.
const fixtures = kerasFixtures();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kig-cost-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Options that pin the batch and the variable bound to what the fixture script used. */
const bounds = (f: typeof fixtures[number]) => ['--max-batch', String(f.record.maxBatch), ...(f.variable ? ['--max-variable-dim', String(f.variable)] : [])];

/** One unit: one instance at its largest shape, from what Keras recorded. */
const referenceElements = (f: typeof fixtures[number]) =>
  f.record.inputs.reduce((n, i) => n + i.shape.slice(1).reduce<number>((m, d) => m * (d === null ? f.record.maxVariableDim : d), 1), 0);

describe.each(fixtures.map((f) => [f.name, f] as const))('cost units of %s', (_name, f) => {
  test('the largest request the fixture script wrote carries maxBatch reference inferences', () => {
    const largest = JSON.parse(fs.readFileSync(f.largestFile, 'utf8')) as unknown;
    expect(requestElements(largest)).toBe(f.record.maxBatch * referenceElements(f));
  });

  test('kig inspect prints one unit\'s elements and the largest request\'s cost', async () => {
    const r = await runKig(['inspect', f.savedModel, ...bounds(f)]);
    expect(r.code).toBe(0);
    const largest = JSON.parse(fs.readFileSync(f.largestFile, 'utf8')) as unknown;
    const expected = requestCostUnits(requestElements(largest), { referenceElements: referenceElements(f), fixedShare: 0.1 });
    expect(r.stdout).toContain(`Cost units: one unit is one instance at its largest shape (${referenceElements(f).toLocaleString('en-US')} elements); the largest request costs ${expected} units`);
    process.stdout.write(`${f.name}: ${r.stdout.split('\n').filter((l) => l.startsWith('Cost units') || l.includes('cost = ')).join(' | ')}\n`);
    const json = JSON.parse((await runKig(['inspect', f.savedModel, ...bounds(f), '--json'])).stdout) as { cost: { referenceElements: number; maxRequestCostUnits: number } };
    expect(json.cost).toMatchObject({ referenceElements: referenceElements(f), maxRequestCostUnits: expected });
  });

  test('kig limits --model prices the queue in units, calibrated by the profile\'s payload sizes', async () => {
    // Two sizes alone: p50 = 8 ms + 0.002 ms/byte x bytes, so the fit is exact.
    const profileFile = path.join(tmp, `${f.name}.json`);
    const maxRequestBytes = 200_000;
    fs.writeFileSync(profileFile, JSON.stringify({
      schemaVersion: 1, ...BASE_PROFILE, maxRequestBytes,
      payloadSizes: [{ file: 'small.json', bytes: 1_000, requests: 50, latencyMs: { p50: 10, p99: 12 }, errorRate: 0 },
        { file: 'large.json', bytes: 11_000, requests: 50, latencyMs: { p50: 30, p99: 33 }, errorRate: 0 }],
    }));
    const r = await runKig(['limits', '--profile', profileFile, '--model', f.savedModel, ...bounds(f), '--json']);
    expect(r.code).toBe(0);
    const { queue } = JSON.parse(r.stdout) as { queue: { costModel: { referenceElements: number; fixedShare: number }; maxRequestCostUnits: number; costBudgetUnits: number; drainUnitsPerSecond: number; drainRatePerSecond: number } };
    const fixedShare = Math.min(0.9, Math.round(8 / (8 + 0.002 * maxRequestBytes / f.record.maxBatch) * 1000) / 1000);
    expect(queue.costModel).toEqual({ referenceElements: referenceElements(f), fixedShare });
    expect(queue.maxRequestCostUnits).toBe(requestCostUnits(f.record.maxBatch * referenceElements(f), queue.costModel));
    // The profile measured its largest request: the drain rate in units is the job rate x its cost.
    expect(queue.drainUnitsPerSecond).toBeCloseTo(queue.drainRatePerSecond * queue.maxRequestCostUnits, 2);
    const text = (await runKig(['limits', '--profile', profileFile, '--model', f.savedModel, ...bounds(f)])).stdout;
    expect(text).toContain(`the largest request costs ${queue.maxRequestCostUnits} units`);
    expect(text).toMatch(/queue\.costBudgetUnits = [\d.]+\n\s+max\(maxJobCost/);
    // The synchronous threshold and the /predict schema bounds it gives, each with its formula.
    expect(text).toMatch(/queue\.syncCostThresholdUnits = [\d.]+\n\s+profiledRequestCost /);
    expect(text).toMatch(/queue\.syncMaxBatchSize = \d+\n\s+(the signature's maxBatch|largest b with cost)/);
    expect(text).toMatch(/queue\.syncMaxRequestCostUnits = [\d.]+\n\s+cost\(/);
    process.stdout.write(`${f.name}: kig limits: ${text.split('\n').filter((l) => /^cost units|queue\.(costModel|maxRequestCost|costBudget|drainUnits|maxJobCost|sync)/.test(l)).join(' | ')}\n`);
  });
});
