import * as fs from 'fs';
import * as path from 'path';
import type * as jsonc from 'jsonc-parser';
import { findReferences, getAttParts } from '../nag/template/intrinsics';
import { CfnTemplate, TemplateModel } from '../nag/template/template-model';
import { YamlSyntaxError, parseCfnYaml } from './cfn-yaml';
import { numericProblems } from './numeric-properties';
import { ExpandedTemplate, expandSam, usesSamTransform } from './sam';
import { clip, REVIEW_LIMITS } from './review-limits';
import { thirdParty } from '../core/third-party';

/** Bad input for `review`: a missing or unreadable file, malformed JSON/YAML, a broken template. */
export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewInputError';
  }
}

/** One template read from disk. */
export interface LoadedTemplate {
  /** Path as given or relative to the working directory, for messages and SARIF locations. */
  readonly path: string;
  /** Raw text (without a byte-order mark). */
  readonly text: string;
  /**
   * The template in JSON shape. Read-only: the review reuses what loading built for this object
   * (change a copy, which is checked anew).
   */
  readonly template: CfnTemplate;
  /**
   * The 1-based line where each resource is declared, found in one pass over the text.
   * @default - looked up on demand
   */
  readonly lines?: ReadonlyMap<string, number>;
}

/** The SAM expansion and the model that the checks of `loadTemplate` built. */
export interface CheckedTemplate {
  /** The SAM expansion. @default - not a SAM template */
  readonly expanded?: ExpandedTemplate;
  /** Model of the expanded template (or of the template itself when it is not SAM). */
  readonly model: TemplateModel;
}

/**
 * What loading built while checking a template, by the template object it read, for the review
 * to reuse rather than build again (the SAM expansion, the model with every resource's references
 * walked). Kept beside the template rather than in it: a copy of the template (a test that
 * changes a clone) is checked and modelled anew, and nothing is kept once the template is gone.
 */
const checkedTemplates = new WeakMap<CfnTemplate, CheckedTemplate>();

/** What `loadTemplate` built for this template object, if it loaded it. */
export function checkedTemplate(template: CfnTemplate): CheckedTemplate | undefined {
  return checkedTemplates.get(template);
}

/**
 * Lists the template files behind a path: the file itself, or every stack template of a cdk.out
 * directory (through manifest.json, including nested assemblies of CDK stages and nested stack
 * templates; without a manifest, every *.template.json in it). Manifest paths must stay inside the
 * directory given; an assembly reached twice (e.g. a nested assembly pointing back at ".") is read once.
 */
export function templateFiles(target: string, cwd: string): string[] {
  const abs = path.resolve(cwd, target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ReviewInputError(`${target}: no such file or directory. Fix: pass a template file (.json, .yaml, .yml) or a cdk.out directory.`);
  }
  if (stat.isFile()) return [abs];
  if (!stat.isDirectory()) throw new ReviewInputError(`${target}: ${specialKind(stat)}, not a regular file. Fix: pass a template file (.json, .yaml, .yml) or a cdk.out directory.`);
  let files: string[];
  try {
    files = [...new Set(assemblyTemplates(abs, abs, 0, new Set()))];
  } catch (e) {
    if (e instanceof ReviewInputError) throw e;
    throw new ReviewInputError(`${target}: cannot list the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix: check the path and its permissions.`);
  }
  if (files.length === 0) {
    throw new ReviewInputError(`${target}: no CloudFormation templates in this directory (expected a cdk.out directory with *.template.json files). Fix: run cdk synth first, or pass a template file.`);
  }
  return files;
}

function specialKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/** A path from a manifest, resolved inside `root`; refused when it leaves it. */
function inside(root: string, dir: string, rel: string, manifestPath: string): string {
  const resolved = path.resolve(dir, rel);
  const fromRoot = path.relative(root, resolved);
  if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    throw new ReviewInputError(`${manifestPath}: path ${JSON.stringify(clip(rel))} points outside the cloud assembly. Fix: synthesize the app again; a manifest only names files inside its cdk.out.`);
  }
  return resolved;
}

