import * as fs from 'fs';
import * as path from 'path';
import { NagMessageLevel } from 'cdk-nag';
import { INFERENCE_GUARD_RULES, Mitigation, renderRulesMarkdown } from '../../lib/nag';

describe('InferenceGuard rule registry', () => {
  test('lists every rule id and its level', () => {
    expect(INFERENCE_GUARD_RULES.map((r) => [r.id, r.level])).toEqual([
      ['InferenceGuard-APIStageThrottling', NagMessageLevel.ERROR],
      ['InferenceGuard-APIUsagePlanLimits', NagMessageLevel.ERROR],
      ['InferenceGuard-APIKeyUsagePlan', NagMessageLevel.ERROR],
      ['InferenceGuard-APIWAFRateLimit', NagMessageLevel.WARN],
      ['InferenceGuard-APIIntegrationTimeout', NagMessageLevel.ERROR],
      ['InferenceGuard-APITimeoutChain', NagMessageLevel.ERROR],
      ['InferenceGuard-APIRequestValidation', NagMessageLevel.WARN],
      ['InferenceGuard-SQSDeadLetterQueue', NagMessageLevel.ERROR],
      ['InferenceGuard-SQSDeadLetterRetention', NagMessageLevel.ERROR],
      ['InferenceGuard-SQSVisibilityTimeout', NagMessageLevel.ERROR],
      ['InferenceGuard-SQSConsumerConcurrency', NagMessageLevel.ERROR],
      ['InferenceGuard-ECSContainerLimits', NagMessageLevel.ERROR],
      ['InferenceGuard-ECSGPUCount', NagMessageLevel.ERROR],
      ['InferenceGuard-SageMakerVariantScaling', NagMessageLevel.WARN],
      ['InferenceGuard-SageMakerAsyncConcurrency', NagMessageLevel.WARN],
      ['InferenceGuard-SageMakerServerlessConcurrency', NagMessageLevel.ERROR],
      ['InferenceGuard-SageMakerAsyncScalingMetric', NagMessageLevel.ERROR],
      ['InferenceGuard-AlarmDLQDepth', NagMessageLevel.WARN],
      ['InferenceGuard-AlarmAPI5XX', NagMessageLevel.WARN],
      ['InferenceGuard-LogGroupRetention', NagMessageLevel.WARN],
    ]);
  });

  test('every rule says why its level, what it finds, how to fix, and checks at least one resource type', () => {
    for (const r of INFERENCE_GUARD_RULES) {
      expect(r.id).toBe(`InferenceGuard-${r.name}`);
      expect(r.levelReason.length).toBeGreaterThan(30);
      expect(r.info.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(20);
      expect(r.resourceTypes.length).toBeGreaterThan(0);
      expect(Object.values(Mitigation)).toContain(r.mitigation);
    }
  });

  test('RULES.md is the rendering of the registry (regenerate: npm run build && node dist/scripts/rules-md.js)', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', '..', 'RULES.md'), 'utf8');
    expect(file).toBe(renderRulesMarkdown());
  });
});
