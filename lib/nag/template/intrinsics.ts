/**
 * Reading CloudFormation intrinsic functions in a plain template.
 *
 * The rules see templates in one shape whether they come from a CDK stack (resolved with
 * `stack.resolve`) or from a JSON/YAML file, so `{ Ref: id }`, `{ 'Fn::GetAtt': [id, attr] }`,
 * `Fn::Sub` and `Fn::Join` are all they need to understand to follow a reference.
 */

/** Pseudo parameters CloudFormation defines; a `Ref` to one of these is always resolvable. */
export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region',
  'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
]);

type Json = unknown;

function isObject(v: Json): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single key of an intrinsic-function object (`Ref`, `Fn::GetAtt`, ...), if `v` is one. */
export function intrinsicName(v: Json): string | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0];
  return k === 'Ref' || k === 'Condition' || k.startsWith('Fn::') ? k : undefined;
}

/** True when `v` is an intrinsic function (its value is only known at deploy time). */
export function isIntrinsic(v: Json): boolean {
  return intrinsicName(v) !== undefined;
}

/** `{ 'Fn::GetAtt': ['Id', 'Attr'] }` or `{ 'Fn::GetAtt': 'Id.Attr' }` as `[id, attr]`. */
export function getAttParts(v: Json): [string, string] | undefined {
  if (!isObject(v) || !('Fn::GetAtt' in v)) return undefined;
  const arg = v['Fn::GetAtt'];
  if (Array.isArray(arg) && typeof arg[0] === 'string') return [arg[0], typeof arg[1] === 'string' ? arg[1] : ''];
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return dot < 0 ? [arg, ''] : [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  return undefined;
}

/**
 * The logical id that `v` points at directly: `Ref`, `Fn::GetAtt`, or a `Fn::Sub` whose whole
 * string is one `${Id}` / `${Id.Attr}`. Undefined for anything else.
 */
export function refTarget(v: Json): string | undefined {
  if (isObject(v) && typeof v.Ref === 'string' && Object.keys(v).length === 1) return v.Ref;
  const ga = getAttParts(v);
  if (ga) return ga[0];
  if (isObject(v) && 'Fn::Sub' in v) {
    const arg = v['Fn::Sub'];
    const s = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
    const m = s !== undefined ? /^\$\{([A-Za-z0-9:]+)(\.[A-Za-z0-9.]+)?\}$/.exec(s) : null;
    if (m && !m[1].includes('::')) return m[1];
  }
  return undefined;
}

/** `${Name}` and `${Name.Attr}` variables of a `Fn::Sub` string, without `${!Literal}` escapes. */
export function subVariables(s: string): Array<{ name: string; attr?: string }> {
  const out: Array<{ name: string; attr?: string }> = [];
  const re = /\$\{([^}!][^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const expr = m[1].trim();
    const dot = expr.indexOf('.');
    out.push(dot < 0 ? { name: expr } : { name: expr.slice(0, dot), attr: expr.slice(dot + 1) });
  }
  return out;
}

/** One reference found inside a value: a `Ref`, a `Fn::GetAtt` or a `Fn::Sub` variable. */
export interface FoundReference {
  /** The logical id or parameter name referenced. */
  readonly target: string;
  /** `Ref`, `Fn::GetAtt` or `Fn::Sub`. */
  readonly via: 'Ref' | 'Fn::GetAtt' | 'Fn::Sub';
  /** Dotted path of the reference inside the walked value. */
  readonly path: string;
}

/** Every reference inside `v`, depth first. Explicit `Fn::Sub` variable maps are honoured. */
export function findReferences(v: Json, path = ''): FoundReference[] {
  const out: FoundReference[] = [];
  walk(v, path, out);
  return out;
}

function walk(v: Json, path: string, out: FoundReference[]): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => walk(item, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(v)) return;
  const name = intrinsicName(v);
  if (name === 'Ref' && typeof v.Ref === 'string') {
    out.push({ target: v.Ref, via: 'Ref', path });
    return;
  }
  if (name === 'Fn::GetAtt') {
    const parts = getAttParts(v);
    if (parts) out.push({ target: parts[0], via: 'Fn::GetAtt', path });
    return;
  }
  if (name === 'Fn::Sub') {
    const arg = v['Fn::Sub'];
    const text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
    const vars = Array.isArray(arg) && isObject(arg[1]) ? arg[1] : {};
    if (text !== undefined) {
      for (const sv of subVariables(text)) {
        if (Object.hasOwn(vars, sv.name)) continue;
        out.push({ target: sv.name, via: 'Fn::Sub', path });
      }
    }
    if (Array.isArray(arg) && isObject(arg[1])) walk(arg[1], `${path}.Fn::Sub[1]`, out);
    return;
  }
  for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k, out);
}

/**
 * Logical ids (and parameter names) referenced anywhere inside `v`. The same walk as
 * `findReferences` without building a path for every node, which is most of its cost.
 */
export function referencedIds(v: Json): Set<string> {
  const out = new Set<string>();
  collectIds(v, out, undefined);
  return out;
}

/**
 * `referencedIds`, and separately the logical ids named by a `Fn::GetAtt` (which must be
 * resources, where a `Ref` may also name a parameter): one walk, for the reference check.
 */
export function referencedIdsWithGetAtts(v: Json): { ids: Set<string>; getAtts: Set<string> } {
  const ids = new Set<string>();
  const getAtts = new Set<string>();
  collectIds(v, ids, getAtts);
  return { ids, getAtts };
}

