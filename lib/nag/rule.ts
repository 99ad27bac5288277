import { TemplateModel } from './template/template-model';

/** Prefix of every rule id in the pack: ids read `InferenceGuard-<RuleName>`. */
export const INFERENCE_GUARD_PACK_NAME = 'InferenceGuard';

/**
 * Level of a rule. The values are cdk-nag's NagMessageLevel values; the rules do not import
 * cdk-nag themselves so that `kig review` runs without it.
 */
export enum RuleLevel {
  /** Fails synthesis and makes `kig review` exit 1. */
  ERROR = 'Error',
  /** Fails synthesis (cdk-nag 3 fails on warnings too); `kig review` exits 1 only with --fail-on warning. */
  WARNING = 'Warning',
}

/** The five denial-of-service mitigations a rule belongs to (the columns of the review table). */
export enum Mitigation {
  /** CPU, memory, GPU, concurrency and capacity ceilings. */
  RESOURCE_LIMITS = 'resource limits',
  /** Timeouts along the chain from client to model. */
  TIMEOUTS = 'timeouts',
  /** Throttling, usage plans and WAF rate-based rules. */
  RATE_LIMITING = 'rate limiting',
  /** Dead-letter queues, redrive bounds, backlog-based scaling. */
  QUEUE_MANAGEMENT = 'queue management',
  /** CloudWatch alarms and log retention. */
  ALARMS = 'alarms',
}

/** Whether a resource passes a rule. */
export enum RuleStatus {
  /** The resource meets the rule. */
  COMPLIANT = 'compliant',
  /** The resource breaks the rule; `findings` say how. */
  NON_COMPLIANT = 'non-compliant',
  /** The rule does not apply to this resource. */
  NOT_APPLICABLE = 'not-applicable',
}

/**
 * What a review mark says beyond pass/fail: a failing mitigation is either absent or present but
 * wrong; a passing one may rest only on the platform default.
 */
export enum OutcomeDetail {
  /** Failing: the protection is not there at all. */
  ABSENT = 'absent',
  /** Failing: the protection is there but does not protect (wrong value, no action, never fires). */
  WRONG = 'wrong',
  /** Passing, but only because the platform default happens to be acceptable (nothing was set). */
  DEFAULT = 'default',
}

/** The result of one rule on one resource. */
export interface RuleOutcome {
  /** Whether the resource passes. */
  readonly status: RuleStatus;
  /**
   * Absent or wrong (failing), or only the platform default (passing).
   * @default - absent when failing, set explicitly when passing
   */
  readonly detail?: OutcomeDetail;
  /**
   * One line per problem for NON_COMPLIANT (what is wrong, the value, what is allowed, the fix);
   * for the other statuses, what was found (the evidence behind a "present" mark).
   */
  readonly findings: readonly string[];
}

/** A passing outcome, with the evidence. */
export function compliant(...evidence: string[]): RuleOutcome {
  return { status: RuleStatus.COMPLIANT, findings: evidence };
}

/** An outcome for resources the rule does not cover, with the reason. */
export function notApplicable(...reason: string[]): RuleOutcome {
  return { status: RuleStatus.NOT_APPLICABLE, findings: reason };
}

/** A passing outcome that rests only on the platform default (nothing set in the template). */
export function compliantByDefault(...evidence: string[]): RuleOutcome {
  return { status: RuleStatus.COMPLIANT, findings: evidence, detail: OutcomeDetail.DEFAULT };
}

/** A failing outcome: one finding per problem. Empty findings mean compliant. */
export function nonCompliant(findings: readonly string[], evidence: readonly string[] = []): RuleOutcome {
  return findings.length > 0
    ? { status: RuleStatus.NON_COMPLIANT, findings }
    : { status: RuleStatus.COMPLIANT, findings: evidence };
}

/**
 * A failing outcome for a protection that is present but does not protect: `wrong` lists those
 * problems, `absent` the ones where something is missing altogether (either may be empty; both
 * empty means compliant). The mark reads "wrong" only when nothing is absent.
 */
export function flawed(wrong: readonly string[], absent: readonly string[] = [], evidence: readonly string[] = []): RuleOutcome {
  const findings = [...absent, ...wrong];
  if (findings.length === 0) return { status: RuleStatus.COMPLIANT, findings: evidence };
  return { status: RuleStatus.NON_COMPLIANT, findings, detail: absent.length > 0 ? OutcomeDetail.ABSENT : OutcomeDetail.WRONG };
}

/**
 * One rule of the pack. The logic works on a plain CloudFormation template, so the cdk-nag pack
 * (which builds the template from a stack) and the `review` command (which reads it from a file)
 * run the same code.
 */
export interface InferenceGuardRule {
  /** Full rule id, e.g. `InferenceGuard-APIStageThrottling` (use it to acknowledge). */
  readonly id: string;
  /** Rule name without the pack prefix. */
  readonly name: string;
  /** Error or warning. */
  readonly level: RuleLevel;
  /** Why this level was chosen. */
  readonly levelReason: string;
  /** The mitigation the rule checks. */
  readonly mitigation: Mitigation;
  /** Resource types the rule is evaluated on. */
  readonly resourceTypes: readonly string[];
  /** One line shown when the rule is broken. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** How to fix a finding. */
  readonly fix: string;
  /** Evaluates the rule on one resource of the template. */
  check(model: TemplateModel, logicalId: string): RuleOutcome;
}

/** Definition of a rule without the derived `id`. */
export type RuleDefinition = Omit<InferenceGuardRule, 'id'>;

/** Builds a rule, deriving its id from the pack name. */
export function defineRule(def: RuleDefinition): InferenceGuardRule {
  return { ...def, id: `${INFERENCE_GUARD_PACK_NAME}-${def.name}` };
}
