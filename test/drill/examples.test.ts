import { Drill, DrillError } from '../../lib/drill';
import { EXAMPLES, exampleAssemblyDir, removeSynthesizedExamples } from '../support/examples';

/**
 * Every example, drilled with every scenario at its defaults (the profile the backends record in
 * the template), keeps legitimate success >= 99 % under single-key and heavy, >= 95 % under
 * stolen-key, and refuses no more than capacity forces under surge. many-keys has no target: the
 * figure is what the stage throttle leaves legitimate clients.
 */
afterAll(() => removeSynthesizedExamples());

const WITH_API = EXAMPLES.filter((e) => e !== 'sagemaker-async');

describe.each(WITH_API)('example %s', (name) => {
  test.each(['single-key', 'stolen-key', 'heavy', 'surge', 'many-keys', 'queue-flood'])('%s meets its target at the defaults', (scenario) => {
    let r;
    try {
      r = Drill.runFile(exampleAssemblyDir(name), { scenario });
    } catch (e) {
      // Examples without a job queue have no POST /jobs to flood.
      expect(scenario).toBe('queue-flood');
      expect((e as DrillError).code).toBe('DRILL_NO_ENTRY_POINT');
      return;
    }
    expect(r.passed).toBe(true);
    if (scenario === 'single-key' || scenario === 'heavy') expect(r.legit.successRate).toBeGreaterThanOrEqual(0.99);
    if (scenario === 'stolen-key') expect(r.legit.successRate).toBeGreaterThanOrEqual(0.95);
    if (scenario === 'surge') expect(r.legit.refusedBy.waf + r.legit.refusedBy.plan + r.legit.refusedBy.quota).toBe(0);
    if (scenario === 'many-keys') expect(r.target).toBeUndefined();
  });
});

test('the async example has no API to flood: callers need IAM credentials for InvokeEndpointAsync', () => {
  expect(() => Drill.runFile(exampleAssemblyDir('sagemaker-async'))).toThrow(/no synchronous POST method of a REST API/);
});