function collectIds(v: Json, out: Set<string>, getAtts: Set<string> | undefined): void {
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (const item of v) collectIds(item, out, getAtts);
    return;
  }
  const o = v as Record<string, unknown>;
  const name = intrinsicName(o);
  if (name === 'Ref') {
    if (typeof o.Ref === 'string') {
      out.add(o.Ref);
      return;
    }
  } else if (name === 'Fn::GetAtt') {
    const parts = getAttParts(o);
    if (parts) {
      out.add(parts[0]);
      getAtts?.add(parts[0]);
    }
    return;
  } else if (name === 'Fn::Sub') {
    const arg = o['Fn::Sub'];
    const text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
    const vars = Array.isArray(arg) && isObject(arg[1]) ? arg[1] : {};
    if (text !== undefined && text.includes('${')) for (const sv of subVariables(text)) if (!Object.hasOwn(vars, sv.name)) out.add(sv.name);
    if (Array.isArray(arg) && isObject(arg[1])) collectIds(arg[1], out, getAtts);
    return;
  }
  for (const k in o) {
    const child = o[k];
    if (typeof child === 'object' && child !== null) collectIds(child, out, getAtts);
  }
}

/**
 * Renders a string-valued expression with its references kept as `${Id}` / `${Id.Attr}`, so it
 * can be matched against patterns such as `endpoint/${Endpoint.EndpointName}/variant/AllTraffic`.
 * Returns undefined when the expression cannot be rendered (conditions, imports, selects).
 */
export function renderString(v: Json): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!isObject(v)) return undefined;
  if (typeof v.Ref === 'string' && Object.keys(v).length === 1) return `\${${v.Ref}}`;
  const ga = getAttParts(v);
  if (ga) return `\${${ga[0]}.${ga[1]}}`;
  if ('Fn::Join' in v) {
    const arg = v['Fn::Join'];
    if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
    const parts = arg[1].map(renderString);
    return parts.every((p) => p !== undefined) ? parts.join(arg[0]) : undefined;
  }
  if ('Fn::Sub' in v) {
    const arg = v['Fn::Sub'];
    if (typeof arg === 'string') return arg;
    if (Array.isArray(arg) && typeof arg[0] === 'string') {
      const vars = isObject(arg[1]) ? arg[1] : {};
      return arg[0].replace(/\$\{([^}!][^}]*)\}/g, (whole, name: string) => {
        if (!Object.hasOwn(vars, name)) return whole;
        return renderString(vars[name]) ?? whole;
      });
    }
  }
  return undefined;
}

/** A value read from a template: absent, a literal, or an expression only known at deploy time. */
export type ReadValue<T> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'literal'; readonly value: T }
  | { readonly kind: 'unresolvable'; readonly expression: unknown };

/**
 * Reads a number. CloudFormation accepts numbers as strings (`"30"`), so those count as numbers;
 * a `Ref` to a parameter is read through `resolveParameter` (its default value) when given.
 */
export function readNumber(v: Json, resolveParameter?: (name: string) => unknown): ReadValue<number> {
  if (v === undefined || v === null) return { kind: 'absent' };
  if (typeof v === 'number' && Number.isFinite(v)) return { kind: 'literal', value: v };
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return { kind: 'literal', value: Number(v) };
  if (resolveParameter && isObject(v) && typeof v.Ref === 'string') {
    const d = resolveParameter(v.Ref);
    if (d !== undefined) return readNumber(d);
  }
  return { kind: 'unresolvable', expression: v };
}

/** Reads a string literal (or a parameter default); other intrinsics are unresolvable. */
export function readString(v: Json, resolveParameter?: (name: string) => unknown): ReadValue<string> {
  if (v === undefined || v === null) return { kind: 'absent' };
  if (typeof v === 'string') return { kind: 'literal', value: v };
  if (typeof v === 'number' || typeof v === 'boolean') return { kind: 'literal', value: String(v) };
  if (resolveParameter && isObject(v) && typeof v.Ref === 'string') {
    const d = resolveParameter(v.Ref);
    if (d !== undefined) return readString(d);
  }
  return { kind: 'unresolvable', expression: v };
}

/** Reads a boolean (`true`, `"true"`, case-insensitive). */
export function readBoolean(v: Json): ReadValue<boolean> {
  if (v === undefined || v === null) return { kind: 'absent' };
  if (typeof v === 'boolean') return { kind: 'literal', value: v };
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return { kind: 'literal', value: v.toLowerCase() === 'true' };
  return { kind: 'unresolvable', expression: v };
}

/** True when a string anywhere inside `v` (including `Fn::Join` / `Fn::Sub` parts) contains `needle`. */
export function containsText(v: Json, needle: string): boolean {
  if (typeof v === 'string') return v.includes(needle);
  if (Array.isArray(v)) return v.some((x) => containsText(x, needle));
  if (isObject(v)) return Object.values(v).some((x) => containsText(x, needle));
  return false;
}

/** Renders an expression for a message: literals as JSON, intrinsics compactly. */
export function showValue(v: Json): string {
  if (v === undefined) return 'absent';
  const r = refTarget(v);
  if (r !== undefined && isObject(v) && 'Ref' in v) return `!Ref ${r}`;
  const ga = getAttParts(v);
  if (ga) return `!GetAtt ${ga[0]}.${ga[1]}`;
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
