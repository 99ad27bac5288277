import { PSEUDO_PARAMETERS, refTarget, referencedIdsWithGetAtts } from './intrinsics';

/** One resource of a CloudFormation template, as written in the `Resources` section. */
export interface CfnTemplateResource {
  /** Resource type, e.g. `AWS::SQS::Queue`. */
  readonly Type: string;
  /** Resource properties. @default - none */
  readonly Properties?: Record<string, unknown>;
  /** Resource metadata (where this library reads its explicit opt-in flags). @default - none */
  readonly Metadata?: Record<string, unknown>;
  /** Other attributes (`DependsOn`, `Condition`, `DeletionPolicy`, ...). */
  readonly [attribute: string]: unknown;
}

/** A CloudFormation template in its JSON shape (YAML short forms already expanded). */
export interface CfnTemplate {
  /** The resources, by logical id. */
  readonly Resources: Record<string, CfnTemplateResource>;
  /** Template parameters, by name. @default - none */
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly [k: string]: unknown }>;
  /** Any other section. */
  readonly [section: string]: unknown;
}

const NO_IDS: ReadonlySet<string> = new Set();

/**
 * Read-only view of a template with the indexes the rules need: resources by type and, for each
 * logical id, the resources that reference it. Indexes are built lazily and once, so evaluating
 * every rule against every resource stays linear in the template size.
 */
export class TemplateModel {
  private byTypeIndex?: Map<string, string[]>;
  private referencersIndex?: Map<string, string[]>;
  private resourceIndex?: Map<string, CfnTemplateResource>;
  private readonly refsIndex: Map<string, ReadonlySet<string>>;
  private readonly getAttIndex: Map<string, ReadonlySet<string>>;
  private readonly referencersByType = new Map<string, Map<string, string[]>>();
  private readonly memos = new Map<string, unknown>();
  /** The template's resources, then those `withResources` added (kept apart: copying a large map of resources is slow). */
  private readonly sources: ReadonlyArray<Readonly<Record<string, CfnTemplateResource>>>;
  private merged?: CfnTemplate;
  private listed?: { readonly ids: readonly string[]; readonly resources: readonly CfnTemplateResource[] };
  private lastId?: string;
  private lastResource?: CfnTemplateResource;

  constructor(private readonly base: CfnTemplate, extra?: Readonly<Record<string, CfnTemplateResource>>) {
    this.refsIndex = new Map();
    this.getAttIndex = new Map();
    this.sources = extra === undefined ? [base.Resources] : [base.Resources, extra];
  }

  /** The template (with the resources `withResources` added). */
  public get template(): CfnTemplate {
    if (this.sources.length === 1) return this.base;
    this.merged ??= { ...this.base, Resources: Object.assign({}, ...this.sources) as Record<string, CfnTemplateResource> };
    return this.merged;
  }

  /**
   * A model of this template with `extra` resources added (logical ids it does not have yet). The
   * references already walked are kept: a resource's references do not change when others are added.
   */
  public withResources(extra: Readonly<Record<string, CfnTemplateResource>>): TemplateModel {
    const model = new TemplateModel(this.template, extra);
    for (const [id, refs] of this.refsIndex) if (!Object.hasOwn(extra, id)) model.refsIndex.set(id, refs);
    for (const [id, refs] of this.getAttIndex) if (!Object.hasOwn(extra, id)) model.getAttIndex.set(id, refs);
    return model;
  }

  /**
   * Takes the reference walks `other` has made of the resources both models hold (the same
   * objects): a resource's references depend on its properties alone. A SAM template's expansion
   * keeps the resources SAM does not generate as they are, so its model need not walk them again.
   */
  public reuseWalks(other: TemplateModel): void {
    for (const [id, refs] of other.refsIndex) {
      if (this.refsIndex.has(id) || this.resource(id) !== other.resource(id)) continue;
      this.refsIndex.set(id, refs);
      const getAtts = other.getAttIndex.get(id);
      if (getAtts !== undefined) this.getAttIndex.set(id, getAtts);
    }
  }

  /**
   * The logical ids and resources (those that are maps), in template order, listed once: listing
   * the keys of a large object is slow, and several indexes need them.
   */
  public entries(): { readonly ids: readonly string[]; readonly resources: readonly CfnTemplateResource[] } {
    if (this.listed === undefined) {
      const ids: string[] = [];
      const resources: CfnTemplateResource[] = [];
      for (const source of this.sources) {
        for (const id of Object.keys(source)) {
          const r = source[id];
          if (r && typeof r === 'object') {
            ids.push(id);
            resources.push(r);
          }
        }
      }
      this.listed = { ids, resources };
    }
    return this.listed;
  }

  /** Calls `f` on every resource, in template order. */
  private eachResource(f: (id: string, r: CfnTemplateResource) => void): void {
    const { ids, resources } = this.entries();
    for (let i = 0; i < ids.length; i++) f(ids[i], resources[i]);
  }

