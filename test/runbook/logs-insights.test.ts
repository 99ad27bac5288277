import { LogsInsightsSyntaxError, validateLogsInsightsQuery } from '../../lib/runbook/private/logs-insights';
import { QUERIES } from '../../lib/runbook/private/playbooks';

const ACCESS = new Set(['@timestamp', '@message', 'status', 'integrationStatus', 'errorResponseType', 'errorMessage', 'resourcePath', 'sourceIp', 'apiKeyId', 'wafResponseCode', 'integrationLatency', 'responseLatency']);

describe('Logs Insights validator', () => {
  test('accepts the grammar the runbook uses, and reports the fields read', () => {
    expect(validateLogsInsightsQuery(QUERIES.accessCallers, ACCESS)).toEqual(['sourceIp', 'apiKeyId', 'requests']);
    expect(() => validateLogsInsightsQuery(QUERIES.accessErrors, ACCESS)).not.toThrow();
    expect(() => validateLogsInsightsQuery('filter @type = "REPORT" | stats max(@duration) as maxMs, pct(@duration, 99) as p99 by bin(5m) | sort maxMs desc | limit 5',
      new Set(['@type', '@duration']))).not.toThrow();
    // A pipe inside a regex is part of the regex, not a new command.
    expect(() => validateLogsInsightsQuery('fields @message | filter @message like /(?i)(error|timed out)/ | limit 50', new Set(['@message']))).not.toThrow();
    expect(() => validateLogsInsightsQuery('filter status in ["500", "502"] and not (apiKeyId = "x" or sourceIp != "1.2.3.4")', ACCESS)).not.toThrow();
  });

  test.each([
    ['a field the log group does not have', 'fields @timestamp, userName', /no field "userName"/],
    ['an unknown command', 'fields @timestamp | head 10', /unknown command "head"/],
    ['a limit above 10,000', 'fields @timestamp | limit 20000', /limit: expected 1-10000/],
    ['an unknown aggregate', 'stats median(responseLatency)', /unknown function "median"/],
    ['a bad bin period', 'stats count(*) by bin(5 minutes)', /bin needs a period/],
    ['an unterminated regex', 'filter @message like /error', /unterminated regex/],
    ['an empty command', 'fields @timestamp || limit 5', /empty command/],
    ['a comparison without a value', 'filter status =', /unexpected end/],
    ['a sort on an alias not made yet', 'sort requests desc', /no field "requests"/],
    ['an invalid regex', 'filter @message like /(unclosed/', /Invalid regular expression|unterminated/],
  ])('rejects %s', (_what, query, message) => {
    let error: unknown;
    try { validateLogsInsightsQuery(query, ACCESS); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(Error);
    expect(error instanceof LogsInsightsSyntaxError || error instanceof SyntaxError).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
