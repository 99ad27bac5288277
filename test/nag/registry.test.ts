import * as fs from 'fs';
import * as path from 'path';
import { NagMessageLevel } from 'cdk-nag';
import { INFERENCE_GUARD_RULES, Mitigation, RuleLevel, renderRulesMarkdown } from '../../lib/nag';

describe('InferenceGuard rule registry', () => {
  test('lists every rule id and its level', () => {
    expect(INFERENCE_GUARD_RULES.map((r) => [r.id, r.level])).toEqual([
      ['InferenceGuard-APIStageThrottling', RuleLevel.ERROR],
      ['InferenceGuard-APIUsagePlanLimits', RuleLevel.ERROR],
      ['InferenceGuard-APIKeyUsagePlan', RuleLevel.ERROR],
      ['InferenceGuard-APIWAFRateLimit', RuleLevel.WARNING],
      ['InferenceGuard-APIIntegrationTimeout', RuleLevel.ERROR],
      ['InferenceGuard-APITimeoutChain', RuleLevel.ERROR],
      ['InferenceGuard-APIRequestValidation', RuleLevel.WARNING],
      ['InferenceGuard-APIAccessLogging', RuleLevel.WARNING],
      ['InferenceGuard-HTTPAPIStageThrottling', RuleLevel.ERROR],
      ['InferenceGuard-HTTPAPIEdgeProtection', RuleLevel.WARNING],
      ['InferenceGuard-HTTPAPIRouteAuthorization', RuleLevel.WARNING],
      ['InferenceGuard-HTTPAPIIntegrationTimeout', RuleLevel.ERROR],
      ['InferenceGuard-LambdaFunctionURLAuth', RuleLevel.ERROR],
      ['InferenceGuard-LambdaConcurrencyCap', RuleLevel.ERROR],
      ['InferenceGuard-LambdaAPITimeout', RuleLevel.ERROR],
      ['InferenceGuard-LambdaLogRetention', RuleLevel.WARNING],
      ['InferenceGuard-ALBWAFRateLimit', RuleLevel.WARNING],
      ['InferenceGuard-ALBAccessLogging', RuleLevel.WARNING],
      ['InferenceGuard-SQSDeadLetterQueue', RuleLevel.ERROR],
      ['InferenceGuard-SQSDeadLetterRetention', RuleLevel.ERROR],
      ['InferenceGuard-SQSVisibilityTimeout', RuleLevel.ERROR],
      ['InferenceGuard-SQSConsumerConcurrency', RuleLevel.ERROR],
      ['InferenceGuard-SQSWorkerVisibilityTimeout', RuleLevel.WARNING],
      ['InferenceGuard-ECSContainerLimits', RuleLevel.ERROR],
      ['InferenceGuard-ECSGPUCount', RuleLevel.ERROR],
      ['InferenceGuard-ECSServiceScaling', RuleLevel.WARNING],
      ['InferenceGuard-SageMakerVariantScaling', RuleLevel.WARNING],
      ['InferenceGuard-SageMakerAsyncConcurrency', RuleLevel.WARNING],
      ['InferenceGuard-SageMakerServerlessConcurrency', RuleLevel.ERROR],
      ['InferenceGuard-SageMakerAsyncScalingMetric', RuleLevel.ERROR],
      ['InferenceGuard-AlarmDLQDepth', RuleLevel.WARNING],
      ['InferenceGuard-AlarmAPI5XX', RuleLevel.WARNING],
      ['InferenceGuard-AlarmComputeHealth', RuleLevel.WARNING],
      ['InferenceGuard-AlarmEntryPoint', RuleLevel.WARNING],
      ['InferenceGuard-AlarmActions', RuleLevel.WARNING],
      ['InferenceGuard-LogGroupRetention', RuleLevel.WARNING],
    ]);
  });

  test('levels are the cdk-nag message levels the pack reports', () => {
    expect(String(RuleLevel.ERROR)).toBe(String(NagMessageLevel.ERROR));
    expect(String(RuleLevel.WARNING)).toBe(String(NagMessageLevel.WARN));
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
