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

type Def = { scope: Scope; input: VarInput };
/** A definition evaluated for `ctx`, the service whose effective set answers its unqualified references. */
type Node = { id: string; ctx: string; def: Def };
type Outcome = { ok: true; value: string; secret: boolean; deps: string[] } | { ok: false; deps: string[] };
type Target = { node: Node } | { node?: undefined; note: string };
type Frame = { node: Node; parsed: ParsedValue; index: number; value: string; secret: boolean; failed: boolean; deps: Set<string> };

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class Resolver {
  private readonly shared: Record<Exclude<Scope, "service">, Map<string, VarInput>>;
  readonly services = new Map<string, Map<string, VarInput>>();
  private readonly parsed = new Map<VarInput, ParsedValue>();
  private readonly nodes = new Map<string, Node>();
  private readonly memo = new Map<string, Outcome>();

  constructor(layers: ConfigLayers) {
    this.shared = { team: index(layers.team, "team"), project: index(layers.project, "project"), environment: index(layers.environment, "environment") };
    for (const [name, vars] of Object.entries(layers.services)) {
      if (!SERVICE_NAME_PATTERN.test(name)) throw new Error(`invalid service name "${name}"`);
      this.services.set(name, index(vars, `service ${name}`));
    }
  }

  /** The definition that wins for `key` in `service`'s effective set. */
  effective(service: string, key: string): Def | undefined {
    const own = this.services.get(service)?.get(key);
    if (own) return { scope: "service", input: own };
    for (const scope of ["environment", "project", "team"] as const) {
      const input = this.shared[scope].get(key);
      if (input) return { scope, input };
    }
    return undefined;
  }

  effectiveKeys(service: string): string[] {
    const keys = new Set<string>();
    for (const scope of ["team", "project", "environment"] as const) for (const k of this.shared[scope].keys()) keys.add(k);
    for (const k of this.services.get(service)?.keys() ?? []) keys.add(k);
    return [...keys].sort(byCodeUnit);
  }

  sharedDef(scope: Exclude<Scope, "service">, key: string): VarInput | undefined {
    return this.shared[scope].get(key);
  }

  node(ctx: string, def: Def): Node {
    const id = `${ctx}\u0000${def.scope}\u0000${def.input.key}`;
    let node = this.nodes.get(id);
    if (!node) this.nodes.set(id, (node = { id, ctx, def }));
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
    } else {
      const scope = ref.scope === "env" ? "environment" : ref.scope;
      const input = this.shared[scope].get(ref.key);
      if (input) def = { scope, input };
    }
    return def ? { node: this.node(owner, def) } : { note: "" };
  }

  /** Evaluates `start` and everything it references, memoising each node's outcome. */
  evaluate(start: Node): Outcome {
    const done = this.memo.get(start.id);
    if (done) return done;
    const onStack = new Set<string>();
    const open = (node: Node): Frame => {
      onStack.add(node.id);
      const parsed = this.parse(node.def.input);
      return { node, parsed, index: 0, value: "", secret: node.def.input.secret, failed: parsed.errors.length > 0, deps: new Set() };
    };
    const stack = [open(start)];
    while (stack.length) {
      const f = stack[stack.length - 1];
      if (f.index < f.parsed.parts.length) {
        const part = f.parsed.parts[f.index];
        if ("text" in part) {
          f.value += part.text;
          f.index++;
          continue;
        }
        // Every reference is followed even after a failure, so `deps` is complete for consumersOf.
        const t = this.target(part.ref, f.node.ctx);
        if (!t.node) {
          f.failed = true;
          f.index++;
          continue;
        }
        f.deps.add(t.node.id);
        const outcome = this.memo.get(t.node.id);
        if (outcome) {
          if (outcome.ok) {
            f.value += outcome.value;
            f.secret ||= outcome.secret;
          } else f.failed = true;
          f.index++;
        } else if (onStack.has(t.node.id)) {
          // A cycle: every node on the stack reaches this one, so all of them fail through the memo.
          f.failed = true;
          f.index++;
        } else {
          stack.push(open(t.node)); // this part is revisited once the target is memoised
        }
        continue;
      }
      const deps = [...f.deps];
      this.memo.set(f.node.id, f.failed ? { ok: false, deps } : { ok: true, value: f.value, secret: f.secret, deps });
      onStack.delete(f.node.id);
      stack.pop();
    }
    return this.memo.get(start.id)!;
  }

  /** The route from a failing root to its first cause, labelled as written relative to `service`. */
  explain(root: Node, service: string): { chain: string[]; message: string } {
    const chain = [root.def.input.key];
    const path = new Set([root.id]);
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
        if (path.has(t.node.id)) {
          chain.push(label);
          return { chain, message: `${chain.join(" → ")} (cycle)` };
        }
        if (!this.memo.get(t.node.id)!.ok) {
          chain.push(label);
          path.add(t.node.id);
          next = t.node;
          break;
        }
      }
      // Unreachable: a failing node has a parse error, a missing target, a cycle or a failing target.
      if (!next) throw new Error(`config resolution: no cause found for ${chain.join(" → ")}`);
      current = next;
    }
  }

  /** Every node reachable from `roots` through references (excluding the roots unless re-reached). */
  reachable(roots: Node[]): Node[] {
    const seen = new Set<string>();
    const todo = roots.flatMap((r) => this.evaluate(r).deps);
    const out: Node[] = [];
    while (todo.length) {
      const id = todo.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(this.nodes.get(id)!);
      todo.push(...this.memo.get(id)!.deps);
    }
    return out;
  }

  resolve(service: string): ServiceConfig {
    if (!this.services.has(service)) throw new Error(`unknown service "${service}"`);
    const vars: ResolvedVar[] = [];
    const errors: ResolveError[] = [];
    for (const key of this.effectiveKeys(service)) {
      const def = this.effective(service, key)!;
      const root = this.node(service, def);
      const outcome = this.evaluate(root);
      if (outcome.ok) {
        const uses = [...new Set(this.reachable([root]).map((n) => qualifiedName(n, service)))].sort(byCodeUnit);
        vars.push({ key, value: outcome.value, secret: outcome.secret, source: def.scope, uses });
      } else {
        errors.push({ key, source: def.scope, ...this.explain(root, service) });
      }
    }
    return { vars, errors };
  }
}

function index(vars: VarInput[], where: string): Map<string, VarInput> {
  const map = new Map<string, VarInput>();
  for (const v of vars) {
    if (!KEY_PATTERN.test(v.key)) throw new Error(`invalid variable key "${v.key}" at ${where} scope`);
    if (map.has(v.key)) throw new Error(`variable "${v.key}" is defined twice at ${where} scope`);
    map.set(v.key, v);
  }
  return map;
}

/** How `uses` names a node for the consuming `service`. */
function qualifiedName(node: Node, service: string): string {
  const { scope, input } = node.def;
  if (scope !== "service") return `${scope}.${input.key}`;
  return node.ctx === service ? `service.${input.key}` : `services.${node.ctx}.${input.key}`;
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
  if (!resolver.sharedDef(scope, key)) return [];
  const consumers: string[] = [];
  for (const service of [...resolver.services.keys()].sort(byCodeUnit)) {
    const roots = resolver.effectiveKeys(service).map((k) => resolver.node(service, resolver.effective(service, k)!));
    const uses = (n: Node) => n.def.scope === scope && n.def.input.key === key;
    if (roots.some(uses) || resolver.reachable(roots).some(uses)) consumers.push(service);
  }
  return consumers;
}
