import { CfnElement, CfnResource, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
// From cdk-nag's own modules, not its index: the index loads every pack and all of their rules
// (over 300 modules, about a quarter of a second of CPU), which a program that registers this pack
// alone never uses. The types are the same declarations the index re-exports.
import { NagPack, NagPackProps } from 'cdk-nag/lib/nag-pack';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { InferenceGuardError } from '../core/errors';
import { INFERENCE_GUARD_PACK_NAME, InferenceGuardRule, RuleLevel, RuleStatus } from './rule';
import { INFERENCE_GUARD_RULES } from './rules';
import { evaluateRule } from './evaluate';
import { recordExtendedIntegrationTimeout } from './extended-timeout';
import { withImportedAlarms } from './template/cross-stack-alarms';
import { CfnTemplate, TemplateModel } from './template/template-model';

/** Options of the InferenceGuard pack. */
export interface InferenceGuardChecksProps extends NagPackProps {
  /**
   * Rule ids (e.g. `InferenceGuard-APIWAFRateLimit`) to leave out of this pack instance.
   * Prefer `Validations.of(construct).acknowledge({ id, reason })` for individual resources;
   * this is for whole-app decisions (e.g. the web ACL lives in another account's stack).
   * @default - every rule runs
   */
  readonly excludeRules?: string[];
}

/**
 * cdk-nag 3 pack that checks the denial-of-service mitigations of a CDK app: API throttling,
 * usage plans, WAF, the timeout chain, dead-letter queues, consumer concurrency, container limits,
 * SageMaker scaling and concurrency, alarms and log retention. See RULES.md.
 *
 * Register it with `Validations.of(app).addPlugins(new InferenceGuardChecks(app))`; acknowledge
 * a finding with `Validations.of(construct).acknowledge({ id: 'InferenceGuard-<Rule>', reason })`.
 *
 * The rules are written against the synthesized CloudFormation of each stack (the same logic
 * `kig review` runs on template files), so the pack resolves each stack to a template once per run.
 */
export class InferenceGuardChecks extends NagPack {
  /**
   * Records on a REST API that its integration timeout was deliberately raised above 29 s (after a
   * quota increase), so `InferenceGuard-APIIntegrationTimeout` accepts timeouts up to 300 s on it.
   * Only REGIONAL and PRIVATE APIs can be extended.
   *
   * @param api the REST API (its CfnRestApi gets the metadata entry)
   * @param reason why, e.g. the quota request id; it is written into the template for reviewers
   */
  public static recordExtendedIntegrationTimeout(api: IRestApi, reason: string): void {
    recordExtendedIntegrationTimeout(api, reason);
  }

  public readonly name = INFERENCE_GUARD_PACK_NAME;
  public readonly ruleIds?: string[];
  private readonly rules: readonly InferenceGuardRule[];
  private models = new Map<Stack, TemplateModel>();
  private templates = new Map<Stack, CfnTemplate>();

  constructor(scope?: IConstruct, props?: InferenceGuardChecksProps) {
    super(scope, props);
    this.packName = INFERENCE_GUARD_PACK_NAME;
    const excluded = new Set(props?.excludeRules ?? []);
    const unknown = [...excluded].filter((id) => !INFERENCE_GUARD_RULES.some((r) => r.id === id));
    if (unknown.length > 0) {
      throw new InferenceGuardError('NAG_PACK_PROPS', 'InferenceGuardChecks', [{
        prop: 'excludeRules', value: JSON.stringify(unknown), allowed: `rule ids of this pack: ${INFERENCE_GUARD_RULES.map((r) => r.id).join(', ')}`, fix: 'use ids listed in RULES.md',
      }]);
    }
    this.rules = INFERENCE_GUARD_RULES.filter((r) => !excluded.has(r.id));
    this.ruleIds = this.rules.map((r) => r.id);
  }

  /** Validates a construct tree; stack templates are built once per call and dropped afterwards. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.models = new Map();
    this.templates = new Map();
    try {
      return super.validateScope(scope);
    } finally {
      this.models = new Map();
      this.templates = new Map();
    }
  }

  protected checkResource(node: CfnResource): void {
    const rules = this.rules.filter((r) => r.resourceTypes.includes(node.cfnResourceType));
    if (rules.length === 0) return;
    const stack = Stack.of(node);
    const model = this.modelOf(stack);
    const logicalId = stack.resolve(node.logicalId) as string;
    for (const rule of rules) {
      this.applyRule({
        ruleSuffixOverride: rule.name,
        info: `${rule.info} Fix: ${rule.fix}`,
        explanation: rule.explanation,
        level: rule.level === RuleLevel.ERROR ? NagMessageLevel.ERROR : NagMessageLevel.WARN,
        node,
        rule: () => toNagResult(evaluateRule(rule, model, logicalId).status),
      });
    }
  }

  private modelOf(stack: Stack): TemplateModel {
    let model = this.models.get(stack);
    if (!model) {
      // Alarms that watch this stack's resources from other stacks of the app count too.
      const others = stack.node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c !== stack).map((s) => this.templateOf(s));
      model = new TemplateModel(withImportedAlarms(this.templateOf(stack), others));
      this.models.set(stack, model);
    }
    return model;
  }

  private templateOf(stack: Stack): CfnTemplate {
    let t = this.templates.get(stack);
    if (!t) {
      t = stackTemplate(stack);
      this.templates.set(stack, t);
    }
    return t;
  }
}

function toNagResult(status: RuleStatus): NagRuleCompliance {
  switch (status) {
    case RuleStatus.COMPLIANT: return NagRuleCompliance.COMPLIANT;
    case RuleStatus.NON_COMPLIANT: return NagRuleCompliance.NON_COMPLIANT;
    default: return NagRuleCompliance.NOT_APPLICABLE;
  }
}

/**
 * The CloudFormation template of one stack, as `cdk synth` would write it (resources, parameters,
 * conditions), built from the stack's own elements. Elements of nested stacks belong to those.
 */
export function stackTemplate(stack: Stack): CfnTemplate {
  const merged: Record<string, Record<string, unknown>> = { Resources: {} };
  for (const c of stack.node.findAll()) {
    if (!CfnElement.isCfnElement(c) || c.stack !== stack) continue;
    // _toCloudFormation is how the stack itself renders each element during synthesis.
    const fragment = stack.resolve((c as unknown as { _toCloudFormation(): object })._toCloudFormation()) as Record<string, Record<string, unknown>>;
    for (const [section, entries] of Object.entries(fragment)) {
      if (entries && typeof entries === 'object') merged[section] = { ...merged[section], ...entries };
    }
  }
  return merged as unknown as CfnTemplate;
}
