import { Mitigation, RuleLevel, compliant, defineRule, nonCompliant } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { T, problem } from '../helpers';
import { publicUrlPermissions, urlFunction } from './functions';

/** Lambda function URLs require IAM authentication. */
export const LambdaFunctionURLAuth = defineRule({
  name: 'LambdaFunctionURLAuth',
  level: RuleLevel.ERROR,
  levelReason: 'A function URL with AuthType NONE is a public endpoint with no throttle, no WAF and no authentication: anyone who finds it can run the function, and the model behind it, as often as the function\'s concurrency allows.',
  mitigation: Mitigation.RATE_LIMITING,
  resourceTypes: [T.FUNCTION_URL],
  info: 'The Lambda function URL has AuthType NONE and a permission grants lambda:InvokeFunctionUrl to "*", so it is open to anyone on the internet.',
  explanation: 'Function URLs have no throttling, usage plans or WAF of their own. With AuthType NONE and a resource-based policy statement that grants lambda:InvokeFunctionUrl to principal "*" (which AuthType NONE needs before the URL accepts any request; without it every call gets 403), every request on the internet invokes the function; the only ceiling is its concurrency (the account pool when it has no reserved concurrency). Source: Lambda Developer Guide, "Control access to Lambda function URLs".',
  fix: 'Set AuthType AWS_IAM and sign requests (or put CloudFront with origin access control and a WAF web ACL in front), or serve the function through API Gateway with stage throttling.',
  check(model, id) {
    const p = model.props(id);
    const fn = urlFunction(model, id);
    if (p.AuthType !== 'NONE') return compliant(`function URL ${id} AuthType ${showValue(p.AuthType)}`);
    const grants = fn !== undefined ? publicUrlPermissions(model, fn) : [];
    if (fn !== undefined && grants.length === 0) {
      return compliant(`function URL ${id} has AuthType NONE, but no AWS::Lambda::Permission in this template grants lambda:InvokeFunctionUrl to principal "*" on function ${fn}: every call gets 403 unless such a permission is added outside the template`);
    }
    const reserved = fn !== undefined ? model.props(fn).ReservedConcurrentExecutions : undefined;
    const cap = reserved !== undefined ? `reserved concurrency ${showValue(reserved)} of function ${fn}` : 'none: the function has no reserved concurrency, so it can take the account\'s whole unreserved pool';
    return nonCompliant([problem(`function URL ${id}${fn ? ` (function ${fn})` : ''} AuthType`, `NONE, and ${grants.length > 0 ? `Lambda::Permission ${grants.join(', ')} grants lambda:InvokeFunctionUrl to "*"` : 'the function is outside this template'} (open to anyone on the internet)`, `AWS_IAM; the only cap on callers now is ${cap}`, 'set AuthType AWS_IAM, or serve the function through API Gateway with throttling')]);
  },
});
