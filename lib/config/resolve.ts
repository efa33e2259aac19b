// A service's effective configuration: team < project < environment < service precedence, with
// `${{ … }}` references (syntax and escaping in ./references.ts). Pure: no I/O.
//
// Model: a "node" is one variable definition evaluated in the context of one service. Unqualified
// references (`${{ KEY }}`) bind late, to the context service's effective KEY, so the same team variable
// can have a different value per service; `services.api.KEY` switches the context to api. Nodes are
// evaluated once each (memoised) by an iterative depth-first walk, so deep chains cannot overflow the stack.
//
// Whether a node fails (a cycle or a missing/malformed reference anywhere below it) does not depend on
// how it was reached, so that is memoised too. The chain named in an error does depend on the route, so
// it is rebuilt per failing variable from the memo, following the first failing reference in value order.
// The result for a service is therefore the same whether resolved alone or with the whole environment.

import { KEY_PATTERN, SERVICE_NAME_PATTERN, parseReferences, referenceName, type ParsedValue, type Reference } from "./references";

export { escapeLiteral, parseReferences } from "./references";
export type { ParsedValue, Reference, RefScope, ValuePart } from "./references";

export type Scope = "team" | "project" | "environment" | "service";
export type VarInput = { key: string; value: string; secret: boolean };
export type ConfigLayers = {
  team: VarInput[];
  project: VarInput[];
  environment: VarInput[];
  /** Every service of the environment, by name: its own service-scope variables. */
  services: Record<string, VarInput[]>;
};
export type ResolvedVar = {
  key: string;
  value: string;
  secret: boolean;
  /** The scope whose definition won precedence. */
  source: Scope;
  /** Every variable this value used, directly or transitively, as qualified names: "team.X", "project.X", "environment.X", "service.X" (the consuming service's own), "services.api.X". */
  uses: string[];
};
export type ResolveError = { key: string; source: Scope; message: string; chain: string[] };
export type ServiceConfig = { vars: ResolvedVar[]; errors: ResolveError[] };

/** One variable definition; `rank` orders definitions by their qualified name for `uses`. */
type Def = { scope: Scope; owner?: string; input: VarInput; rank: number; nodes: Map<string, Node> };
/** A definition evaluated for `ctx`, the service whose effective set answers its unqualified references. */
type Node = {
  ctx: string;
  def: Def;
  state: "new" | "open" | "done";
  ok: boolean;
  value: string;
  secret: boolean;
  /** The nodes its references point at (also for a failing node: consumersOf counts them). */
  deps: Node[];
  /** Ranks of every definition used, transitively, sorted (successful nodes only). */
  uses: number[];
};
type Target = { node: Node } | { node?: undefined; note: string };
type Frame = { node: Node; parsed: ParsedValue; index: number };

