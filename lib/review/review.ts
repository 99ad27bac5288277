import { evaluateRule } from '../nag/evaluate';
import { INFERENCE_GUARD_PACK_NAME, InferenceGuardRule, Mitigation, OutcomeDetail, RuleLevel, RuleStatus } from '../nag/rule';
import { INFERENCE_GUARD_RULES } from '../nag/rules';
import { withImportedAlarms } from '../nag/template/cross-stack-alarms';
import { CfnTemplate } from '../nag/template/template-model';
import { ComponentKind, componentsOf, listComponents } from './components';
import { LoadedTemplate, checkedTemplate, resourceLine } from './load';
import { prepareTemplate } from './prepare';
import { CostReport, templateCost } from './cost';
import { PriceTable } from './prices';

/** The five mitigations, in column order. */
export const MITIGATIONS: readonly Mitigation[] = [
  Mitigation.RESOURCE_LIMITS, Mitigation.TIMEOUTS, Mitigation.RATE_LIMITING, Mitigation.QUEUE_MANAGEMENT, Mitigation.ALARMS,
];

/** Mark of one mitigation for one component. */
export enum MitigationMark {
  /** Every rule behind the cell passes on values the template sets. */
  PRESENT = 'present',
  /** Every rule passes, but at least one only on the platform default (nothing set). */
  DEFAULT = 'default',
  /** A rule fails because the protection is there but does not protect (wrong value, alarm with no action). */
  WRONG = 'wrong',
  /** A rule fails because the protection is absent. */
  MISSING = 'missing',
  /** No rule applies. */
  NOT_APPLICABLE = 'n/a',
}

/** Severity of a finding. */
export type FindingLevel = 'error' | 'warning';

/** One rule outcome on one resource, as shown in a review. */
export interface ReviewResult {
  /** Rule id, e.g. `InferenceGuard-SQSDeadLetterQueue`. */
  readonly ruleId: string;
  /** Rule level. */
  readonly level: FindingLevel;
  /** Mitigation the rule checks. */
  readonly mitigation: Mitigation;
  /** Logical id of the resource the rule ran on. */
  readonly resource: string;
  /** Type of that resource. */
  readonly resourceType: string;
  /** Outcome. */
  readonly status: RuleStatus;
  /** Findings (non-compliant) or evidence (compliant). */
  readonly messages: readonly string[];
  /** Absent or wrong (failing), or resting on the platform default (passing). @default - none */
  readonly detail?: OutcomeDetail;
  /** Reason, when a non-compliant result is acknowledged in the template (see `acknowledgement`). */
  readonly acknowledged?: string;
}

/** One cell of the review table. */
export interface MitigationCell {
  /** present, missing or n/a. */
  readonly mark: MitigationMark;
  /** The results behind the mark (failures first). */
  readonly results: readonly ReviewResult[];
}

/**
 * The outcome of a flood drill (`kig drill --scenario single-key`) on an API: whether the
 * protections keep legitimate users served, not only whether they exist.
 */
export interface FloodLine {
  /** One line, e.g. "single-key: legitimate 100.0 %, attacker 0.00 %, peak 1 instance, $160.02/h: PASS". */
  readonly text: string;
  /** Legitimate success rate (0..1). @default - not simulated */
  readonly legitSuccessRate?: number;
  /** Attacker success rate (0..1). @default - not simulated */
  readonly attackSuccessRate?: number;
  /** False when legitimate success is below the drill's target. @default - not simulated */
  readonly passed?: boolean;
}

/** One row: an API, queue, endpoint or service, with its five mitigations. */
export interface ReviewComponent {
  /** API, queue, endpoint, service or other. */
  readonly kind: ComponentKind;
  /** Logical id of the resource the row is about. */
  readonly id: string;
  /** Human label, e.g. `API "orders" (OrdersApi)`. */
  readonly label: string;
  /** The five cells, keyed by mitigation. */
  readonly mitigations: Readonly<Record<Mitigation, MitigationCell>>;
  /** For an API: the single-key flood drill. @default - not drilled */
  readonly flood?: FloodLine;
}

/** A failed rule on one resource. */
export interface ReviewFinding {
  /** Rule id, e.g. `InferenceGuard-SQSDeadLetterQueue`. */
  readonly ruleId: string;
  /** Rule level. */
  readonly level: FindingLevel;
  /** Mitigation the rule checks. */
  readonly mitigation: Mitigation;
  /** Logical id of the failing resource. */
  readonly resource: string;
  /** Type of that resource. */
  readonly resourceType: string;
  /** Labels of the components the finding belongs to. */
  readonly components: readonly string[];
  /** What is wrong, the value, what is allowed and the fix. */
  readonly message: string;
  /** Line of the resource in the template, when found. */
  readonly line?: number;
  /** Reason, when the finding is acknowledged in the template; acknowledged findings do not fail. */
  readonly acknowledged?: string;
}

