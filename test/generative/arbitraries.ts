/**
 * Generators for the generative tests (fast-check) and their longer run in bench/generative.ts:
 * templates (fixtures, mutated in the ways hostile input breaks them), numbers for numeric props,
 * and request bodies for admission.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { parseCfnYaml } from '../../lib/review/cfn-yaml';

/** The review fixtures, found from the package root (also when this file runs compiled from dist/). */
function fixturesDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'test', 'review', 'fixtures');
}
const FIXTURES = fixturesDir();

/** The review fixtures (all pass cfn-lint), parsed. */
export const BASE_TEMPLATES: ReadonlyArray<{ name: string; template: Record<string, unknown> }> = fs.readdirSync(FIXTURES)
  .filter((f) => /\.(json|ya?ml)$/.test(f)).sort()
  .map((f) => {
    const text = fs.readFileSync(path.join(FIXTURES, f), 'utf8');
    return { name: f, template: (f.endsWith('.json') ? JSON.parse(text) : parseCfnYaml(text)) as Record<string, unknown> };
  });

/** A template case: the file text, and whether the mutation makes it a template kig must refuse. */
export interface TemplateCase {
  readonly base: string;
  readonly mutation: string;
  readonly text: string;
  readonly ext: 'json' | 'yaml';
  /** True when the mutation is one kig must answer with exit 2. */
  readonly mustRefuse: boolean;
}

type Json = Record<string, unknown>;
const clone = (t: Json): Json => JSON.parse(JSON.stringify(t));
const resources = (t: Json) => t.Resources as Record<string, Json>;

/** Numeric properties a rule reads, by type: the ones a mutation may break. */
const NUMERIC: Record<string, string[]> = {
  'AWS::SQS::Queue': ['VisibilityTimeout', 'MessageRetentionPeriod'],
  'AWS::Lambda::Function': ['Timeout', 'ReservedConcurrentExecutions', 'MemorySize'],
  'AWS::Logs::LogGroup': ['RetentionInDays'],
  'AWS::ApplicationAutoScaling::ScalableTarget': ['MinCapacity', 'MaxCapacity'],
  'AWS::Lambda::EventSourceMapping': ['BatchSize'],
};

const notANumber = fc.oneof(
  fc.constantFrom('lots', 'forever', 'x', '', ' ', 'NaN', 'Infinity', '1e', '0x', '--1'),
  fc.string({ maxLength: 20 }).filter((s) => s.trim() === '' || !Number.isFinite(Number(s))),
  fc.constantFrom<unknown>({ x: 1 }, [1], true, false, { Ref: 1 }, {}),
);

const badLogicalId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[A-Za-z0-9]+$/.test(s)),
  fc.constantFrom('__proto__', 'to-String', 'has space', 'a.b', 'x'.repeat(256)),
);

const prototypeName = fc.constantFrom('__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf', 'isPrototypeOf');

/** One mutation: a name, what it does to the template or its text, and whether kig must refuse. */
const mutations: Array<fc.Arbitrary<(t: Json, ext: 'json' | 'yaml') => { text?: string; t?: Json; name: string; mustRefuse: boolean }>> = [
  fc.constant(() => ({ name: 'none', mustRefuse: false })),
  fc.constant((t: Json) => ({ name: 'keys reversed', t: { ...t, Resources: Object.fromEntries(Object.entries(resources(t)).reverse()) }, mustRefuse: false })),
  fc.constant((t: Json, ext) => ({ name: 'byte-order mark', text: `\uFEFF${render(t, ext)}`, mustRefuse: false })),
  fc.tuple(fc.nat(), fc.nat(), notANumber).map(([i, j, v]) => (t: Json) => {
    const ids = Object.keys(resources(t)).filter((id) => NUMERIC[String(resources(t)[id].Type)]);
    if (ids.length === 0) return { name: 'none (no numeric property)', mustRefuse: false };
    const id = ids[i % ids.length];
    const props = NUMERIC[String(resources(t)[id].Type)];
    const prop = props[j % props.length];
    const r = resources(t)[id];
    r.Properties = { ...(r.Properties as Json | undefined), [prop]: v };
    return { name: `${id}.${prop} = ${JSON.stringify(v)}`, t, mustRefuse: true };
  }),
  fc.tuple(fc.nat(), fc.oneof(prototypeName, fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,12}$/).map((s) => `Missing${s}`)), fc.constantFrom('Ref', 'GetAtt', 'Sub'))
    .map(([i, name, via]) => (t: Json) => {
      const ids = Object.keys(resources(t));
      const r = resources(t)[ids[i % ids.length]];
      const value = via === 'Ref' ? { Ref: name } : via === 'GetAtt' ? { 'Fn::GetAtt': [name, 'Arn'] } : { 'Fn::Sub': `x-\${${name}}` };
      r.Properties = { ...(r.Properties as Json | undefined), Tags: [{ Key: 'k', Value: value }] };
      return { name: `unresolvable ${via} ${name}`, t, mustRefuse: t.Transform === undefined };
    }),
  fc.nat().map((i) => (t: Json, ext) => {
    const ids = Object.keys(resources(t));
    const id = ids[i % ids.length];
    const text = render(t, ext);
    const dup = ext === 'json'
      ? text.replace(/"Resources"\s*:\s*\{/, (m) => `${m}"${id}": {"Type": "AWS::SNS::Topic"},`)
      : text.replace(/^"?Resources"?:\n/m, (m) => `${m}  ${id}:\n    Type: AWS::SNS::Topic\n`);
    return { name: `duplicate ${id}`, text: dup, mustRefuse: dup !== text };
  }),
  fc.tuple(fc.constantFrom('Parameters', 'Outputs', 'Conditions', 'Mappings'), fc.constantFrom<unknown>('oops', null, 1, [1], true))
    .map(([section, v]) => (t: Json) => ({ name: `${section} = ${JSON.stringify(v)}`, t: { ...t, [section]: v }, mustRefuse: true })),
  badLogicalId.map((id) => (t: Json) => ({ name: `logical id ${JSON.stringify(id.slice(0, 20))}`, t: { ...t, Resources: { ...resources(t), [id]: { Type: 'AWS::SNS::Topic' } } }, mustRefuse: true })),
  fc.integer({ min: 201, max: 3_000 }).map((depth) => (t: Json) => {
    const first = Object.keys(resources(t))[0];
    let deep: unknown = 1;
    for (let k = 0; k < depth; k++) deep = k % 2 === 0 ? [deep] : { v: deep };
    const r = resources(t)[first];
    r.Properties = { ...(r.Properties as Json | undefined), Tags: deep };
    return { name: `nesting ${depth}`, t, mustRefuse: true };
  }),
  fc.double({ min: 0.05, max: 0.95, noNaN: true }).map((f) => (t: Json, ext) => {
    const text = render(t, ext);
    return { name: `cut at ${(f * 100).toFixed(0)} %`, text: text.slice(0, Math.floor(text.length * f)), mustRefuse: ext === 'json' };
  }),
  fc.constantFrom('}', ']', ',', ':', '"', '\u0000', '{{', 'x').map((junk) => (t: Json) => {
    const text = JSON.stringify(t, null, 1);
    // Inside the Resources map, where junk cannot land in a string value harmlessly.
    const at = text.indexOf('"Resources"') + 12;
    return { name: `junk ${JSON.stringify(junk)}`, text: `${text.slice(0, at)}${junk}${text.slice(at)}`, mustRefuse: true };
  }),
];