function assemblyTemplates(root: string, dir: string, depth: number, visited: Set<string>): string[] {
  const real = fs.realpathSync(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  const manifestPath = path.join(dir, 'manifest.json');
  if (depth < 5 && fs.existsSync(manifestPath)) {
    let manifest: { artifacts?: Record<string, { type?: string; properties?: { templateFile?: unknown; directoryName?: unknown } }> };
    try {
      manifest = JSON.parse(readRegularFile(manifestPath, manifestPath));
    } catch (e) {
      if (e instanceof ReviewInputError) throw e;
      throw new ReviewInputError(`${manifestPath}: not valid JSON (${clip((e as Error).message)}). Fix: synthesize the app again.`);
    }
    const out: string[] = [];
    const artifacts = typeof manifest?.artifacts === 'object' && manifest.artifacts !== null ? manifest.artifacts : {};
    for (const artifact of Object.values(artifacts)) {
      const props = typeof artifact === 'object' && artifact !== null ? artifact.properties ?? {} : {};
      if (artifact.type === 'aws:cloudformation:stack' && typeof props.templateFile === 'string') {
        out.push(inside(root, dir, props.templateFile, manifestPath));
      } else if (artifact.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
        const nested = inside(root, dir, props.directoryName, manifestPath);
        if (fs.existsSync(nested) && fs.statSync(nested).isDirectory()) out.push(...assemblyTemplates(root, nested, depth + 1, visited));
      }
    }
    // Nested stack templates are assets of their parent, not stack artifacts: add them too.
    const nested = fs.readdirSync(dir).filter((f) => f.endsWith('.nested.template.json')).sort().map((f) => path.join(dir, f));
    out.push(...nested.filter((f) => !out.includes(f)));
    if (out.length > 0) return out;
  }
  return fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort().map((f) => path.join(dir, f));
}

/**
 * Reads a regular file of at most `REVIEW_LIMITS.maxFileBytes`. The file is opened without
 * blocking and checked with fstat before anything is read, so a named pipe, a device such as
 * /dev/zero or a socket is refused at once instead of hanging or filling memory.
 */
function readRegularFile(file: string, shown: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new ReviewInputError(`${shown}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new ReviewInputError(`${shown}: ${stat.isDirectory() ? 'a directory' : specialKind(stat)}, not a regular file. Fix: pass a template file.`);
    const max = REVIEW_LIMITS.maxFileBytes;
    if (stat.size > max) {
      throw new ReviewInputError(`${shown}: ${stat.size} bytes, above the ${max}-byte limit (CloudFormation itself takes at most 1 MB). Fix: review a real template; split very large stacks.`);
    }
    // Read at most one byte past the limit, in case the file grew after fstat.
    const buf = Buffer.alloc(Math.min(max + 1, stat.size + 1));
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length;) {
      got = fs.readSync(fd, buf, n, buf.length - n, null);
      n += got;
    }
    if (n > max) throw new ReviewInputError(`${shown}: larger than the ${max}-byte limit. Fix: review a real template.`);
    return decodeText(buf.subarray(0, n), shown);
  } catch (e) {
    if (e instanceof ReviewInputError) throw e;
    throw new ReviewInputError(`${shown}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The text of a template file. UTF-8 (with or without a byte-order mark) is read as it is; UTF-16
 * with a byte-order mark (what some Windows editors save) is decoded; anything else that is not
 * valid UTF-8 is refused with the offset of the first bad byte, rather than read with replacement
 * characters that would change names and values. CloudFormation reads templates as UTF-8.
 */
function decodeText(bytes: Buffer, shown: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    if (le && bytes.length >= 4 && bytes[2] === 0 && bytes[3] === 0) {
      throw new ReviewInputError(`${shown}: the file is UTF-32 (it starts with a UTF-32 byte-order mark), not a text encoding review reads. Fix: save the template as UTF-8.`);
    }
    try {
      return new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(bytes.subarray(2));
    } catch {
      throw new ReviewInputError(`${shown}: starts with a UTF-16 ${le ? 'little' : 'big'}-endian byte-order mark but is not valid UTF-16. Fix: save the template as UTF-8.`);
    }
  }
  // JSON and YAML allow no NUL character; NULs every other byte are UTF-16 without a byte-order mark.
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const utf16 = bytes.subarray(0, 64).filter((b) => b === 0).length >= 8;
    throw new ReviewInputError(`${shown}: byte ${nul} is a NUL (0x00)${utf16 ? ', as in UTF-16 text without a byte-order mark' : ''}; a template is text without NULs. Fix: save the template as UTF-8.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new ReviewInputError(`${shown}: not valid UTF-8: byte ${at} (0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'}) cannot be decoded (review does not guess another encoding, and replacing it would change names and values). Fix: save the template as UTF-8.`);
  }
}

/**
 * Offset of the first byte that does not start or continue a valid UTF-8 sequence. A streaming
 * decode of a prefix fails only on a bad byte inside it (a sequence cut at the end waits for more),
 * so "the prefix fails" is monotonic in its length and the shortest failing prefix is bisected.
 */
function firstInvalidUtf8(bytes: Buffer): number {
  const fails = (length: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  let lo = 0; // does not fail
  let hi = bytes.length; // fails (a cut sequence at the very end fails only on the final flush)
  if (!fails(hi)) return Math.max(0, bytes.length - 1);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fails(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

/** Reads and parses one template file; every failure is a one-line ReviewInputError. */
export function loadTemplate(file: string, cwd: string): LoadedTemplate {
  const shown = path.relative(cwd, file) || file;
  // A UTF-8 byte-order mark is not part of the template (cfn-lint accepts it too).
  const text = readRegularFile(file, shown).replace(/^\uFEFF/, '');
  const parsed = parseText(text, file, shown);
  // The JSON scan already refused deep nesting; YAML is checked here.
  if (parsed.lines === undefined) checkNesting(parsed.value, shown);
  const template = asTemplate(parsed.value, shown);
  // SAM properties reach the rules through the resources the transform generates: check those too.
  const expanded = usesSamTransform(template) ? expandSam(template) : undefined;
  if (expanded && expanded.problems.length > 0) {
    const [first, ...rest] = expanded.problems;
    const more = rest.length > 0 ? ` (and ${rest.length} more: ${rest.slice(0, 3).join('; ')}${rest.length > 3 ? '; ...' : ''})` : '';
    throw new ReviewInputError(`${shown}: not a valid SAM template: ${first}${more}. Fix: name an API of the template with !Ref, or leave the property out for the implicit API.`);
  }
  const model = checkReferences(template, shown, expanded);
  const problems = numericProblems(template);
  if (expanded) {
    // Resources the transform keeps as they are (the same objects) were checked above.
    for (const p of numericProblems(expanded.template, (id, r) => template.Resources[id] !== r)) {
      const id = /^Resources\.([A-Za-z0-9]+)/.exec(p)?.[1];
      const from = id !== undefined ? expanded.origins.get(id) : undefined;
      problems.push(from !== undefined ? `${p} (in what SAM generates for ${from})` : p);
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 4).join('; ')}${problems.length > 4 ? '; ...' : ''})` : '';
    throw new ReviewInputError(`${shown}: not a valid template: ${problems[0]}${more}. Fix: give these properties numbers (or intrinsic functions that produce numbers).`);
  }
  if (model) checkedTemplates.set(template, { expanded, model });
  return { path: shown, text, template, lines: parsed.lines ?? yamlResourceLines(text, template) };
}

interface Parsed {
  readonly value: unknown;
  readonly lines?: Map<string, number>;
}

/**
 * .json files are JSON. Other files that start like JSON are tried as JSON first (faster, exact
 * positions); everything else is YAML.
 */
function parseText(text: string, file: string, shown: string): Parsed {
  if (!/\.json$/i.test(file)) {
    if (/^\s*\{/.test(text)) {
      try {
        return parseJson(text, shown);
      } catch {
        // A YAML flow mapping, or broken JSON in a .yaml/.template file: YAML reports it.
      }
    }
    try {
      return { value: parseCfnYaml(text) };
    } catch (e) {
      if (e instanceof YamlSyntaxError && /call stack/i.test(e.message)) {
        throw new ReviewInputError(`${shown}:${e.line}:${e.column}: nested too deeply to read; at most ${REVIEW_LIMITS.maxNestingDepth} levels are allowed. Fix: flatten the template.`);
      }
      if (e instanceof YamlSyntaxError) {
        const what = /must be unique/.test(e.message) ? `duplicate key: ${e.message} (cfn-lint E0000)` : `malformed YAML: ${e.message}`;
        throw new ReviewInputError(`${shown}:${e.line}:${e.column}: ${what}. Fix: correct the YAML at that position.`);
      }
      if (e instanceof RangeError) throw new ReviewInputError(`${shown}: nested too deeply to read (${clip(e.message)}); at most ${REVIEW_LIMITS.maxNestingDepth} levels are allowed. Fix: flatten the template.`);
      throw new ReviewInputError(`${shown}: malformed YAML: ${clip((e as Error).message)}.`);
    }
  }
  return parseJson(text, shown);
}

/**
 * Parses JSON: a quick scan for what JSON.parse does not check (nesting beyond the limit,
 * duplicate keys) that notes the line of every resource, then the native JSON.parse. When either
 * finds anything wrong, the careful scan (`scanJson`) reads the text again to report the first
 * problem at its line and column.
 */
function parseJson(text: string, shown: string): Parsed {
  const lines = quickJsonScan(text, REVIEW_LIMITS.maxNestingDepth);
  if (lines !== undefined) {
    try {
      return { value: JSON.parse(text), lines };
    } catch {
      // Not JSON: the careful scan says where.
    }
  }
  return scanJson(text, shown);
}

/**
 * The resource lines of a JSON text, in one pass over its characters; undefined when the text
 * nests deeper than `maxDepth`, repeats a key in an object, or is not shaped like JSON. It trusts
 * the text to be JSON otherwise (JSON.parse checks that next): in JSON, a string followed by `:`
 * is a key, and line breaks occur only between tokens (LF, CR or CR LF, as jsonc-parser counts them).
 */
function quickJsonScan(text: string, maxDepth: number): Map<string, number> | undefined {
  const lines = new Map<string, number>();
  // Keys of the open objects: the first few in a flat list (a linear search is quicker than a set
  // for the small objects most of a template is made of), a set once an object has more.
  const flat: string[] = [];
  const starts: number[] = [];
  const sets: Array<Set<string> | undefined> = [];
  const isObject: boolean[] = [];
  let depth = 0;
  let line = 0;
  let topKey: string | undefined;
  let nextBackslash = -2;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 13) {
      if (text.charCodeAt(i + 1) !== 10) line++;
    } else if (c === 123 || c === 91) {
      if (depth >= maxDepth) return undefined;
      isObject[depth] = c === 123;
      starts[depth] = flat.length;
      sets[depth] = undefined;
      depth++;
    } else if (c === 125 || c === 93) {
      if (depth === 0) return undefined;
      depth--;
      flat.length = starts[depth];
      sets[depth] = undefined;
    } else if (c === 34) {
      // The closing quote: the next one not escaped by an odd number of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return undefined;
        let b = j - 1;
        while (text.charCodeAt(b) === 92) b--;
        if ((j - 1 - b) % 2 === 0) break;
      }
      let k = j + 1;
      for (let d = text.charCodeAt(k); d === 32 || d === 9 || d === 10 || d === 13; d = text.charCodeAt(++k));
      if (text.charCodeAt(k) === 58) {
        if (depth === 0 || !isObject[depth - 1]) return undefined;
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = text.indexOf('\\', i);
        let name: string;
        try {
          name = nextBackslash >= 0 && nextBackslash < j ? JSON.parse(text.slice(i, j + 1)) as string : text.slice(i + 1, j);
        } catch {
          return undefined;
        }
        const level = depth - 1;
        let set = sets[level];
        if (set !== undefined) {
          if (set.has(name)) return undefined;
          set.add(name);
        } else {
          for (let x = starts[level]; x < flat.length; x++) if (flat[x] === name) return undefined;
          if (flat.length - starts[level] >= 16) {
            set = new Set(flat.slice(starts[level]));
            set.add(name);
            sets[level] = set;
          } else {
            flat.push(name);
          }
        }
        if (depth === 1) topKey = name;
        else if (depth === 2 && topKey === 'Resources') lines.set(name, line + 1);
      }
      i = j;
    }
  }
  return depth === 0 ? lines : undefined;
}

/**
 * Scans JSON with jsonc-parser's visitor, which finds the first syntax error at its line and
 * column, refuses nesting beyond the limit and duplicate keys (JSON.parse keeps the last one
 * silently, hiding a resource; cfn-lint reports E0000), and notes the line of every resource;
 * then parses it with the native JSON.parse.
 */
function scanJson(text: string, shown: string): Parsed {
  const lines = new Map<string, number>();
  const keys: Array<Set<string> | undefined> = [];
  let topKey: string | undefined;
  const stop = (line: number, column: number, what: string, fix: string): never => {
    throw new ReviewInputError(`${shown}:${line + 1}:${column + 1}: ${what}. Fix: ${fix}.`);
  };
  const open = (isObject: boolean, line: number, column: number) => {
    keys.push(isObject ? new Set() : undefined);
    if (keys.length > REVIEW_LIMITS.maxNestingDepth) {
      stop(line, column, `nested deeper than ${REVIEW_LIMITS.maxNestingDepth} levels`, 'flatten the template');
    }
  };
  try {
    thirdParty().jsonc.visit(text, {
      onObjectBegin: (_o, _l, line, column) => open(true, line, column),
      onArrayBegin: (_o, _l, line, column) => open(false, line, column),
      onObjectEnd: () => {
        keys.pop();
      },
      onArrayEnd: () => {
        keys.pop();
      },
      onObjectProperty: (name, _o, _l, line, column) => {
        const own = keys[keys.length - 1];
        if (own?.has(name)) stop(line, column, `duplicate key ${JSON.stringify(clip(name))} (cfn-lint E0000): JSON keeps only the last one`, 'give every key of an object its own name');
        own?.add(name);
        if (keys.length === 1) topKey = name;
        else if (keys.length === 2 && topKey === 'Resources') lines.set(name, line + 1);
      },
      onError: (code, offset, _l, line, column) => {
        stop(line, column, `malformed JSON: ${jsonErrorText(code, offset >= text.length)}`, 'correct the JSON at that position');
      },
    }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (e) {
    if (e instanceof ReviewInputError) throw e;
    if (e instanceof RangeError) throw new ReviewInputError(`${shown}: nested too deeply to read; at most ${REVIEW_LIMITS.maxNestingDepth} levels are allowed. Fix: flatten the template.`);
    throw e;
  }
  try {
    return { value: JSON.parse(text), lines };
  } catch (e) {
    // The scan accepted it, so this is a limit of the runtime (e.g. a string too long).
    throw new ReviewInputError(`${shown}: cannot read the JSON (${clip((e as Error).message)}).`);
  }
}

const JSON_ERRORS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: "expected a property name or '}'",
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected ',' or '}'",
  CloseBracketExpected: "expected ',' or ']'",
  EndOfFileExpected: 'expected the end of the input',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'malformed escape',
  InvalidCharacter: 'control character in a string',
};

function jsonErrorText(code: jsonc.ParseErrorCode, atEnd: boolean): string {
  const name = thirdParty().jsonc.printParseErrorCode(code);
  const text = JSON_ERRORS[name] ?? name;
  return atEnd ? `unexpected end of input, ${text}` : text;
}

/** Refuses values nested deeper than the limit (YAML is parsed before it can be scanned). Iterative. */
function checkNesting(value: unknown, shown: string): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > REVIEW_LIMITS.maxNestingDepth) {
      throw new ReviewInputError(`${shown}: nested deeper than ${REVIEW_LIMITS.maxNestingDepth} levels. Fix: flatten the template.`);
    }
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}

/**
 * Lines of the resources of a YAML template, in one pass: the keys at the indentation of the first
 * key under `Resources:`. Keys are compared as text, never turned into a regular expression.
 */
function yamlResourceLines(text: string, template: CfnTemplate): Map<string, number> {
  const out = new Map<string, number>();
  const ids = new Set(Object.keys(template.Resources));
  let inResources = false;
  let indent = -1;
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const key = lineKey(text, start, end);
    if (key !== undefined) {
      if (key.indent === 0) {
        inResources = key.name === 'Resources';
        indent = -1;
      } else if (inResources) {
        if (indent < 0) indent = key.indent;
        if (key.indent === indent && ids.has(key.name) && !out.has(key.name)) out.set(key.name, line);
      }
    }
    start = end + 1;
  }
  return out;
}

/** The mapping key a line starts with (`  Name:` or `  "Name":`), with its indentation. */
function lineKey(text: string, start: number, end: number): { indent: number; name: string } | undefined {
  let i = start;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= end || text[i] === '#' || text[i] === '-') return undefined;
  const quote = text[i] === '"' || text[i] === "'" ? text[i] : undefined;
  let nameEnd: number;
  let name: string;
  if (quote) {
    nameEnd = text.indexOf(quote, i + 1);
    if (nameEnd < 0 || nameEnd >= end) return undefined;
    name = text.slice(i + 1, nameEnd);
    nameEnd++;
  } else {
    const colon = text.indexOf(':', i);
    if (colon < 0 || colon >= end) return undefined;
    nameEnd = colon;
    name = text.slice(i, colon).trimEnd();
  }
  let j = nameEnd;
  while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
  return text[j] === ':' ? { indent: i - start, name } : undefined;
}

/**
 * A logical id: letters and digits (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html),
 * at most 255 of them (cfn-lint's template schema, rule E3001 "is longer than 255").
 */
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asTemplate(parsed: unknown, shown: string): CfnTemplate {
  if (!isObj(parsed)) {
    throw new ReviewInputError(`${shown}: not a CloudFormation template: the file holds ${showKind(parsed)}, not a map with a Resources section. Fix: pass a template (JSON or YAML with a top-level Resources map).`);
  }
  if (parsed.Resources === undefined) {
    throw new ReviewInputError(`${shown}: not a CloudFormation template: no Resources section. Fix: pass a template (JSON or YAML with a top-level Resources map).`);
  }
  if (!isObj(parsed.Resources)) {
    throw new ReviewInputError(`${shown}: the Resources section is ${showKind(parsed.Resources)}, not a map of logical ids to resources. Fix: write Resources as a map, e.g. "Queue: {Type: AWS::SQS::Queue}".`);
  }
  if (Object.keys(parsed.Resources).length === 0) {
    // CloudFormation: "Template format error: At least one Resources member must be defined."
    throw new ReviewInputError(`${shown}: the Resources section is empty; CloudFormation requires at least one resource. Fix: add the resources to review.`);
  }
  // Keys, then a lookup each: Object.entries of a map of hundreds of resources is several times slower.
  for (const id of Object.keys(parsed.Resources)) {
    const r = parsed.Resources[id];
    if (id === '<<') {
      throw new ReviewInputError(`${shown}: the Resources section holds a YAML merge key (<<); CloudFormation does not accept merge keys (only \`aws cloudformation package\` expands them; cfn-lint W1100). Fix: write the resources out.`);
    }
    if (!LOGICAL_ID.test(id)) {
      throw new ReviewInputError(`${shown}: resource id ${JSON.stringify(clip(id))} is not a logical id: allowed 1 to 255 letters and digits (A-Za-z0-9). Fix: rename the resource.`);
    }
    if (isObj(r) && Object.hasOwn(r, '<<')) {
      throw new ReviewInputError(`${shown}: resource ${id} uses a YAML merge key (<<); CloudFormation does not accept merge keys (only \`aws cloudformation package\` expands them; cfn-lint W1100). Fix: write the resource's Type and Properties out.`);
    }
    if (!isObj(r)) {
      throw new ReviewInputError(`${shown}: resource ${id} is ${showKind(r)}, not a map with a Type. Fix: write the resource as a map such as {Type: AWS::SQS::Queue, Properties: {...}}.`);
    }
    if (typeof r.Type !== 'string') {
      throw new ReviewInputError(`${shown}: resource ${id} ${r.Type === undefined ? 'has no Type' : `has Type ${showKind(r.Type)}, not a type name`}. Fix: give every resource a Type such as AWS::SQS::Queue.`);
    }
    if (r.Properties !== undefined && !isObj(r.Properties)) {
      throw new ReviewInputError(`${shown}: resource ${id}: Properties is ${showKind(r.Properties)}, not a map. Fix: write Properties as a map of property names to values.`);
    }
  }
  for (const section of ['Parameters', 'Outputs', 'Conditions', 'Mappings'] as const) {
    const v = parsed[section];
    if (v !== undefined && !isObj(v)) {
      throw new ReviewInputError(`${shown}: the ${section} section is ${showKind(v)}, not a map. Fix: write ${section} as a map, or remove it.`);
    }
  }
  for (const [name, p] of Object.entries((parsed.Parameters as Record<string, unknown> | undefined) ?? {})) {
    if (!LOGICAL_ID.test(name) || !isObj(p)) {
      throw new ReviewInputError(`${shown}: parameter ${JSON.stringify(clip(name))} is not a parameter: a name of 1 to 255 letters and digits with a map (Type, Default, ...). Fix: correct the Parameters section.`);
    }
  }
  return parsed as unknown as CfnTemplate;
}

function showKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `the string ${JSON.stringify(clip(v, 40))}` : `${typeof v} ${clip(String(v), 40)}`;
}

/**
 * Refuses templates with references to logical ids that do not exist, and with a `DependsOn` that
 * is not a list of other resources or that closes a cycle: every rule follows references, and a
 * dangling one would make findings silently wrong; CloudFormation rejects both ("Unresolved
 * resource dependencies", "Circular dependency between resources"). A SAM template is checked
 * against its resources and the ones the transform generates (`<Function>Role`, `ServerlessRestApi`,
 * `<Api>.Stage`, ...); templates with another Transform (macros) are exempt, because the macro may
 * generate resources they reference.
 */
function checkReferences(template: CfnTemplate, shown: string, expanded: ExpandedTemplate | undefined): TemplateModel | undefined {
  const sam = expanded !== undefined;
  if (template.Transform !== undefined && !sam) return undefined;
  const model = new TemplateModel(template);
  const generated = expanded ? new TemplateModel(expanded.template) : undefined;
  const isResource = (name: string) => model.resource(name) !== undefined || generated?.resource(name) !== undefined;
  const resolvable = (name: string) => isResource(name) || model.isDefined(name) || (sam && samGeneratedReference(model, name));
  const problems: string[] = [];
  const visit = (value: unknown, where: string) => {
    for (const ref of findReferences(value, where)) {
      const ok = ref.via === 'Fn::GetAtt' ? isResource(ref.target) : model.isDefined(ref.target) || isResource(ref.target) || (sam && samGeneratedReference(model, ref.target));
      if (!ok) {
        problems.push(`${clip(ref.path)}: ${ref.via} to "${clip(ref.target)}", which is not a ${ref.via === 'Fn::GetAtt' ? 'resource' : 'resource, parameter or pseudo parameter'} of this template`);
      }
    }
  };
  const dependsOn = new Map<string, string[]>();
  const { ids, resources } = model.entries();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const r = resources[i];
    // The references of each resource are walked once (and kept in the model, which the review
    // reuses); only a resource with a bad one is walked again to say where it is.
    if (hasMalformedReference(r.Properties)) malformedReferences(r.Properties, `Resources.${id}.Properties`, problems);
    let bad = false;
    for (const target of model.refsOf(id)) if (!resolvable(target)) bad = true;
    for (const target of model.getAttTargetsOf(id)) if (!isResource(target)) bad = true;
    if (bad) visit(r.Properties, `Resources.${id}.Properties`);
    const deps = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    const names: string[] = [];
    for (const d of deps) {
      if (typeof d !== 'string') problems.push(`Resources.${id}.DependsOn: ${clip(JSON.stringify(d) ?? String(d), 40)} is not a logical id (DependsOn takes a resource name or a list of them)`);
      else if (d === id) problems.push(`Resources.${id}.DependsOn: names the resource itself`);
      else if (!isResource(d)) problems.push(`Resources.${id}.DependsOn: "${clip(d)}" is not a resource of this template`);
      else names.push(d);
    }
    dependsOn.set(id, names);
  }
  if (template.Outputs && typeof template.Outputs === 'object') visit(template.Outputs, 'Outputs');
  if (problems.length === 0) {
    // A resource waits for what it names in DependsOn and for what its properties reference.
    const edges = (id: string) => [...(dependsOn.get(id) ?? []), ...[...model.refsOf(id)].filter((t) => model.resource(t) !== undefined)];
    const cycle = findCycle(ids, edges);
    if (cycle) problems.push(`Resources.${cycle[0]}: circular dependency ${cycle.map((c) => clip(c, 40)).join(' -> ')} (through DependsOn and references; CloudFormation cannot create any of them)`);
  }
  // The review walks the expansion's resources: those SAM keeps as they are were walked above.
  generated?.reuseWalks(model);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    const what = /DependsOn|circular/.test(problems[0]) ? 'broken dependency' : 'unresolvable reference';
    throw new ReviewInputError(`${shown}: ${what}: ${problems[0]}${more}. Fix: correct the logical id or add the missing resource${what === 'broken dependency' ? '; remove self and circular dependencies' : ''}.`);
  }
  return generated ?? model;
}

