import { RuleLevel } from './rule';
import { EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY, INFERENCE_GUARD_RULES, MAX_RECEIVE_COUNT_BOUND } from './rules';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** RULES.md, generated from the rule registry so the document cannot drift from the code. */
export function renderRulesMarkdown(): string {
  const rows = INFERENCE_GUARD_RULES.map((r) =>
    `| \`${r.id}\` | ${r.level === RuleLevel.ERROR ? 'Error' : 'Warning'} | ${cell(r.levelReason)} | ${r.mitigation} | ${cell(r.resourceTypes.join(', '))} | ${cell(r.info)} | ${cell(r.fix)} |`);
  return [
    '# InferenceGuard rules',
    '',
    'The `InferenceGuardChecks` cdk-nag pack and the `kig review` command run the same rules, on the',
    'synthesized CloudFormation of a CDK app or on any CloudFormation template (JSON or YAML).',
    '',
    '- Register the pack: `Validations.of(app).addPlugins(new InferenceGuardChecks(app))`.',
    '- Acknowledge a finding on a construct (and its children), with a specific reason:',
    '  `Validations.of(construct).acknowledge({ id: \'InferenceGuard-APIWAFRateLimit\', reason: \'web ACL attached by Firewall Manager\' })`.',
    '- Review a template: `kig review template.yaml` (exit 1 when an error-level rule fails; `--fail-on warning` to fail on warnings too).',
    '- `kig review` honours acknowledgements written in the template as resource',
    '  `Metadata: { cdk_nag: { rules_to_suppress: [{ id: \'InferenceGuard-<Rule>\', reason }] } }`: the format cdk-nag writes',
    '  with `new InferenceGuardChecks(app, { writeSuppressionsToCloudFormation: true })`, usable in hand-written templates too.',
    '  An entry without a reason is ignored.',
    '',
    'Errors are configurations that leave a mitigation broken or absent with no safe reading; warnings are',
    'mitigations that can legitimately live outside the template, or that limit cost rather than availability.',
    '',
    '| Rule | Level | Why this level | Mitigation | Checks | What it finds | How to fix |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Conventions',
    '',
    '- Values absent from a template are read as the AWS default: integration timeout 29,000 ms (REST) and',
    '  30,000 ms (HTTP API), REST API endpoint type EDGE, SQS visibility timeout 30 s and retention 345,600 s,',
    '  Lambda timeout 3 s, ALB idle timeout 60 s, NLB TCP idle timeout 350 s. A timeout that passes only on',
    '  such a default is marked **default** in `kig review`, not **present**.',
    '- `kig review` marks a failing mitigation **wrong** when the protection is there but ineffective (a',
    '  maxReceiveCount above the bound, a DLQ that does not outlive its queue, an alarm with no action, with',
    '  actions disabled or always in ALARM) and **missing** when it is absent.',
    '- SAM templates (`Transform: AWS::Serverless-2016-10-31`) are reviewed as the resources the transform',
    '  generates for `AWS::Serverless::Function`, `Api` and `HttpApi` (Globals applied); APIs defined by an',
    '  inline OpenAPI `Body` are reviewed per operation. The cdk-nag pack checks the resources a CDK app declares.',
    '- Usage plans apply only to requests with an API key on methods that require one: a plan with no key and',
    '  no key-requiring method on its APIs is not checked (`InferenceGuard-APIUsagePlanLimits`).',
    `- Extended integration timeout: a REGIONAL or PRIVATE REST API whose quota was raised above 29 s declares it`,
    `  with resource Metadata \`"${EXTENDED_INTEGRATION_TIMEOUT_METADATA_KEY}": "<quota request id or reason>"\` on the`,
    '  `AWS::ApiGateway::RestApi` (CDK: `InferenceGuardChecks.recordExtendedIntegrationTimeout(api, reason)`). Edge-optimized',
    '  APIs cannot be extended. Even extended, timeouts above 300,000 ms are refused.',
    `- maxReceiveCount must be from 1 to ${MAX_RECEIVE_COUNT_BOUND}: SQS allows up to 1,000, but each receive of a poison message`,
    '  is a full inference attempt; 5 is the value AWS recommends with Lambda consumers.',
    '- Queues that are dead-letter targets (of a queue, Lambda function, event source mapping, SNS subscription',
    '  or EventBridge rule) are exempt from `InferenceGuard-SQSDeadLetterQueue` and are the ones',
    '  `InferenceGuard-AlarmDLQDepth` checks.',
    '- GPU capacity (`InferenceGuard-ECSGPUCount`) is detected from the service\'s capacity provider (or the',
    '  cluster\'s default strategy) -> Auto Scaling group -> launch template or launch configuration instance type',
    '  in a GPU family (g4dn, g5, g6, g6e, p2, p3, p4d, p4de, p5, p5e), or from a placement constraint on',
    '  `ecs.instance-type`.',
    '- A value only known at deploy time (a `Ref` to a parameter without a default, an import) makes the rule',
    '  not applicable for that value rather than guessing.',
    '',
  ].join('\n');
}
