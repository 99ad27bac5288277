/**
 * A validator for the subset of the CloudWatch Logs Insights query language the runbook writes:
 * commands `fields`, `filter`, `stats`, `sort`, `limit`, joined by `|`. Grammar from the CloudWatch
 * Logs user guide, "CloudWatch Logs Insights language query syntax"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html): field names are
 * identifiers, `@`-prefixed system fields or dotted JSON paths; `filter` takes comparisons
 * (`= != < <= > >=`), `like /regex/` and `in [...]` joined by `and`, `or`, `not` and parentheses;
 * `stats` takes aggregate functions (`count sum avg min max pct`) with `as` aliases and
 * `by` fields or `bin(<n><unit>)`; `sort <field> asc|desc`; `limit <n>` (at most 10,000).
 * Every field a query reads must be one the log group has (`known`); aliases made by `stats` are
 * known from there on.
 */

/** What was found wrong with a query; the message names the command and the token. */
export class LogsInsightsSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogsInsightsSyntaxError';
  }
}

/** Largest `limit` Logs Insights accepts (CWL_QuerySyntax, "limit"). */
export const LOGS_INSIGHTS_MAX_LIMIT = 10_000;
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'pct']);
const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);

type Token = { kind: 'id' | 'num' | 'str' | 'regex' | 'op' | 'punct'; text: string };

function tokenize(command: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\d+(?:\.\d+)?[a-z]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\/(?:[^/\\]|\\.)+\/)|(!=|<=|>=|=|<|>)|([(),*\[\]]))/y;
  let i = 0;
  while (i < command.length) {
    if (/^\s*$/.test(command.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(command);
    if (!m) throw new LogsInsightsSyntaxError(`unexpected text "${command.slice(i).trim().slice(0, 20)}"`);
    if (m[1] !== undefined) out.push({ kind: 'id', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'num', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'str', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'regex', text: m[4] });
    else if (m[5] !== undefined) out.push({ kind: 'op', text: m[5] });
    else out.push({ kind: 'punct', text: m[6] });
    i = re.lastIndex;
  }
  return out;
}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly command: string) {}
  public peek(): Token | undefined { return this.tokens[this.i]; }
  public next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new LogsInsightsSyntaxError(`${this.command}: unexpected end`);
    return t;
  }
  public accept(text: string): boolean {
    if (this.peek()?.text === text) { this.i++; return true; }
    return false;
  }
  public expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw new LogsInsightsSyntaxError(`${this.command}: expected "${text}", found "${t.text}"`);
  }
  public done(): boolean { return this.i >= this.tokens.length; }
}

/** Splits a query at the pipes that separate commands (not those inside a /regex/ or a string). */
function splitCommands(query: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inside: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i];
    if (inside) {
      if (ch === '\\') { current += ch + (query[i + 1] ?? ''); i++; continue; }
      if (ch === inside) inside = undefined;
    } else if (ch === '/' || ch === '"' || ch === "'") {
      inside = ch;
    } else if (ch === '|') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (inside) throw new LogsInsightsSyntaxError(`unterminated ${inside === '/' ? 'regex' : 'string'}`);
  parts.push(current);
  return parts;
}

/**
 * Parses `query` and checks every field it reads against `known` (the log group's fields).
 * Returns the fields read; throws `LogsInsightsSyntaxError` naming the problem.
 */
