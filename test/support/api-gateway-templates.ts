import * as velocity from 'velocityjs';

/**
 * A stand-in for API Gateway's two template languages, as documented, so tests render the
 * synthesized templates and parse what a caller would receive.
 *
 * Integration response templates are Velocity (VTL) with API Gateway's variables
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
 * `$util.escapeJavaScript()` "escapes the characters in a string using JavaScript string rules" and
 * "will turn any regular single quotes (') into escaped ones (\'). However, the escaped single quotes
 * are not valid in JSON", so the reference tells templates to undo them with
 * `.replaceAll("\\'","'")`. The wording is the javadoc of Apache Commons Lang's
 * `StringEscapeUtils.escapeJavaScript`, which `javaScriptEscape` below follows character for
 * character: `'` `"` `\` `/` are escaped with a backslash, \b \t \n \f \r by name, other control
 * characters and every character above 0x7E as \uXXXX (upper-case hex, UTF-16 code units).
 *
 * Gateway response templates are not VTL: "A GatewayResponse mapping template isn't processed by
 * the Velocity Template Language (VTL) engine" and supports "only simple variable substitution"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseTemplates.html);
 * `$context.error.messageString` is "the quoted value of $context.error.message, namely
 * "$context.error.message"" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
 */

/** Apache Commons Lang `StringEscapeUtils.escapeJavaScript`: what `$util.escapeJavaScript` does. */
export function javaScriptEscape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const hex = ch.toString(16).toUpperCase().padStart(4, '0');
    if (ch > 0x7e) out += `\\u${hex}`;
    else if (ch < 32) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      out += named[ch] ?? `\\u${hex}`;
    } else if (ch === 0x27) out += "\\'";
    else if (ch === 0x22) out += '\\"';
    else if (ch === 0x5c) out += '\\\\';
    else if (ch === 0x2f) out += '\\/';
    else out += s[i];
  }
  return out;
}

/**
 * `$util.urlEncode()`: "Converts a string into "application/x-www-form-urlencoded" format"
 * (mapping template reference), as java.net.URLEncoder does with UTF-8: letters, digits and
 * `.-*_` stay, a space becomes `+`, every other byte is `%XY` (upper-case hex).
 */
export function formUrlEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A Java regular expression as a JavaScript one (the subset templates use: classes, escapes, groups). */
function javaRegex(pattern: string): RegExp {
  if (/\(\?[<!=]?[a-zA-Z]|\\[pPQEAZz]/.test(pattern)) throw new Error(`the template stand-in does not translate the Java regex ${JSON.stringify(pattern)}`);
  return new RegExp(pattern, 'g');
}

/** A Java replacement string (`$1` a group, `\x` a literal x) as a function for String.replace. */
function javaReplacement(replacement: string): (...m: string[]) => string {
  return (...m: string[]) => replacement.replace(/\\(.)|\$(\d)/g, (_, lit: string | undefined, g: string | undefined) => (lit !== undefined ? lit : m[Number(g)] ?? ''));
}

/** A Java-like string: API Gateway's VTL exposes java.lang.String methods (contains, replaceAll, replace). */
export function javaString(s: string): string {
  // A toString of its own: the Velocity engine prints objects with a native toString as maps.
  return Object.assign(new String(s), {
    toString: () => s,
    contains: (x: string) => s.includes(String(x)),
    replaceAll: (regex: string, replacement: string) => javaString(s.replace(javaRegex(String(regex)), javaReplacement(String(replacement)))),
    replace: (target: string, replacement: string) => javaString(s.split(String(target)).join(String(replacement))),
  }) as unknown as string;
}

export interface RenderedIntegrationResponse {
  readonly body: string;
  readonly override: { status?: number; header: Record<string, string> };
}

/** Walks `$.a.b` in a parsed body, as `$input.path` does for simple paths. */
function jsonPath(parsed: unknown, p: string): unknown {
  const value = p.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((o: any, k) => (o == null ? undefined : o[k]), parsed);
  return typeof value === 'string' ? javaString(value) : value;
}

/** Renders an integration response template against a backend body, as API Gateway's VTL engine would. */
export function renderIntegrationResponse(template: string, backendBody: string, requestId = 'req-123'): RenderedIntegrationResponse {
  const parsed = (() => { try { return JSON.parse(backendBody); } catch { return {}; } })();
  const override: RenderedIntegrationResponse['override'] = { header: {} };
  const body = velocity.render(template, {
    input: { body: javaString(backendBody), path: (p: string) => jsonPath(parsed, p) },
    // Commons Lang returns null for null; Velocity then prints the reference's source text.
    util: { escapeJavaScript: (s: unknown) => (s == null ? null : javaString(javaScriptEscape(String(s)))) },
    context: { requestId, responseOverride: override },
  });
  return { body, override };
}

/** Context variables a gateway response template may reference (the error ones as documented). */
export interface GatewayErrorContext {
  readonly message: string;
  readonly responseType: string;
  readonly validationErrorString?: string;
  readonly requestId?: string;
}

/** Renders a gateway response template: plain `$context.…` substitution, no VTL. */
export function renderGatewayResponse(template: string, error: GatewayErrorContext): string {
  const vars: Record<string, string> = {
    'context.error.message': error.message,
    'context.error.messageString': `"${error.message}"`,
    'context.error.responseType': error.responseType,
    'context.error.validationErrorString': error.validationErrorString ?? '',
    'context.requestId': error.requestId ?? 'req-123',
  };
  return template.replace(/\$(context(?:\.[A-Za-z]+)+)/g, (ref: string, name: string) => {
    if (!(name in vars)) throw new Error(`the gateway response stand-in has no value for ${ref}`);
    return vars[name];
  });
}