/**
 * `Ref`s SAM resolves to resources it generates: `<Function>.Alias`, `<Function>.Version`,
 * `<Api>.Stage`, `<Api>.Deployment` (aws/serverless-application-model, docs "Referencing
 * resources generated by AWS SAM": the `.Alias`/`.Version` and `.Stage`/`.Deployment` properties).
 */
function samGeneratedReference(model: TemplateModel, name: string): boolean {
  const dot = name.indexOf('.');
  if (dot < 0) return false;
  const type = model.typeOf(name.slice(0, dot));
  const prop = name.slice(dot + 1);
  if (type === 'AWS::Serverless::Function') return prop === 'Alias' || prop === 'Version';
  if (type === 'AWS::Serverless::Api' || type === 'AWS::Serverless::HttpApi') return prop === 'Stage' || prop === 'Deployment';
  return false;
}

/** One cycle of a directed graph (`a -> b -> a`), found by an iterative depth-first search; undefined when there is none. */
function findCycle(ids: readonly string[], edges: (id: string) => string[]): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of ids) {
    if (state.has(root)) continue;
    const stack: Array<{ id: string; next: string[]; i: number }> = [{ id: root, next: edges(root), i: 0 }];
    const path = [root];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i >= top.next.length) {
        state.set(top.id, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const to = top.next[top.i++];
      const st = state.get(to);
      if (st === 'open') return [...path.slice(path.indexOf(to)), to];
      if (st === undefined) {
        state.set(to, 'open');
        stack.push({ id: to, next: edges(to), i: 0 });
        path.push(to);
      }
    }
  }
  return undefined;
}

