/** The worst-case cost of a synthesized example (kept apart from cost.test.ts: synthesizing is the slow part). */
import * as path from 'path';
import { DEFAULT_PRICES, loadTemplate, reviewTemplate } from '../../lib/review';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { exampleAssemblyDir, removeSynthesizedExamples } from '../support/examples';

const p = DEFAULT_PRICES;

describe('the queue example, synthesized', () => {
  afterAll(() => removeSynthesizedExamples());

  test('its admission and status functions are bounded by the stage throttle, so the whole template is', () => {
    const assembly = new CloudAssembly(exampleAssemblyDir('sagemaker-queue'));
    const file = assembly.stacks[0].templateFullPath;
    const r = reviewTemplate(loadTemplate(file, path.dirname(file)), { prices: p });
    const api = r.cost!.components.find((c) => c.lines.some((l) => l.item.startsWith('API requests')))!;
    const fnLines = api.lines.filter((l) => /^Lambda Jobs(Admission|Status)Function\w* duration \(API Gateway is its only invoker\)$/.test(l.item));
    expect(fnLines).toHaveLength(2);
    for (const l of fnLines) expect(l.formula).toMatch(/^\(\d+ rps x 3600 s \+ \d+ burst\) = \d+ invocations x 10 s timeout x .* \(Little's law\); throttles: \d+ rps \/ burst \d+ \(\w+ on stage prod\)$/);
    expect(r.cost!.perHour).toBeGreaterThan(0);
  });
});