/** The review of one template. */
export interface TemplateReview {
  /** Path of the template. */
  readonly path: string;
  /** Number of resources. */
  readonly resourceCount: number;
  /** Rows of the table. */
  readonly components: readonly ReviewComponent[];
  /** Every failed rule that is not acknowledged, in rule order. */
  readonly findings: readonly ReviewFinding[];
  /** Failed rules acknowledged in the template, with their reasons. */
  readonly acknowledged: readonly ReviewFinding[];
  /** Notes on the review itself (e.g. a Transform whose output is not reviewed). */
  readonly notes: readonly string[];
  /** Worst-case cost per hour per component, when prices were given. @default - not computed */
  readonly cost?: CostReport;
}

/** The review of every template given. */
export interface ReviewReport {
  readonly templates: readonly TemplateReview[];
  /** Count of error-level findings. */
  readonly errors: number;
  /** Count of warning-level findings. */
  readonly warnings: number;
}

/** Options of a review. */
export interface ReviewOptions {
  /**
   * Rules to run.
   * @default - every rule of the InferenceGuard pack
   */
  readonly rules?: readonly InferenceGuardRule[];
  /**
   * The other templates of the same app (one cdk.out): their alarms on this template's resources,
   * through cross-stack exports, count as this template's alarms, as in the CDK pack.
   * @default - none
   */
  readonly siblings?: readonly CfnTemplate[];
  /**
   * Prices for the worst-case cost per hour of each component.
   * @default - no cost section
   */
  readonly prices?: PriceTable;
}

function levelOf(rule: InferenceGuardRule): FindingLevel {
  return rule.level === RuleLevel.ERROR ? 'error' : 'warning';
}

/** True for a non-compliant result that is not acknowledged. */
export function isFailing(r: ReviewResult): boolean {
  return r.status === RuleStatus.NON_COMPLIANT && r.acknowledged === undefined;
}

/**
 * The reason a rule is acknowledged on a resource, read from the resource's
 * `Metadata.cdk_nag.rules_to_suppress` entries ({ id, reason }): the format cdk-nag writes with
 * `writeSuppressionsToCloudFormation: true`, which hand-written templates can use too. The id is
 * the rule id, optionally with the `InferenceGuard::` plugin prefix; entries without a reason are
 * ignored, because an acknowledgement must say why.
 */
export function acknowledgement(template: CfnTemplate, resourceId: string, ruleId: string): string | undefined {
  const meta = template.Resources[resourceId]?.Metadata?.cdk_nag;
  const entries = typeof meta === 'object' && meta !== null ? (meta as { rules_to_suppress?: unknown }).rules_to_suppress : undefined;
  if (!Array.isArray(entries)) return undefined;
  for (const e of entries) {
    if (typeof e !== 'object' || e === null) continue;
    const { id, reason } = e as { id?: unknown; reason?: unknown };
    if ((id === ruleId || id === `${INFERENCE_GUARD_PACK_NAME}::${ruleId}`) && typeof reason === 'string' && reason.trim() !== '') return reason;
  }
  return undefined;
}