/** True when `malformedReferences` would find something: the same walk without building paths. */
function hasMalformedReference(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, 'Ref') || Object.hasOwn(o, 'Fn::GetAtt')) {
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === 'Ref' && typeof o.Ref !== 'string') return true;
      if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && getAttParts(o) === undefined) return true;
    }
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  return false;
}

/**
 * `Ref` and `Fn::GetAtt` whose argument names no logical id at all (`{"Ref": 1}`, `{"Fn::GetAtt": {}}`):
 * the reference walker cannot follow them, and CloudFormation rejects them. Iterative.
 */
function malformedReferences(value: unknown, where: string, problems: string[]): void {
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length > 0 && problems.length < 100) {
    const [v, at] = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${at}[${i}]`]));
      continue;
    }
    if (!isObj(v)) continue;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof v.Ref !== 'string') {
      problems.push(`${clip(at)}: Ref to ${clip(JSON.stringify(v.Ref) ?? String(v.Ref), 40)}, which is not a logical id (Ref takes a name)`);
    } else if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && getAttParts(v) === undefined) {
      problems.push(`${clip(at)}: Fn::GetAtt of ${clip(JSON.stringify(v['Fn::GetAtt']) ?? 'undefined', 40)}, which names no resource (Fn::GetAtt takes [LogicalId, Attribute])`);
    }
    for (const [k, x] of Object.entries(v)) if (typeof x === 'object' && x !== null) stack.push([x, `${at}.${k}`]);
  }
}

/** The 1-based line where a resource is declared, for SARIF and messages; undefined if not found. */
export function resourceLine(loaded: LoadedTemplate, logicalId: string): number | undefined {
  return (loaded.lines ?? yamlResourceLines(loaded.text, loaded.template)).get(logicalId);
}
