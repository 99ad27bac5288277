import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';
import { thirdParty } from '../core/third-party';

/** Short-form intrinsic tags and the long form each expands to. */
const SHORT_FORMS: ReadonlyArray<[string, string]> = [
  ['Ref', 'Ref'], ['GetAtt', 'Fn::GetAtt'], ['Sub', 'Fn::Sub'], ['Join', 'Fn::Join'], ['If', 'Fn::If'],
  ['Equals', 'Fn::Equals'], ['Select', 'Fn::Select'], ['Split', 'Fn::Split'], ['FindInMap', 'Fn::FindInMap'],
  ['ImportValue', 'Fn::ImportValue'], ['GetAZs', 'Fn::GetAZs'], ['Base64', 'Fn::Base64'], ['Cidr', 'Fn::Cidr'],
  ['Not', 'Fn::Not'], ['And', 'Fn::And'], ['Or', 'Fn::Or'], ['Condition', 'Condition'],
  ['Transform', 'Fn::Transform'], ['Length', 'Fn::Length'], ['ToJsonString', 'Fn::ToJsonString'],
];

function scalarValue(name: string, fn: string, value: string): unknown {
  if (name === 'GetAtt') {
    // `!GetAtt Resource.Attribute`: the attribute may itself contain dots (Endpoint.Address).
    const dot = value.indexOf('.');
    return { [fn]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [fn]: value };
}

/** yaml custom tags for every CloudFormation short form, in scalar, sequence and mapping shape. */
export const CFN_YAML_TAGS: Array<ScalarTag | CollectionTag> = SHORT_FORMS.flatMap(([name, fn]) => [
  { tag: `!${name}`, resolve: (value: string) => scalarValue(name, fn, value) } as ScalarTag,
  { tag: `!${name}`, collection: 'seq', resolve: (seq: YAMLSeq) => ({ [fn]: seq.toJSON() }) } as unknown as CollectionTag,
  { tag: `!${name}`, collection: 'map', resolve: (map: YAMLMap) => ({ [fn]: map.toJSON() }) } as unknown as CollectionTag,
]);

/** A YAML syntax error with its position (1-based). */
export class YamlSyntaxError extends Error {
  constructor(message: string, public readonly line: number, public readonly column: number) {
    super(message);
  }
}

/**
 * Parses a CloudFormation YAML template into its JSON shape, expanding short intrinsic forms.
 * Throws YamlSyntaxError on the first syntax error or unknown tag.
 */
export function parseCfnYaml(text: string): unknown {
  const { isScalar, parseDocument, visit } = thirdParty().yaml;
  const doc = parseDocument(text, { customTags: CFN_YAML_TAGS, uniqueKeys: true });
  const first = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (first) {
    const pos = first.linePos?.[0] ?? { line: 0, col: 0 };
    // The YAML library's own wording for several documents tells the reader to call one of its functions.
    const message = first.code === 'MULTIPLE_DOCS'
      ? 'the file holds more than one YAML document (a second "---" starts another); a template is one document'
      : first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new YamlSyntaxError(message, pos.line, pos.col);
  }
  // A mapping key that is itself a map or a list (`? [a]: b`) has no JSON form: refuse it here
  // rather than let the YAML library stringify it with a process warning.
  let complexKey: number | undefined;
  visit(doc, {
    Pair(_k, pair) {
      if (complexKey === undefined && pair.key !== null && !isScalar(pair.key)) complexKey = (pair.key as { range?: [number] }).range?.[0] ?? 0;
    },
  });
  if (complexKey !== undefined) {
    const before = text.slice(0, complexKey);
    const line = before.split('\n').length;
    throw new YamlSyntaxError('a mapping key must be a plain value, not a map or a list', line, complexKey - before.lastIndexOf('\n'));
  }
  return doc.toJS({ maxAliasCount: 1000 });
}