/** Reviews one loaded template with the InferenceGuard rules. */
export function reviewTemplate(loaded: LoadedTemplate, options: ReviewOptions = {}): TemplateReview {
  const rules = options.rules ?? INFERENCE_GUARD_RULES;
  const input = withImportedAlarms(loaded.template, options.siblings ?? []);
  const { model, origins, notes } = prepareTemplate(input, checkedTemplate(input));
  const source = (id: string) => origins.get(id) ?? id;
  const components = listComponents(model);
  const byKey = new Map(components.map((c) => [c.id, c]));
  const cells = new Map<string, Map<Mitigation, ReviewResult[]>>(components.map((c) => [c.id, new Map()]));
  const findings: ReviewFinding[] = [];
  const acknowledged: ReviewFinding[] = [];
  const other = { kind: ComponentKind.OTHER, id: '(template)', label: 'other resources' };
  let usedOther = false;
  const lines = new Map<string, number | undefined>();
  // Keyed by the resource of the original template: the resources generated from one SAM
  // resource share its line, and finding it once keeps large SAM templates fast.
  const lineOf = (id: string) => {
    const from = source(id);
    if (!lines.has(from)) lines.set(from, resourceLine(loaded, from));
    return lines.get(from);
  };

  // The rows of a resource, asked by every rule that runs on it.
  const rowsOf = new Map<string, readonly string[]>();
  const ownersOf = (id: string) => {
    let o = rowsOf.get(id);
    if (o === undefined) {
      o = componentsOf(model, id).filter((c) => byKey.has(c));
      rowsOf.set(id, o);
    }
    return o;
  };

  for (const rule of rules) {
    const level = levelOf(rule);
    for (const type of rule.resourceTypes) {
      for (const id of model.ofType(type)) {
        const outcome = evaluateRule(rule, model, id);
        // A rule that does not apply leaves no trace: its result would only be dropped from the cells.
        if (outcome.status === RuleStatus.NOT_APPLICABLE) continue;
        const failing = outcome.status === RuleStatus.NON_COMPLIANT;
        const ack = failing ? acknowledgement(loaded.template, id, rule.id) ?? acknowledgement(loaded.template, source(id), rule.id) : undefined;
        // Optional keys are added last, in this order, as the report's JSON lists them.
        const result: { -readonly [K in keyof ReviewResult]: ReviewResult[K] } = {
          ruleId: rule.id, level, mitigation: rule.mitigation, resource: id, resourceType: type, status: outcome.status, messages: outcome.findings,
        };
        if (outcome.detail !== undefined) result.detail = outcome.detail;
        if (ack !== undefined) result.acknowledged = ack;
        let owners = ownersOf(id);
        if (owners.length === 0) {
          owners = [other.id];
          if (!usedOther) {
            usedOther = true;
            byKey.set(other.id, other);
            cells.set(other.id, new Map());
          }
        }
        for (const owner of owners) {
          const cell = cells.get(owner)!;
          const results = cell.get(rule.mitigation);
          if (results) results.push(result);
          else cell.set(rule.mitigation, [result]);
        }
        if (failing) {
          const labels = owners.map((o) => byKey.get(o)!.label);
          const line = lineOf(id);
          for (const message of outcome.findings) {
            const finding: { -readonly [K in keyof ReviewFinding]: ReviewFinding[K] } = {
              ruleId: rule.id, level, mitigation: rule.mitigation, resource: id, resourceType: type, components: labels, message, line,
            };
            if (ack !== undefined) finding.acknowledged = ack;
            (ack !== undefined ? acknowledged : findings).push(finding);
          }
        }
      }
    }
  }

  const rows: ReviewComponent[] = [...byKey.values()].map((c) => {
    const m = cells.get(c.id)!;
    const mitigations = {} as Record<Mitigation, MitigationCell>;
    for (const mit of MITIGATIONS) {
      // Failing results first, each group in the order the rules ran.
      const all = m.get(mit) ?? [];
      const results = all.filter(isFailing);
      for (const r of all) if (!isFailing(r)) results.push(r);
      mitigations[mit] = { mark: markOf(results), results };
    }
    return { kind: c.kind, id: c.id, label: c.label, mitigations };
  });

  const cost = options.prices ? { cost: templateCost(model, components, options.prices) } : {};
  return { path: loaded.path, resourceCount: Object.keys(loaded.template.Resources).length, components: rows, findings, acknowledged, notes: [...notes], ...cost };
}

/**
 * The mark of one cell: n/a without results; missing when a failing rule finds the protection
 * absent; wrong when every failing rule finds it present but ineffective; default when all pass
 * but one only on the platform default; present otherwise.
 */
function markOf(results: readonly ReviewResult[]): MitigationMark {
  if (results.length === 0) return MitigationMark.NOT_APPLICABLE;
  const failing = results.filter(isFailing);
  if (failing.length > 0) return failing.every((r) => r.detail === OutcomeDetail.WRONG) ? MitigationMark.WRONG : MitigationMark.MISSING;
  return results.some((r) => r.status === RuleStatus.COMPLIANT && r.detail === OutcomeDetail.DEFAULT) ? MitigationMark.DEFAULT : MitigationMark.PRESENT;
}

/** Combines template reviews into a report with finding counts. */
export function summarize(templates: readonly TemplateReview[]): ReviewReport {
  const all = templates.flatMap((t) => t.findings);
  return { templates, errors: all.filter((f) => f.level === 'error').length, warnings: all.filter((f) => f.level === 'warning').length };
}