export function validateLogsInsightsQuery(query: string, known: ReadonlySet<string>): string[] {
  const fields = new Set(known);
  const read: string[] = [];
  const field = (c: Cursor, command: string): string => {
    const t = c.next();
    if (t.kind !== 'id' || KEYWORDS.has(t.text)) throw new LogsInsightsSyntaxError(`${command}: expected a field, found "${t.text}"`);
    if (!fields.has(t.text)) throw new LogsInsightsSyntaxError(`${command}: the log group has no field "${t.text}"`);
    read.push(t.text);
    return t.text;
  };
  const value = (c: Cursor, command: string): void => {
    const t = c.next();
    if (t.kind !== 'num' && t.kind !== 'str') throw new LogsInsightsSyntaxError(`${command}: expected a number or string, found "${t.text}"`);
  };
  const condition = (c: Cursor): void => {
    if (c.accept('not')) return condition(c);
    if (c.accept('(')) {
      expression(c);
      c.expect(')');
      return;
    }
    field(c, 'filter');
    const op = c.next();
    if (op.text === 'like') {
      const r = c.next();
      if (r.kind !== 'regex' && r.kind !== 'str') throw new LogsInsightsSyntaxError(`filter: like needs /regex/ or a string, found "${r.text}"`);
      if (r.kind === 'regex') new RegExp(r.text.slice(1, -1).replace(/^\(\?i\)/, ''));
    } else if (op.text === 'in') {
      c.expect('[');
      do value(c, 'filter'); while (c.accept(','));
      c.expect(']');
    } else if (op.kind === 'op') {
      value(c, 'filter');
    } else {
      throw new LogsInsightsSyntaxError(`filter: expected a comparison, found "${op.text}"`);
    }
  };
  const expression = (c: Cursor): void => {
    condition(c);
    while (c.accept('and') || c.accept('or')) condition(c);
  };

  const commands = splitCommands(query).map((s) => s.trim());
  if (commands.some((s) => s === '')) throw new LogsInsightsSyntaxError('empty command between pipes');
  for (const text of commands) {
    const [name] = text.split(/\s+/, 1);
    const c = new Cursor(tokenize(text.slice(name.length)), name);
    switch (name) {
      case 'fields':
        do field(c, name); while (c.accept(','));
        break;
      case 'filter':
        expression(c);
        break;
      case 'stats': {
        const aliases: string[] = [];
        do {
          const fn = c.next();
          if (!AGGREGATES.has(fn.text)) throw new LogsInsightsSyntaxError(`stats: unknown function "${fn.text}"`);
          c.expect('(');
          if (!(fn.text === 'count' && c.accept('*'))) field(c, name);
          if (fn.text === 'pct') {
            c.expect(',');
            const p = c.next();
            if (p.kind !== 'num' || Number(p.text) < 0 || Number(p.text) > 100) throw new LogsInsightsSyntaxError(`stats: pct needs a percentile 0-100, found "${p.text}"`);
          }
          c.expect(')');
          if (c.accept('as')) {
            const a = c.next();
            if (a.kind !== 'id' || a.text.startsWith('@')) throw new LogsInsightsSyntaxError(`stats: bad alias "${a.text}"`);
            aliases.push(a.text);
          }
        } while (c.accept(','));
        if (c.accept('by')) {
          do {
            if (c.accept('bin')) {
              c.expect('(');
              const span = c.next();
              if (span.kind !== 'num' || !/^\d+(ms|s|m|h|d)$/.test(span.text)) throw new LogsInsightsSyntaxError(`stats: bin needs a period such as 5m, found "${span.text}"`);
              c.expect(')');
            } else {
              field(c, name);
            }
          } while (c.accept(','));
        }
        // After stats only its aggregates and groups exist.
        for (const a of aliases) fields.add(a);
        break;
      }
      case 'sort':
        do {
          field(c, name);
          if (!c.accept('asc')) c.accept('desc');
        } while (c.accept(','));
        break;
      case 'limit': {
        const n = c.next();
        if (n.kind !== 'num' || !/^\d+$/.test(n.text) || Number(n.text) < 1 || Number(n.text) > LOGS_INSIGHTS_MAX_LIMIT) {
          throw new LogsInsightsSyntaxError(`limit: expected 1-${LOGS_INSIGHTS_MAX_LIMIT}, found "${n.text}"`);
        }
        break;
      }
      default:
        throw new LogsInsightsSyntaxError(`unknown command "${name}" (this validator knows fields, filter, stats, sort, limit)`);
    }
    if (!c.done()) throw new LogsInsightsSyntaxError(`${name}: unexpected "${c.peek()!.text}"`);
  }
  return read;
}
