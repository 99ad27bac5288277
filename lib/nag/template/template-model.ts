import { PSEUDO_PARAMETERS, refTarget, referencedIds } from './intrinsics';

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

/**
 * Read-only view of a template with the indexes the rules need: resources by type and, for each
 * logical id, the resources that reference it. Indexes are built lazily and once, so evaluating
 * every rule against every resource stays linear in the template size.
 */
export class TemplateModel {
  private byTypeIndex?: Map<string, string[]>;
  private referencersIndex?: Map<string, string[]>;
  private resourceIndex?: Map<string, CfnTemplateResource>;
  private readonly refsIndex = new Map<string, ReadonlySet<string>>();
  private readonly referencersByType = new Map<string, string[]>();
  private readonly memos = new Map<string, unknown>();

  constructor(public readonly template: CfnTemplate) {}

  /** Logical ids of every resource. */
  public get ids(): string[] {
    return Object.keys(this.template.Resources);
  }

  /** The resource with this logical id. */
  public resource(id: string): CfnTemplateResource | undefined {
    // A Map keyed by own keys only: `Ref: toString` or `__proto__` must not find Object.prototype's
    // members, and a lookup on a Map stays fast where a 100k-key object literal does not.
    if (!this.resourceIndex) {
      this.resourceIndex = new Map();
      for (const [k, r] of Object.entries(this.template.Resources)) if (r && typeof r === 'object') this.resourceIndex.set(k, r);
    }
    return this.resourceIndex.get(id);
  }

  /**
   * Logical ids and parameter names the properties of a resource reference (Ref, GetAtt, Sub),
   * walked once per resource and template.
   */
  public refsOf(id: string): ReadonlySet<string> {
    let refs = this.refsIndex.get(id);
    if (refs === undefined) {
      refs = referencedIds(this.resource(id)?.Properties);
      this.refsIndex.set(id, refs);
    }
    return refs;
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
      this.byTypeIndex = new Map();
      for (const [id, r] of Object.entries(this.template.Resources)) {
        if (!r || typeof r !== 'object') continue;
        const list = this.byTypeIndex.get(r.Type) ?? [];
        list.push(id);
        this.byTypeIndex.set(r.Type, list);
      }
    }
    return this.byTypeIndex.get(type) ?? [];
  }

  /** Logical ids of the resources whose properties reference `id` (via Ref, GetAtt or Sub). */
  public referencers(id: string, type?: string): string[] {
    if (!this.referencersIndex) {
      this.referencersIndex = new Map();
      for (const [from, r] of Object.entries(this.template.Resources)) {
        if (!r || typeof r !== 'object') continue;
        for (const target of this.refsOf(from)) {
          const list = this.referencersIndex.get(target) ?? [];
          list.push(from);
          this.referencersIndex.set(target, list);
        }
      }
    }
    const all = this.referencersIndex.get(id) ?? [];
    if (type === undefined) return all;
    // Filtered lists are kept too: a resource referenced by thousands (a shared role, a cluster)
    // would otherwise be filtered again for each resource that asks.
    const key = `${type}\0${id}`;
    let typed = this.referencersByType.get(key);
    if (typed === undefined) {
      typed = all.filter((r) => this.typeOf(r) === type);
      this.referencersByType.set(key, typed);
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
    const params = this.template.Parameters;
    const p = params && typeof params === 'object' && Object.hasOwn(params, name) ? params[name] : undefined;
    return p && typeof p === 'object' ? p.Default : undefined;
  };

  /** True when `name` is a parameter, a pseudo parameter or a resource of this template. */
  public isDefined(name: string): boolean {
    return PSEUDO_PARAMETERS.has(name) || this.resource(name) !== undefined
      || (typeof this.template.Parameters === 'object' && this.template.Parameters !== null && Object.hasOwn(this.template.Parameters, name));
  }
}
