import { Mitigation, RuleLevel, compliant, defineRule, nonCompliant, notApplicable } from '../../rule';
import { readBoolean } from '../../template/intrinsics';
import { T, apiLabel, isRecord, list, methodLabel, problem } from '../helpers';

/** Each method that requires an API key belongs to a usage plan of its API. */
export const APIKeyUsagePlan = defineRule({
  name: 'APIKeyUsagePlan',
  level: RuleLevel.ERROR,
  levelReason: 'API keys are only accepted through a usage plan: a key-protected method that no plan covers either refuses every call or is covered by a plan outside the template, whose limits nobody reviews.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.METHOD],
  info: 'The method requires an API key but no usage plan in the template lists a stage of its API in ApiStages.',
  explanation: 'A key-protected method is limited per client only by the usage plan the key belongs to. No plan means no per-client throttle or quota for it.',
  fix: 'Add the API stage to a usage plan with a throttle and quota (CDK `plan.addApiStage({ stage })`), and add the clients\' keys to the plan.',
  check(model, id) {
    const p = model.props(id);
    const required = readBoolean(p.ApiKeyRequired);
    if (required.kind !== 'literal' || !required.value) return notApplicable('method does not require an API key');
    const apiId = model.target(p.RestApiId, T.REST_API);
    if (apiId === undefined) return notApplicable('the REST API is not in this template');
    // Usage-plan entries grouped by API once per template, not scanned per method.
    const byApi = model.memo('usagePlanEntriesByApi', () => {
      const m = new Map<string, Array<{ plan: string; stage: unknown }>>();
      for (const plan of model.ofType(T.USAGE_PLAN)) {
        for (const s of list(model.props(plan).ApiStages).filter(isRecord)) {
          const api = model.target(s.ApiId);
          if (api !== undefined) m.set(api, m.get(api) ?? []).get(api)!.push({ plan, stage: s.Stage });
        }
      }
      return m;
    });
    const entries = byApi.get(apiId) ?? [];
    // A plan applies to an API stage; an entry without a Stage limits nothing.
    const covering = entries.filter((e) => e.stage !== undefined && e.stage !== '');
    if (covering.length > 0) return compliant(`${methodLabel(model, id)} is covered by usage plan ${[...new Set(covering.map((e) => e.plan))].join(', ')}`);
    if (entries.length > 0) {
      return nonCompliant([problem(`usage plan ${entries[0].plan} ApiStages entry for ${apiLabel(model, apiId)} Stage`, 'absent', 'the stage the API keys call', 'set the Stage of the ApiStages entry')]);
    }
    return nonCompliant([problem(`${methodLabel(model, id)} ApiKeyRequired`, 'true', `a usage plan whose ApiStages include a stage of ${apiLabel(model, apiId)}`, 'add the API stage to a usage plan with a throttle and a quota')]);
  },
});
