import { Mitigation, RuleLevel, defineRule, nonCompliant } from '../../rule';
import { readString, renderString, showValue } from '../../template/intrinsics';
import { TemplateModel } from '../../template/template-model';
import { T, groupedOnce, isRecord, problem } from '../helpers';

/**
 * The log group a function writes to expires. Lambda writes to `/aws/lambda/<function name>` unless
 * `LoggingConfig.LogGroup` names another group, and creates that group itself, with no retention,
 * when the template does not declare it. Source: Lambda Developer Guide, "Sending Lambda function
 * logs to CloudWatch Logs" (default group `/aws/lambda/<function name>`; LoggingConfig.LogGroup);
 * CloudWatch Logs: a log group without RetentionInDays keeps events forever.
 */
export const LambdaLogRetention = defineRule({
  name: 'LambdaLogRetention',
  level: RuleLevel.WARNING,
  levelReason: 'Logs kept forever are a cost that grows with every invocation, a flood included, but they do not affect availability.',
  mitigation: Mitigation.RESOURCE_LIMITS,
  resourceTypes: [T.FUNCTION],
  info: 'The Lambda function writes to a log group the template does not declare with a RetentionInDays (its implicit /aws/lambda/<name> group, created by Lambda, never expires).',
  explanation: 'Every invocation writes at least START, END and REPORT lines. When the template declares no log group for the function, Lambda creates /aws/lambda/<function name> on the first invocation, with no retention: a flood of invocations becomes a storage bill that never ends, and no tool reviewing the template sees the group.',
  fix: 'Declare the log group with a retention: an AWS::Logs::LogGroup with RetentionInDays named /aws/lambda/<function name>, or one referenced by the function\'s LoggingConfig.LogGroup (CDK `logGroup: new LogGroup(this, "Logs", { retention })`).',
  check(model, id) {
    const cfg = model.props(id).LoggingConfig;
    const named = isRecord(cfg) ? cfg.LogGroup : undefined;
    const label = `function ${id}`;
    let group: string | undefined;
    let where: string;
    if (named !== undefined) {
      group = model.target(named, T.LOG_GROUP) ?? logGroupNamed(model, renderString(named));
      where = `LoggingConfig.LogGroup ${showValue(named)}`;
    } else {
      const fnName = readString(model.props(id).FunctionName);
      group = logGroupNamed(model, `/aws/lambda/\${${id}}`) ?? (fnName.kind === 'literal' ? logGroupNamed(model, `/aws/lambda/${fnName.value}`) : undefined);
      where = `its implicit log group /aws/lambda/${fnName.kind === 'literal' ? fnName.value : `<${id} name>`}`;
    }
    if (group === undefined) {
      if (named !== undefined && model.target(named) === undefined && renderString(named) === undefined) return nonCompliant([], [`${label} logs to ${where}, defined outside this template`]);
      return nonCompliant([problem(`${label} log group`, named !== undefined ? `${where}, not declared in this template` : `${where}, created by Lambda without a retention (logs never expire)`,
        'a declared AWS::Logs::LogGroup with RetentionInDays', 'declare the log group with a retention')]);
    }
    const days = model.props(group).RetentionInDays;
    if (days === undefined) return nonCompliant([problem(`${label} log group ${group} RetentionInDays`, 'absent (logs never expire)', 'a retention in days', 'set a retention period')]);
    return nonCompliant([], [`${label} logs to ${group}, RetentionInDays ${showValue(days)}`]);
  },
});

/** The log group of the template whose LogGroupName renders to `name` (`${Fn}` for a reference to the function), indexed once. */
function logGroupNamed(model: TemplateModel, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return groupedOnce(model, 'logGroupsByName', model.ofType(T.LOG_GROUP), (g) => renderString(model.props(g).LogGroupName)).get(name)?.[0];
}
