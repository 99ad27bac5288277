import { LAMBDA_DEFAULT_TIMEOUT_S } from '../../../core/aws-limits';
import { Mitigation, RuleLevel, compliantByDefault, defineRule, flawed, notApplicable } from '../../rule';
import { readNumber } from '../../template/intrinsics';
import { T, problem } from '../helpers';
import { apiInvocations, invokesSageMaker } from './functions';

/** A function behind API Gateway times out no later than the integration that waits for it. */
export const LambdaAPITimeout = defineRule({
  name: 'LambdaAPITimeout',
  level: RuleLevel.ERROR,
  levelReason: 'A function that outlives its integration keeps running, holding a concurrency slot and a model slot, after API Gateway has already answered 504: under load the wasted work grows with every timed-out request.',
  mitigation: Mitigation.TIMEOUTS,
  resourceTypes: [T.FUNCTION],
  info: 'The Lambda function\'s Timeout is longer than the timeout of an API Gateway integration that invokes it.',
  explanation: 'API Gateway stops waiting at the integration timeout (REST 29 s by default, HTTP APIs 30 s at most) but does not stop the function. The function timeout must end first so the chain gives up from the inside out. Absent values are the defaults: function 3 s, REST integration 29 s, HTTP integration 30 s.',
  fix: 'Lower the function Timeout to at most the integration timeout (and the SageMaker call inside it below that), or move long inference to an asynchronous path (queue or SageMaker async).',
  check(model, id) {
    const apis = apiInvocations(model, id);
    if (apis.length === 0) return notApplicable('not invoked by an API Gateway integration in this template');
    const t = readNumber(model.props(id).Timeout, model.parameterDefault);
    if (t.kind === 'unresolvable') return notApplicable('the function timeout is only known at deploy time');
    const seconds = t.kind === 'literal' ? t.value : LAMBDA_DEFAULT_TIMEOUT_S;
    const shown = `${seconds} s${t.kind === 'absent' ? ' (default)' : ''}`;
    const wrong: string[] = [];
    const evidence: string[] = [];
    for (const a of apis) {
      if (a.timeoutMs === undefined) continue;
      const label = `${a.kind} integration ${a.id} timeout ${a.timeoutMs} ms${a.defaulted ? ' (default)' : ''}`;
      if (seconds * 1000 > a.timeoutMs) {
        wrong.push(problem(`function ${id}${invokesSageMaker(model, id) ? ' (calls SageMaker)' : ''} Timeout`, shown, `at most the ${label}`, `lower the function timeout to ${Math.floor(a.timeoutMs / 1000)} s or less`));
      } else evidence.push(`function ${id} timeout ${shown} <= ${label}`);
    }
    if (wrong.length === 0 && t.kind === 'absent') return compliantByDefault(...evidence);
    return flawed(wrong, [], evidence);
  },
});