  /** Logical ids of every resource (that is a map), in template order. */
  public get ids(): string[] {
    return [...this.entries().ids];
  }

  /** The resource with this logical id. */
  public resource(id: string): CfnTemplateResource | undefined {
    // A Map keyed by own keys only: `Ref: toString` or `__proto__` must not find Object.prototype's
    // members, and a lookup on a Map stays fast where a 100k-key object literal does not.
    if (!this.resourceIndex) {
      const index = new Map<string, CfnTemplateResource>();
      this.eachResource((id, r) => index.set(id, r));
      this.resourceIndex = index;
    }
    // Rules ask about the same resource several times in a row (its type, then its properties).
    if (id === this.lastId) return this.lastResource;
    this.lastId = id;
    this.lastResource = this.resourceIndex.get(id);
    return this.lastResource;
  }

  /**
   * Logical ids and parameter names the properties of a resource reference (Ref, GetAtt, Sub),
   * walked once per resource and template.
   */
  public refsOf(id: string): ReadonlySet<string> {
    let refs = this.refsIndex.get(id);
    if (refs === undefined) {
      const found = referencedIdsWithGetAtts(this.resource(id)?.Properties);
      refs = found.ids;
      this.refsIndex.set(id, refs);
      if (found.getAtts.size > 0) this.getAttIndex.set(id, found.getAtts);
    }
    return refs;
  }

  /** The logical ids the properties of a resource name in a `Fn::GetAtt` (a subset of `refsOf`). */
  public getAttTargetsOf(id: string): ReadonlySet<string> {
    this.refsOf(id);
    return this.getAttIndex.get(id) ?? NO_IDS;
  }

  /** The type of the resource with this logical id. */
  public typeOf(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.resource(id)?.Type;
  }

  /** The properties of a resource (an empty object when it has none). */
  public props(id: string): Record<string, unknown> {
    const p = this.resource(id)?.Properties;
    return p && typeof p === 'object' ? p : {};
  }

  /** Logical ids of every resource of a type, in template order. */
  public ofType(type: string): string[] {
    if (!this.byTypeIndex) {
      const index = new Map<string, string[]>();
      this.eachResource((id, r) => {
        const list = index.get(r.Type);
        if (list) list.push(id);
        else index.set(r.Type, [id]);
      });
      this.byTypeIndex = index;
    }
    return this.byTypeIndex.get(type) ?? [];
  }

  /** Logical ids of the resources whose properties reference `id` (via Ref, GetAtt or Sub). */
  public referencers(id: string, type?: string): string[] {
    if (!this.referencersIndex) {
      const index = new Map<string, string[]>();
      this.eachResource((from) => {
        for (const target of this.refsOf(from)) {
          const list = index.get(target);
          if (list) list.push(from);
          else index.set(target, [from]);
        }
      });
      this.referencersIndex = index;
    }
    const all = this.referencersIndex.get(id) ?? [];
    if (type === undefined) return all;
    // Filtered lists are kept too: a resource referenced by thousands (a shared role, a cluster)
    // would otherwise be filtered again for each resource that asks.
    // By type, then id: a key built from both would be a new string to hash on every call.
    let ofType = this.referencersByType.get(type);
    if (ofType === undefined) {
      ofType = new Map();
      this.referencersByType.set(type, ofType);
    }
    let typed = ofType.get(id);
    if (typed === undefined) {
      typed = all.filter((r) => this.typeOf(r) === type);
      ofType.set(id, typed);
    }
    return typed;
  }

  /**
   * A value computed once per template under `key` (an index a rule builds over all resources of a
   * type), so rules that look things up per resource stay linear in the template size.
   */
  public memo<V>(key: string, build: () => V): V {
    if (!this.memos.has(key)) this.memos.set(key, build());
    return this.memos.get(key) as V;
  }

  /** The resource a value points at (Ref / GetAtt / Sub), if it is a resource of this template. */
  public target(value: unknown, type?: string): string | undefined {
    const id = refTarget(value);
    if (id === undefined || !this.resource(id)) return undefined;
    return type === undefined || this.typeOf(id) === type ? id : undefined;
  }

  /** The default value of a template parameter, used to read `Ref`s to parameters. */
  public readonly parameterDefault = (name: string): unknown => {
    const params = this.base.Parameters;
    const p = params && typeof params === 'object' && Object.hasOwn(params, name) ? params[name] : undefined;
    return p && typeof p === 'object' ? p.Default : undefined;
  };

  /** True when `name` is a parameter, a pseudo parameter or a resource of this template. */
  public isDefined(name: string): boolean {
    return PSEUDO_PARAMETERS.has(name) || this.resource(name) !== undefined
      || (typeof this.base.Parameters === 'object' && this.base.Parameters !== null && Object.hasOwn(this.base.Parameters, name));
  }
}
