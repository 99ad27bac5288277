import * as fs from 'fs';
import * as path from 'path';
import { findReferences } from '../nag/template/intrinsics';
import { CfnTemplate, TemplateModel } from '../nag/template/template-model';
import { YamlSyntaxError, parseCfnYaml } from './cfn-yaml';

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
  /** Raw text, used to find the line of each resource. */
  readonly text: string;
  /** The template in JSON shape. */
  readonly template: CfnTemplate;
}

/**
 * Lists the template files behind a path: the file itself, or every stack template of a cdk.out
 * directory (through manifest.json, including nested assemblies of CDK stages and nested stack
 * templates; without a manifest, every *.template.json in it).
 */
export function templateFiles(target: string, cwd: string): string[] {
  const abs = path.resolve(cwd, target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ReviewInputError(`${target}: no such file or directory. Fix: pass a template file (.json, .yaml, .yml) or a cdk.out directory.`);
  }
  if (!stat.isDirectory()) return [abs];
  let files: string[];
  try {
    files = assemblyTemplates(abs, 0);
  } catch (e) {
    if (e instanceof ReviewInputError) throw e;
    throw new ReviewInputError(`${target}: cannot list the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix: check the path and its permissions.`);
  }
  if (files.length === 0) {
    throw new ReviewInputError(`${target}: no CloudFormation templates in this directory (expected a cdk.out directory with *.template.json files). Fix: run cdk synth first, or pass a template file.`);
  }
  return files;
}

function assemblyTemplates(dir: string, depth: number): string[] {
  const manifestPath = path.join(dir, 'manifest.json');
  if (depth < 5 && fs.existsSync(manifestPath)) {
    let manifest: { artifacts?: Record<string, { type?: string; properties?: { templateFile?: string; directoryName?: string } }> };
    try {
      manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    } catch (e) {
      throw new ReviewInputError(`${manifestPath}: not valid JSON (${(e as Error).message}). Fix: synthesize the app again.`);
    }
    const out: string[] = [];
    for (const artifact of Object.values(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
        out.push(path.join(dir, artifact.properties.templateFile));
      } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
        out.push(...assemblyTemplates(path.join(dir, artifact.properties.directoryName), depth + 1));
      }
    }
    // Nested stack templates are assets of their parent, not stack artifacts: add them too.
    const nested = fs.readdirSync(dir).filter((f) => f.endsWith('.nested.template.json')).sort().map((f) => path.join(dir, f));
    out.push(...nested.filter((f) => !out.includes(f)));
    if (out.length > 0) return out;
  }
  return fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort().map((f) => path.join(dir, f));
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  // Counts newlines in place: called once per resource with findings, so no copy of the text.
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

/** Reads and parses one template file; every failure is a one-line ReviewInputError. */
export function loadTemplate(file: string, cwd: string): LoadedTemplate {
  const shown = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ReviewInputError(`${shown}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  const template = asTemplate(parseText(text, file, shown), shown);
  checkReferences(template, shown);
  return { path: shown, text, template };
}

/**
 * .json files are JSON. Other files that parse as JSON are JSON too (JSON.parse is faster and its
 * positions are exact); everything else is YAML.
 */
function parseText(text: string, file: string, shown: string): unknown {
  if (!/\.json$/i.test(file)) {
    if (/^\s*\{/.test(text)) {
      try {
        return JSON.parse(text);
      } catch {
        // A YAML flow mapping, or broken JSON in a .yaml/.template file: YAML reports it.
      }
    }
    try {
      return parseCfnYaml(text);
    } catch (e) {
      if (e instanceof YamlSyntaxError) throw new ReviewInputError(`${shown}:${e.line}:${e.column}: malformed YAML: ${e.message}. Fix: correct the YAML at that position.`);
      throw new ReviewInputError(`${shown}: malformed YAML: ${(e as Error).message}.`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const m = /at position (\d+)/.exec(message);
    const { line, column } = lineColumn(text, m ? Number(m[1]) : text.length);
    throw new ReviewInputError(`${shown}:${line}:${column}: malformed JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input')}. Fix: correct the JSON at that position.`);
  }
}

function asTemplate(parsed: unknown, shown: string): CfnTemplate {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(parsed) || !isObj(parsed.Resources)) {
    throw new ReviewInputError(`${shown}: not a CloudFormation template: no Resources section. Fix: pass a template (JSON or YAML with a top-level Resources map).`);
  }
  for (const [id, r] of Object.entries(parsed.Resources)) {
    if (!isObj(r) || typeof r.Type !== 'string') {
      throw new ReviewInputError(`${shown}: resource ${id} has no Type. Fix: give every resource a Type such as AWS::SQS::Queue.`);
    }
  }
  return parsed as unknown as CfnTemplate;
}

/**
 * Refuses templates with references to logical ids that do not exist: every rule follows
 * references, and a dangling one would make findings silently wrong. Templates with a Transform
 * (SAM, macros) are exempt, because the transform generates resources they may reference.
 */
function checkReferences(template: CfnTemplate, shown: string): void {
  if (template.Transform !== undefined) return;
  const model = new TemplateModel(template);
  const problems: string[] = [];
  const visit = (value: unknown, where: string) => {
    for (const ref of findReferences(value, where)) {
      const isResource = model.resource(ref.target) !== undefined;
      if (ref.via === 'Fn::GetAtt' ? !isResource : !model.isDefined(ref.target)) {
        problems.push(`${ref.path}: ${ref.via} to "${ref.target}", which is not a ${ref.via === 'Fn::GetAtt' ? 'resource' : 'resource, parameter or pseudo parameter'} of this template`);
      }
    }
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    visit(r.Properties, `Resources.${id}.Properties`);
    const deps = typeof r.DependsOn === 'string' ? [r.DependsOn] : Array.isArray(r.DependsOn) ? r.DependsOn : [];
    for (const d of deps) if (typeof d === 'string' && !model.resource(d)) problems.push(`Resources.${id}.DependsOn: "${d}" is not a resource of this template`);
  }
  if (template.Outputs && typeof template.Outputs === 'object') visit(template.Outputs, 'Outputs');
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new ReviewInputError(`${shown}: unresolvable reference: ${problems[0]}${more}. Fix: correct the logical id or add the missing resource.`);
  }
}

/** The 1-based line where a resource is declared, for SARIF and messages; undefined if not found. */
export function resourceLine(loaded: LoadedTemplate, logicalId: string): number | undefined {
  const start = Math.max(0, loaded.text.search(/["']?Resources["']?\s*:/));
  const escaped = logicalId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*["']?${escaped}["']?[ \\t]*:`, 'm');
  const m = re.exec(loaded.text.slice(start));
  return m ? lineColumn(loaded.text, start + m.index).line : undefined;
}