const SHARED_SCOPES = ["team", "project", "environment"] as const;
const NONE: number[] = [];
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class Resolver {
  private readonly shared: Record<Exclude<Scope, "service">, Map<string, Def>>;
  readonly services = new Map<string, Map<string, Def>>();
  private readonly parsed = new Map<VarInput, ParsedValue>();
  // `uses` is rendered from ranks: names[rank] is "team.X", "environment.X", "services.api.X"…
  private readonly names: string[] = [];
  private readonly ownNames: string[] = [];
  private readonly ownRanks = new Map<string, [number, number]>();
  private servicesStart = 0;

  constructor(layers: ConfigLayers) {
    this.shared = { team: index(layers.team, "team"), project: index(layers.project, "project"), environment: index(layers.environment, "environment") };
    for (const [name, vars] of Object.entries(layers.services)) {
      if (!SERVICE_NAME_PATTERN.test(name)) throw new Error(`invalid service name "${name}"`);
      this.services.set(name, index(vars, "service", name));
    }
    this.rankDefinitions();
  }

  /**
   * Sorting all definitions by qualified name once lets `uses` be merged as sorted integer arrays. A
   * service's own definitions are contiguous ("services.api." prefix) and rendered as "service.X", which
   * sorts just before every other "services." name: render() moves that block there.
   */
  private rankDefinitions() {
    const all: [string, Def][] = [];
    for (const scope of SHARED_SCOPES) for (const def of this.shared[scope].values()) all.push([`${scope}.${def.input.key}`, def]);
    for (const [name, defs] of this.services) for (const def of defs.values()) all.push([`services.${name}.${def.input.key}`, def]);
    all.sort((a, b) => byCodeUnit(a[0], b[0]));
    all.forEach(([name, def], rank) => {
      def.rank = rank;
      this.names.push(name);
      this.ownNames.push(def.scope === "service" ? `service.${def.input.key}` : name);
      if (name < "services.") this.servicesStart = rank + 1;
      if (def.owner !== undefined) {
        const range = this.ownRanks.get(def.owner);
        if (range) range[1] = rank + 1;
        else this.ownRanks.set(def.owner, [rank, rank + 1]);
      }
    });
  }

  /** The definition that wins for `key` in `service`'s effective set. */
  effective(service: string, key: string): Def | undefined {
    return this.services.get(service)?.get(key) ?? this.shared.environment.get(key) ?? this.shared.project.get(key) ?? this.shared.team.get(key);
  }

  effectiveKeys(service: string): string[] {
    const keys = new Set<string>();
    for (const scope of SHARED_SCOPES) for (const k of this.shared[scope].keys()) keys.add(k);
    for (const k of this.services.get(service)?.keys() ?? []) keys.add(k);
    return [...keys].sort(byCodeUnit);
  }

  sharedDef(scope: Exclude<Scope, "service">, key: string): Def | undefined {
    return this.shared[scope].get(key);
  }

  node(ctx: string, def: Def): Node {
    let node = def.nodes.get(ctx);
    if (!node) def.nodes.set(ctx, (node = { ctx, def, state: "new", ok: false, value: "", secret: def.input.secret, deps: [], uses: NONE }));
    return node;
  }

  private parse(input: VarInput): ParsedValue {
    let parsed = this.parsed.get(input);
    if (!parsed) this.parsed.set(input, (parsed = parseReferences(input.value)));
    return parsed;
  }

  private target(ref: Reference, ctx: string): Target {
    let def: Def | undefined;
    let owner = ctx;
    if (ref.scope === "self") def = this.effective(ctx, ref.key);
    else if (ref.scope === "service") {
      owner = ref.service!;
      if (!this.services.has(owner)) return { note: ` (no service "${owner}" in this environment)` };
      def = this.effective(owner, ref.key);
    } else def = this.shared[ref.scope === "env" ? "environment" : ref.scope].get(ref.key);
    return def ? { node: this.node(owner, def) } : { note: "" };
  }

  /** Evaluates `start` and everything it references, once per node. */
  evaluate(start: Node): Node {
    if (start.state === "done") return start;
    const open = (node: Node): Frame => {
      node.state = "open";
      const parsed = this.parse(node.def.input);
      node.ok = parsed.errors.length === 0;
      return { node, parsed, index: 0 };
    };
    const stack = [open(start)];
    while (stack.length) {
      const f = stack[stack.length - 1];
      const node = f.node;
      if (f.index < f.parsed.parts.length) {
        const part = f.parsed.parts[f.index];
        if ("text" in part) {
          node.value += part.text;
          f.index++;
          continue;
        }
        // Every reference is followed even after a failure, so `deps` is complete for consumersOf.
        const t = this.target(part.ref, node.ctx);
        if (!t.node) {
          node.ok = false;
          f.index++;
          continue;
        }
        const dep = t.node;
        if (!node.deps.includes(dep)) node.deps.push(dep);
        if (dep.state === "done") {
          if (dep.ok) {
            node.value += dep.value;
            node.secret ||= dep.secret;
          } else node.ok = false;
          f.index++;
        } else if (dep.state === "open") {
          // A cycle: every node on the stack reaches this one, so all of them fail through their deps.
          node.ok = false;
          f.index++;
        } else {
          stack.push(open(dep)); // this part is revisited once the dependency is done
        }
        continue;
      }
      if (node.ok) node.uses = mergeUses(node.deps);
      else node.value = "";
      node.state = "done";
      stack.pop();
    }
    return start;
  }

  /** The route from a failing root to its first cause, labelled as written relative to `service`. */
  explain(root: Node, service: string): { chain: string[]; message: string } {
    const chain = [root.def.input.key];
    const path = new Set([root]);
    let current = root;
    for (;;) {
      const parsed = this.parse(current.def.input);
      if (parsed.errors.length) return { chain, message: `${chain.join(" → ")}: ${parsed.errors[0]}` };
      let next: Node | undefined;
      for (const part of parsed.parts) {
        if (!("ref" in part)) continue;
        const label = refLabel(part.ref, current.ctx, service);
        const t = this.target(part.ref, current.ctx);
        if (!t.node) {
          const before = chain.join(" → ");
          chain.push(label);
          return { chain, message: `${before} → missing ${label}${t.note}` };
        }
        if (path.has(t.node)) {
          chain.push(label);
          return { chain, message: `${chain.join(" → ")} (cycle)` };
        }
        if (!t.node.ok) {
          chain.push(label);
          path.add(t.node);
          next = t.node;
          break;
        }
      }
      // Unreachable: a failing node has a parse error, a missing target, a cycle or a failing target.
      if (!next) throw new Error(`config resolution: no cause found for ${chain.join(" → ")}`);
      current = next;
    }
  }

  /** `uses` as qualified names for `service`, in code-unit order. */
  private render(uses: number[], service: string): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < uses.length && uses[i] < this.servicesStart) out.push(this.names[uses[i++]]);
    const [lo, hi] = this.ownRanks.get(service) ?? [0, 0];
    for (let k = i; k < uses.length && uses[k] < hi; k++) if (uses[k] >= lo) out.push(this.ownNames[uses[k]]);
    for (; i < uses.length; i++) if (uses[i] < lo || uses[i] >= hi) out.push(this.names[uses[i]]);
    return out;
  }

  /** Whether any of `roots`, or anything they reference transitively, is `def`. */
  reaches(roots: Node[], def: Def): boolean {
    const seen = new Set<Node>();
    const todo = [...roots];
    while (todo.length) {
      const node = todo.pop()!;
      if (node.def === def) return true;
      if (seen.has(node)) continue;
      seen.add(node);
      for (const dep of this.evaluate(node).deps) todo.push(dep);
    }
    return false;
  }

  resolve(service: string): ServiceConfig {
    if (!this.services.has(service)) throw new Error(`unknown service "${service}"`);
    const vars: ResolvedVar[] = [];
    const errors: ResolveError[] = [];
    for (const key of this.effectiveKeys(service)) {
      const root = this.evaluate(this.node(service, this.effective(service, key)!));
      const source = root.def.scope;
      if (root.ok) vars.push({ key, value: root.value, secret: root.secret, source, uses: this.render(root.uses, service) });
      else errors.push({ key, source, ...this.explain(root, service) });
    }
    return { vars, errors };
  }
}