function render(t: Json, ext: 'json' | 'yaml'): string {
  if (ext === 'json') return JSON.stringify(t, null, 2);
  // JSON is YAML; a block-style rendering exercises the YAML reader's own paths.
  return yamlBlock(t, 0);
}

function yamlScalar(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

function yamlBlock(v: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  // Deep values in flow style (JSON is YAML), so rendering never recurses deeply.
  if (indent > 40) return `${pad}${JSON.stringify(v)}\n`;
  if (Array.isArray(v)) {
    if (v.length === 0) return `${pad}[]\n`;
    return v.map((x) => (typeof x === 'object' && x !== null ? `${pad}-\n${yamlBlock(x, indent + 2)}` : `${pad}- ${yamlScalar(x)}\n`)).join('');
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries.map(([k, x]) => (typeof x === 'object' && x !== null && (Array.isArray(x) ? x.length : Object.keys(x).length) > 0
      ? `${pad}${JSON.stringify(k)}:\n${yamlBlock(x, indent + 2)}`
      : `${pad}${JSON.stringify(k)}: ${typeof x === 'object' && x !== null ? (Array.isArray(x) ? '[]' : '{}') : yamlScalar(x)}\n`)).join('');
  }
  return `${pad}${yamlScalar(v)}\n`;
}

/** A fixture, mutated by one generated mutation, as JSON or YAML text. */
export const templateCase: fc.Arbitrary<TemplateCase> = fc.tuple(
  fc.constantFrom(...BASE_TEMPLATES), fc.constantFrom<'json' | 'yaml'>('json', 'yaml'), fc.oneof(...mutations),
).map(([base, ext, mutate]) => {
  const t = clone(base.template);
  const m = mutate(t, ext);
  return { base: base.name, mutation: m.name, text: m.text ?? render(m.t ?? t, ext), ext, mustRefuse: m.mustRefuse };
});

/** Any JSON value as a whole "template": kig must answer, never crash. */
export const randomDocument: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify({ Resources: v })),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })).map((r) => JSON.stringify({ Resources: r })),
  fc.string({ maxLength: 200 }),
);

// ---- numbers for numeric props --------------------------------------------------------------

/** Numbers a user (or a bug) might pass: NaN, ±Infinity, fractions, huge, negative, tokens. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, -1, 0.5, 1.5, 1e12, 2_000_000_001, Number.MAX_VALUE, Number.MIN_VALUE, 1e-9),
  fc.double(),
  fc.integer({ min: -10, max: 100_000 }),
  fc.constant(0).map(() => Token.asNumber({ Ref: 'SomeParameter' })),
);

// ---- request bodies ---------------------------------------------------------------------------

/** A JSON number as text, including ones JSON.parse turns into Infinity or rounds. */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('1e400', '-1e400', '1e39', '-1e39', '3.4028234663852886e38', '1e-400', '0', '-0', '123456789012345678901234567890'),
  fc.integer().map(String),
);

/** Bodies near the test signature (float32, shape [3], batch <= 4) and random JSON, as text. */
export const requestBody: fc.Arbitrary<string> = fc.oneof(
  // Right shape, mostly ordinary numbers, now and then one that is not a float32.
  fc.array(fc.tuple(...[0, 1, 2].map(() => fc.oneof(
    { arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => JSON.stringify(d)), weight: 6 },
    { arbitrary: numberText, weight: 1 },
  ))), { minLength: 1, maxLength: 4 }).map((rows) => `{"instances": [${rows.map((r) => `[${r.join(', ')}]`).join(', ')}]}`),
  fc.array(fc.array(numberText, { minLength: 2, maxLength: 4 }), { minLength: 0, maxLength: 5 })
    .map((rows) => `{"instances": [${rows.map((r) => `[${r.join(', ')}]`).join(', ')}]}`),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify({ instances: v })),
  fc.string({ maxLength: 50 }),
);
