import type { CfnTemplate } from '../../nag/template/template-model';

/** A log group the stack creates, with the fields a Logs Insights query can read in it. */
export interface StackLogGroup {
  /** Logical id of the AWS::Logs::LogGroup. */
  readonly logicalId: string;
  /** What writes to it. */
  readonly kind: 'api-access' | 'waf' | 'lambda' | 'container';
  /** Logical id of the writer (stage, web ACL, function, task definition). */
  readonly writer: string;
  readonly fields: ReadonlySet<string>;
}

/** Fields Logs Insights discovers in every log group (CWL_AnalyzeLogData-discoverable-fields). */
const SYSTEM_FIELDS = ['@timestamp', '@message', '@logStream', '@log', '@ingestionTime'];
/** Fields Logs Insights discovers in Lambda logs (same page, "Lambda logs"). */
const LAMBDA_FIELDS = ['@type', '@requestId', '@duration', '@billedDuration', '@memorySize', '@maxMemoryUsed', '@initDuration'];
/**
 * WAF log record fields the runbook reads (AWS WAF developer guide, "Log fields for web ACL
 * traffic": action, terminatingRuleId, terminatingRuleType, httpRequest.clientIp, httpRequest.uri,
 * httpRequest.country, httpRequest.httpMethod).
 */
const WAF_FIELDS = ['action', 'terminatingRuleId', 'terminatingRuleType', 'httpRequest.clientIp', 'httpRequest.uri', 'httpRequest.country', 'httpRequest.httpMethod'];

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export function refTarget(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') return o.Ref;
    const att = o['Fn::GetAtt'];
    if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
    if (typeof att === 'string') return att.split('.')[0];
  }
  return undefined;
}

/** Every logical id referenced anywhere inside `value`. */
export function referencesIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  const t = refTarget(value);
  if (t) out.add(t);
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) referencesIn(v, out);
  return out;
}

/**
 * The log groups of a template whose writer and fields are known: API access logs (fields are the
 * keys of the stage's JSON access log format), WAF logs, Lambda function logs, container logs.
 */
export function stackLogGroups(template: CfnTemplate): StackLogGroup[] {
  const out: StackLogGroup[] = [];
  const isLogGroup = (id: string | undefined): id is string => id !== undefined && template.Resources[id]?.Type === 'AWS::Logs::LogGroup';
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = (r.Properties ?? {}) as Record<string, unknown>;
    if (r.Type === 'AWS::ApiGateway::Stage') {
      const setting = p.AccessLogSetting as { DestinationArn?: unknown; Format?: unknown } | undefined;
      const lg = refTarget(setting?.DestinationArn);
      if (isLogGroup(lg) && typeof setting?.Format === 'string') {
        let keys: string[] = [];
        try { keys = Object.keys(JSON.parse(setting.Format) as object); } catch { keys = []; }
        out.push({ logicalId: lg, kind: 'api-access', writer: id, fields: new Set([...SYSTEM_FIELDS, ...keys]) });
      }
    } else if (r.Type === 'AWS::WAFv2::LoggingConfiguration') {
      const lg = refTarget((p.LogDestinationConfigs as unknown[] | undefined)?.[0]);
      if (isLogGroup(lg)) out.push({ logicalId: lg, kind: 'waf', writer: refTarget(p.ResourceArn) ?? id, fields: new Set([...SYSTEM_FIELDS, ...WAF_FIELDS]) });
    } else if (r.Type === 'AWS::Lambda::Function') {
      const lg = refTarget((p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
      if (isLogGroup(lg)) out.push({ logicalId: lg, kind: 'lambda', writer: id, fields: new Set([...SYSTEM_FIELDS, ...LAMBDA_FIELDS]) });
    } else if (r.Type === 'AWS::ECS::TaskDefinition') {
      for (const c of (p.ContainerDefinitions as Array<{ LogConfiguration?: { Options?: Record<string, unknown> } }> | undefined) ?? []) {
        const lg = refTarget(c.LogConfiguration?.Options?.['awslogs-group']);
        if (isLogGroup(lg) && !out.some((g) => g.logicalId === lg)) out.push({ logicalId: lg, kind: 'container', writer: id, fields: new Set(SYSTEM_FIELDS) });
      }
    }
  }
  return out;
}
