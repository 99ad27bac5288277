import { findKnee, niceTicks, renderHtml, renderSvg, StepResult } from '../../lib/profiler';

const steps: StepResult[] = [1, 2, 4, 8].map((c, i) => ({
  concurrency: c, durationSeconds: 1, ok: 10, non2xx: 0, errors: 0, throughputRps: [40, 80, 160, 161][i],
  latencyMs: { p50: [25, 25, 25, 50][i], p90: [26, 26, 26, 51][i], p99: [26, 26, 27, 52][i], max: 60 }, errorRate: 0, statusCounts: { 200: 10 },
}));

describe('report', () => {
  test('nice ticks cover the maximum with 1/2/5 steps', () => {
    expect(niceTicks(161)).toEqual([0, 50, 100, 150, 200]);
    expect(niceTicks(0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  test('svg has one p99 and one p50 point per step and labels the knee', () => {
    const knee = findKnee(steps)!;
    const svg = renderSvg({ model: 'm<1>', hardware: 'local', target: 'http://x', measuredAt: 't', steps, knee, status: 'complete' });
    expect(svg.match(/class="point p99"/g)).toHaveLength(4);
    expect(svg.match(/class="point p50"/g)).toHaveLength(4);
    expect(svg).toContain('knee: concurrency 4, 160 req/s, p99 27 ms');
    expect(svg).toContain('m&lt;1&gt;');
    expect(svg).not.toContain('>c=4<'); // the knee label names it
  });

  test('a partial step is drawn hollow and labelled', () => {
    const svg = renderSvg({ model: 'm', hardware: 'h', target: 't', measuredAt: 't', steps: [steps[0], { ...steps[1], partial: true }], knee: findKnee([steps[0]]), status: 'interrupted' });
    expect(svg).toMatch(/class="point p99 partial" data-concurrency="2"[^>]*fill="#ffffff"/);
    expect(svg).toContain('>c=2 (partial)<');
  });

  test('without a knee the plot says so', () => {
    const svg = renderSvg({ model: 'm', hardware: 'h', target: 't', measuredAt: 't', steps: [], status: 'unreachable' });
    expect(svg).toContain('no knee: no step completed');
  });

  test('html carries the tables', () => {
    const html = renderHtml({ model: 'm', hardware: 'h', target: 't', measuredAt: 't', steps, knee: findKnee(steps), status: 'complete', payloadSizes: [{ file: 'a.json', bytes: 10, requests: 5, latencyMs: { p50: 1, p99: 2 }, errorRate: 0 }] });
    expect(html).toContain('<table id="steps">');
    expect(html).toContain('<table id="payload-sizes">');
    expect(html).toContain('<tr class="knee"><td>4</td>');
  });
});
