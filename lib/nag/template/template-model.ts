import { PSEUDO_PARAMETERS, findReferences, refTarget } from './intrinsics';

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
  private readonly memos = new Map<string, unknown>();

  constructor(public readonly template: CfnTemplate) {}

  /** Logical ids of every resource. */
  public get ids(): string[] {
    return Object.keys(this.template.Resources);
  }

  /** The resource with this logical id. */
  public resource(id: string): CfnTemplateResource | undefined {
    // Own keys only: `Ref: toString` or `__proto__` must not find Object.prototype's members.
    const r = Object.hasOwn(this.template.Resources, id) ? this.template.Resources[id] : undefined;
    return r && typeof r === 'object' ? r : undefined;
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
        for (const target of new Set(findReferences(r.Properties).map((f) => f.target))) {
          const list = this.referencersIndex.get(target) ?? [];
          list.push(from);
          this.referencersIndex.set(target, list);
        }
      }
    }
    const all = this.referencersIndex.get(id) ?? [];
    return type === undefined ? all : all.filter((r) => this.typeOf(r) === type);
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
