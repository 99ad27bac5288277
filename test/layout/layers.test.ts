import * as fs from 'fs';
import * as path from 'path';

/**
 * The module layout, written down once. Each top-level folder of lib/ is a module; a module may
 * import only from modules listed before it. `index.ts` at the root re-exports the public API
 * and may import any module.
 *
 *   core      errors, validation, AWS limits, instance facts, dependency-free queue formulas
 *   security  the security posture (standard or regulated) and the compliance acknowledgements
 *   model     the model's signature and reading it from a SavedModel / .keras file
 *   nag       the rule pack and its template model (rules read CloudFormation, not constructs)
 *   review    template review and the cost model, built on the rules
 *   profile   the inference profile and every limit derived from it
 *   alarms    metric catalog, thresholds, the alarm factory, the alarm topic
 *   runbook   the operations runbook rendered from a template's alarms
 *   api       the REST API in front of any synchronous target
 *   compute   the backends: SageMaker real-time / serverless / async, ECS and Fargate
 *   queue     the job queue in front of a synchronous backend
 *   patterns  KerasInferenceService and InferenceAlarms, which compose the parts above
 *   profiler  the load generator and profile recorder
 *   drill     the flood simulator over a template's real limits
 *   cli       the `kig` commands
 */
export const LAYERS = ['core', 'security', 'model', 'nag', 'review', 'profile', 'alarms', 'runbook', 'api', 'compute', 'queue', 'patterns', 'profiler', 'drill', 'cli'] as const;

/**
 * Imports from a lower module to a higher one that are allowed, each with the reason. Empty: no
 * module reaches up. A new entry needs a reason as specific as "X only needs Y's type".
 */
export const ALLOWED_UPWARD: ReadonlyArray<{ from: string; to: string; why: string }> = [];

const LIB = path.join(__dirname, '..', '..', 'lib');

interface ImportEdge { readonly file: string; readonly target: string; readonly spec: string }

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The .ts file a relative specifier names (a file, or a folder's index.ts). */
function resolveSpec(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Every relative import or re-export in lib/, with the file it resolves to. */
export function importEdges(files: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}(?:\/[^']*)?)'|\bimport\s*\(\s*'(\.{1,2}\/[^']*)'\s*\)|\brequire\(\s*'(\.{1,2}\/[^']*)'\s*\)/g;
  for (const file of files) {
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(pattern)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const target = resolveSpec(file, spec);
      if (target === undefined) throw new Error(`${path.relative(LIB, file)}: import '${spec}' resolves to no .ts file`);
      edges.push({ file, target, spec });
    }
  }
  return edges;
}

/** The module a file belongs to: its top-level folder under lib/ ('(root)' for lib/index.ts). */
function moduleOf(file: string): string {
  const parts = path.relative(LIB, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '(root)';
}

/** Every circle of imports between files, each as 'a -> b -> a'. */
export function findCircles(files: readonly string[], edges: readonly ImportEdge[]): string[] {
  const adjacency = new Map<string, string[]>();
  for (const e of edges) adjacency.set(e.file, [...(adjacency.get(e.file) ?? []), e.target]);
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    state.set(file, 'open');
    for (const next of adjacency.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...trail.slice(trail.indexOf(next)), next];
        circles.push(loop.map((f) => path.basename(f)).join(' -> '));
      } else if (!state.has(next)) visit(next, [...trail, next]);
    }
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file, [file]);
  return circles;
}

const files = sourceFiles(LIB);
const edges = importEdges(files);

describe('module layout', () => {
  test('every top-level folder of lib/ is a layer, written down once', () => {
    const folders = fs.readdirSync(LIB, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual([...LAYERS].sort());
  });

  test('no module imports one above it, except the allowed ones', () => {
    const rank = new Map<string, number>(LAYERS.map((name, i) => [name, i]));
    const upward = new Set<string>();
    for (const e of edges) {
      const from = moduleOf(e.file);
      const to = moduleOf(e.target);
      if (from === '(root)' || from === to) continue;
      if (rank.get(to)! > rank.get(from)!) upward.add(`${from} -> ${to} (${path.relative(LIB, e.file)} imports '${e.spec}')`);
    }
    const allowed = (s: string) => ALLOWED_UPWARD.some((a) => s.startsWith(`${a.from} -> ${a.to} `));
    expect([...upward].filter((s) => !allowed(s))).toEqual([]);
    expect(ALLOWED_UPWARD.length).toBeLessThanOrEqual(3);
  });

  test('a private/ folder is imported only from inside the module it serves, and there is no shared lib/private', () => {
    expect(fs.existsSync(path.join(LIB, 'private'))).toBe(false);
    const outside = edges
      .filter((e) => path.relative(LIB, e.target).split(path.sep).includes('private'))
      .filter((e) => moduleOf(e.file) !== moduleOf(e.target))
      .map((e) => `${path.relative(LIB, e.file)} imports '${e.spec}'`);
    expect(outside).toEqual([]);
  });

  test('no import circle between files', () => {
    expect(findCircles(files, edges)).toEqual([]);
  });

  test('the checker sees an upward import and a circle when one exists', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'layers-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = 1;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "export { a } from './a';\nexport const b = 2;\n");
      const found = importEdges([path.join(dir, 'a.ts'), path.join(dir, 'b.ts')]);
      expect(found.map((e) => path.basename(e.target))).toEqual(['b.ts', 'a.ts']);
      expect(findCircles([path.join(dir, 'a.ts'), path.join(dir, 'b.ts')], found)).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