function index(vars: VarInput[], scope: Scope, owner?: string): Map<string, Def> {
  const where = owner === undefined ? `${scope} scope` : `service "${owner}"`;
  const map = new Map<string, Def>();
  for (const input of vars) {
    if (!KEY_PATTERN.test(input.key)) throw new Error(`invalid variable key "${input.key}" in ${where}`);
    if (map.has(input.key)) throw new Error(`variable "${input.key}" is defined twice in ${where}`);
    map.set(input.key, { scope, owner, input, rank: -1, nodes: new Map() });
  }
  return map;
}

/** The sorted union of each dependency's rank and its own uses; chains (one dependency) stay linear. */
function mergeUses(deps: Node[]): number[] {
  if (deps.length === 1) {
    const [{ def, uses }] = deps;
    let at = 0;
    for (let hi = uses.length; at < hi; ) {
      const mid = (at + hi) >>> 1;
      if (uses[mid] < def.rank) at = mid + 1;
      else hi = mid;
    }
    if (uses[at] === def.rank) return uses; // arrays are never mutated once built, so sharing is safe
    const out = uses.slice();
    out.splice(at, 0, def.rank);
    return out;
  }
  const all: number[] = [];
  for (const d of deps) all.push(d.def.rank, ...d.uses);
  all.sort((a, b) => a - b);
  let w = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[r - 1]) all[w++] = all[r];
  all.length = w;
  return all;
}

/** A reference as written, except that an unqualified one evaluated for another service names it. */
function refLabel(ref: Reference, ctx: string, service: string): string {
  return ref.scope === "self" && ctx !== service ? `services.${ctx}.${ref.key}` : referenceName(ref);
}

/** Resolves one service's effective configuration; throws for a service the environment does not have. */
export function resolveService(layers: ConfigLayers, service: string): ServiceConfig {
  return new Resolver(layers).resolve(service);
}

/** Resolves every service of the environment. */
export function resolveEnvironment(layers: ConfigLayers): Record<string, ServiceConfig> {
  const resolver = new Resolver(layers);
  const out: Record<string, ServiceConfig> = {};
  for (const name of [...resolver.services.keys()].sort(byCodeUnit)) out[name] = resolver.resolve(name);
  return out;
}

/**
 * Which services consume the variable `key` defined at `scope` (team/project/environment): its effective
 * value is theirs, or something they use references it. Values that fail to resolve still count: a
 * change to the variable affects them.
 */
export function consumersOf(layers: ConfigLayers, scope: Exclude<Scope, "service">, key: string): string[] {
  const resolver = new Resolver(layers);
  const def = resolver.sharedDef(scope, key);
  if (!def) return [];
  return [...resolver.services.keys()].sort(byCodeUnit).filter((service) =>
    resolver.reaches(
      resolver.effectiveKeys(service).map((k) => resolver.node(service, resolver.effective(service, k)!)),
      def,
    ),
  );
}
