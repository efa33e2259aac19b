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
//
// Work and output are bounded: a resolved value may not expand beyond `RESOLVE_LIMITS.valueChars` (values
// that reference each other twice double at each step: eleven of them made a 33 MB page), a service's
// resolved configuration beyond `serviceChars`, and all services of one `resolveEnvironment` together
// beyond `environmentChars`. Each is a resolve error naming the variable, never a silent truncation.
// (A service resolved alone has only its own total; the environment total applies across services.)
//
// `uses` is opt-in (`{ uses: true }`): built bottom-up as sorted name lists (a chain link copies its
// dependency's list once), named as seen from each node's service and renamed only where a `services.x`
// reference crosses services. Its total size grows with chain depth × variables (quadratic for a long
// chain), so the console, which never shows it, does not ask for it.

import { KEY_PATTERN, SERVICE_NAME_PATTERN, parseValue, referenceName, type ParseIssue, type Reference, type ValuePart } from "./references";

export { escapeLiteral, parseReferences } from "./references";
export type { ParsedValue, ParseIssue, Reference, RefScope, ValuePart } from "./references";

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
  /**
   * With `{ uses: true }` only: every variable this value used, directly or transitively, as qualified names:
   * "team.X", "project.X", "environment.X", "service.X" (the consuming service's own), "services.api.X".
   */
  uses?: string[];
};
export type ResolveOptions = { uses?: boolean };

/** Characters (UTF-16 units). A container's environment is also bounded by the kernel (128 KB a variable). */
export const RESOLVE_LIMITS = {
  /** One resolved value. */
  valueChars: 64 * 1024,
  /** A service's resolved configuration: the sum of its keys and values. */
  serviceChars: 1024 * 1024,
  /** Every service of an environment together (what its page shows). */
  environmentChars: 4 * 1024 * 1024,
  /** References followed to explain one error. */
  explainLinks: 32,
  /** Errors explained per service; the rest are counted in one more. */
  errors: 100,
};
const size = (n: number) => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MB` : `${n / 1024} KB`);
export type ResolveError = { key: string; source: Scope; message: string; chain: string[] };
export type ServiceConfig = { vars: ResolvedVar[]; errors: ResolveError[] };

/** One variable definition. */
type Def = {
  scope: Scope;
  /** The service of a service-scope definition. */
  owner?: string;
  input: VarInput;
  parsed: { parts: ValuePart[]; issues: ParseIssue[] };
  /** Its name in `uses`: "team.X", "environment.X", "services.api.X"; `ownName` ("service.X") for its owner. */
  name: string;
  ownName: string;
  /** Its evaluations: per consuming service for a shared definition; one for a service's own. */
  nodes?: Map<string, Node>;
  own?: Node;
};
/** A definition evaluated for `ctx`, the service whose effective set answers its unqualified references. */
type Node = {
  ctx: string;
  def: Def;
  state: "new" | "open" | "done";
  /** The next part of the value to evaluate while open. */
  index: number;
  ok: boolean;
  /** Failed because its value would expand beyond RESOLVE_LIMITS.valueChars. */
  tooLarge: boolean;
  value: string;
  secret: boolean;
  /** The nodes its references point at (also for a failing node: consumersOf counts them). */
  deps: Set<Node>;
  /** Names of every definition used, transitively, as seen from `ctx`, sorted (successful nodes only). */
  uses: string[];
};

const SHARED_SCOPES = ["team", "project", "environment"] as const;
const NONE: string[] = [];
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class Resolver {
  private readonly shared: Record<Exclude<Scope, "service">, Map<string, Def>>;
  /** environment > project > team, merged once. */
  private readonly sharedEffective = new Map<string, Def>();
  private readonly sharedKeys: string[];
  readonly services = new Map<string, Map<string, Def>>();

  /** `withUses: false` skips building `uses` (only asked for explicitly; consumers need the graph alone). */
  constructor(
    layers: ConfigLayers,
    private readonly withUses = false,
  ) {
    this.shared = { team: index(layers.team, "team"), project: index(layers.project, "project"), environment: index(layers.environment, "environment") };
    for (const scope of SHARED_SCOPES) for (const [key, def] of this.shared[scope]) this.sharedEffective.set(key, def);
    this.sharedKeys = [...this.sharedEffective.keys()].sort(byCodeUnit);
    for (const [name, vars] of Object.entries(layers.services)) {
      if (!SERVICE_NAME_PATTERN.test(name)) throw new Error(`invalid service name "${name}"`);
      this.services.set(name, index(vars, "service", name));
    }
  }

  /** The definition that wins for `key` in `service`'s effective set. */
  effective(service: string, key: string): Def | undefined {
    return this.services.get(service)?.get(key) ?? this.sharedEffective.get(key);
  }

  /** `service`'s effective keys in code-unit order (a merge of two sorted lists). */
  effectiveKeys(service: string): string[] {
    const own = [...(this.services.get(service)?.keys() ?? [])].sort(byCodeUnit);
    const shared = this.sharedKeys;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < shared.length || j < own.length) {
      if (j === own.length || (i < shared.length && shared[i] < own[j])) out.push(shared[i++]);
      else {
        if (i < shared.length && shared[i] === own[j]) i++;
        out.push(own[j++]);
      }
    }
    return out;
  }

  sharedDef(scope: Exclude<Scope, "service">, key: string): Def | undefined {
    return this.shared[scope].get(key);
  }

  node(ctx: string, def: Def): Node {
    if (def.scope === "service") return (def.own ??= newNode(ctx, def));
    def.nodes ??= new Map();
    let node = def.nodes.get(ctx);
    if (!node) def.nodes.set(ctx, (node = newNode(ctx, def)));
    return node;
  }

  /** The node a reference points at from `ctx`, or why there is none ("" when the key is just missing). */
  private target(ref: Reference, ctx: string): Node | string {
    let def: Def | undefined;
    let owner = ctx;
    if (ref.scope === "self") def = this.effective(ctx, ref.key);
    else if (ref.scope === "service") {
      owner = ref.service!;
      if (!this.services.has(owner)) return ` (no service "${owner}" in this environment)`;
      def = this.effective(owner, ref.key);
    } else def = this.shared[ref.scope === "env" ? "environment" : ref.scope].get(ref.key);
    return def ? this.node(owner, def) : "";
  }

  /** Evaluates `start` and everything it references, once per node. */
  evaluate(start: Node): Node {
    if (start.state !== "new") return start;
    const stack = [start];
    start.state = "open";
    while (stack.length) {
      const node = stack[stack.length - 1];
      const parts = node.def.parsed.parts;
      if (node.index < parts.length) {
        const part = parts[node.index];
        if ("text" in part) {
          append(node, part.text);
          node.index++;
          continue;
        }
        // Every reference is followed even after a failure, so `deps` is complete for consumersByKey.
        const dep = this.target(part.ref, node.ctx);
        if (typeof dep === "string") {
          node.ok = false;
          node.index++;
          continue;
        }
        node.deps.add(dep);
        if (dep.state === "done") {
          if (dep.ok) {
            append(node, dep.value);
            node.secret ||= dep.secret;
          } else node.ok = false;
          node.index++;
        } else if (dep.state === "open") {
          // A cycle: every node on the stack reaches this one, so all of them fail through their deps.
          node.ok = false;
          node.index++;
        } else {
          dep.state = "open";
          stack.push(dep); // this part is revisited once the dependency is done
        }
        continue;
      }
      if (!node.ok) node.value = "";
      else if (this.withUses) node.uses = mergeUses(node);
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
      // Walked per failing variable: a bounded walk keeps a long failing chain linear, not quadratic. The
      // variables further down the chain are failing too, and their own errors show the cause.
      if (chain.length > RESOLVE_LIMITS.explainLinks) {
        return {
          chain,
          message: `${chain.join(" → ")} → …: more than ${RESOLVE_LIMITS.explainLinks} failing references in a row (the variables further down show the cause)`,
        };
      }
      const parsed = current.def.parsed;
      if (parsed.issues.length) {
        // A secret value's malformed reference might be part of the secret itself: do not quote it.
        const [issue] = parsed.issues;
        const what = current.def.input.secret ? `${issue.kind} at position ${issue.position} of a secret value` : issue.message;
        return { chain, message: `${chain.join(" → ")}: ${what}` };
      }
      let next: Node | undefined;
      for (const part of parsed.parts) {
        if (!("ref" in part)) continue;
        const label = refLabel(part.ref, current.ctx, service);
        const dep = this.target(part.ref, current.ctx);
        if (typeof dep === "string") {
          const before = chain.join(" → ");
          chain.push(label);
          return { chain, message: `${before} → missing ${label}${dep}` };
        }
        if (path.has(dep)) {
          chain.push(label);
          return { chain, message: `${chain.join(" → ")} (cycle)` };
        }
        if (!dep.ok) {
          chain.push(label);
          path.add(dep);
          next = dep;
          break;
        }
      }
      if (!next && current.tooLarge) return { chain, message: `${chain.join(" → ")}: expands to more than ${size(RESOLVE_LIMITS.valueChars)}` };
      // Unreachable: a failing node has a parse error, a missing target, a cycle, a failing target or too large a value.
      if (!next) throw new Error(`config resolution: no cause found for ${chain.join(" → ")}`);
      current = next;
    }
  }

  /** Every definition `roots` reference, transitively (each node visited once). */
  reached(roots: Node[]): Set<Def> {
    const seen = new Set<Node>();
    const defs = new Set<Def>();
    const todo = [...roots];
    while (todo.length) {
      const node = todo.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      defs.add(node.def);
      for (const dep of this.evaluate(node).deps) todo.push(dep);
    }
    return defs;
  }

  /** `budget.left`: what the services resolved before left of the environment's total. */
  resolve(service: string, budget = { left: RESOLVE_LIMITS.environmentChars }): ServiceConfig {
    if (!this.services.has(service)) throw new Error(`unknown service "${service}"`);
    const vars: ResolvedVar[] = [];
    const errors: ResolveError[] = [];
    const keys = this.effectiveKeys(service);
    let total = 0;
    let unexplained = 0;
    let firstUnexplained: { key: string; source: Scope } | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const root = this.evaluate(this.node(service, this.effective(service, key)!));
      const source = root.def.scope;
      if (!root.ok) {
        if (errors.length < RESOLVE_LIMITS.errors) errors.push({ key, source, ...this.explain(root, service) });
        else if (unexplained++ === 0) firstUnexplained = { key, source };
        continue;
      }
      const chars = key.length + root.value.length + 1; // KEY=value
      const overService = total + chars > RESOLVE_LIMITS.serviceChars;
      if (overService || chars > budget.left) {
        const what = overService
          ? `${service}'s configuration expands to more than ${size(RESOLVE_LIMITS.serviceChars)} in total`
          : `the environment's configuration expands to more than ${size(RESOLVE_LIMITS.environmentChars)} in total across its services`;
        const rest = keys.length - i - 1;
        errors.push({
          key,
          source,
          chain: [key],
          message: `${key}: ${what} (${key}${rest ? ` and the ${rest} variable${rest === 1 ? "" : "s"} after it` : ""} left out)`,
        });
        budget.left = Math.min(budget.left, 0);
        break;
      }
      total += chars;
      budget.left -= chars;
      vars.push(
        this.withUses ? { key, value: root.value, secret: root.secret, source, uses: root.uses } : { key, value: root.value, secret: root.secret, source },
      );
    }
    if (firstUnexplained) {
      const { key, source } = firstUnexplained;
      errors.push({
        key,
        source,
        chain: [key],
        message: `${key} and ${unexplained - 1} more variables fail to resolve too (the first ${RESOLVE_LIMITS.errors} are explained)`,
      });
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
    const name = owner === undefined ? `${scope}.${input.key}` : `services.${owner}.${input.key}`;
    map.set(input.key, { scope, owner, input, parsed: parseValue(input.value), name, ownName: `service.${input.key}` });
  }
  return map;
}

function newNode(ctx: string, def: Def): Node {
  const ok = def.parsed.issues.length === 0;
  return { ctx, def, state: "new", index: 0, ok, tooLarge: false, value: "", secret: def.input.secret, deps: new Set(), uses: NONE };
}

/** Adds to a node's value unless it already failed; beyond the limit the node fails instead. */
function append(node: Node, text: string) {
  if (!node.ok) return;
  if (node.value.length + text.length > RESOLVE_LIMITS.valueChars) {
    node.ok = false;
    node.tooLarge = true;
    node.value = "";
  } else node.value += text;
}

/**
 * The sorted union of each dependency's name and its own uses, as seen from the node's service. Each node
 * gets a new array (every root's is returned to the caller); a chain (one dependency) costs one copy.
 */
function mergeUses(node: Node): string[] {
  if (!node.deps.size) return [];
  const lists = [...node.deps].map((dep) => {
    const uses = dep.ctx === node.ctx ? dep.uses : reframe(dep.uses, dep.ctx, node.ctx);
    return insertSorted(uses, dep.def.owner === node.ctx ? dep.def.ownName : dep.def.name);
  });
  let out = lists[0];
  for (let i = 1; i < lists.length; i++) out = mergeSorted(out, lists[i]);
  return out;
}

/** A copy of a sorted list with `name` added (once). */
function insertSorted(sorted: string[], name: string): string[] {
  let at = 0;
  for (let hi = sorted.length; at < hi; ) {
    const mid = (at + hi) >>> 1;
    if (sorted[mid] < name) at = mid + 1;
    else hi = mid;
  }
  const out = sorted.slice();
  if (sorted[at] !== name) out.splice(at, 0, name);
  return out;
}

function mergeSorted(a: string[], b: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) out.push(a[i++]);
    else if (b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** Uses seen from service `from` renamed for service `to`: "service.X" is whose own it is. */
function reframe(uses: string[], from: string, to: string): string[] {
  const toPrefix = `services.${to}.`;
  return uses
    .map((name) =>
      name.startsWith("service.") ? `services.${from}.${name.slice(8)}` : name.startsWith(toPrefix) ? `service.${name.slice(toPrefix.length)}` : name,
    )
    .sort(byCodeUnit);
}

/** A reference as written, except that an unqualified one evaluated for another service names it. */
function refLabel(ref: Reference, ctx: string, service: string): string {
  return ref.scope === "self" && ctx !== service ? `services.${ctx}.${ref.key}` : referenceName(ref);
}

/** Resolves one service's effective configuration; throws for a service the environment does not have. */
export function resolveService(layers: ConfigLayers, service: string, opts: ResolveOptions = {}): ServiceConfig {
  return new Resolver(layers, opts.uses).resolve(service);
}

/** Resolves every service of the environment (in name order, which decides who meets the environment's total first). */
export function resolveEnvironment(layers: ConfigLayers, opts: ResolveOptions = {}): Record<string, ServiceConfig> {
  const resolver = new Resolver(layers, opts.uses);
  const budget = { left: RESOLVE_LIMITS.environmentChars };
  const out: Record<string, ServiceConfig> = {};
  for (const name of [...resolver.services.keys()].sort(byCodeUnit)) out[name] = resolver.resolve(name, budget);
  return out;
}

/**
 * For every variable defined at `scope` (team/project/environment), the services that consume it: its
 * effective value is theirs, or something they use references it. Values that fail to resolve still
 * count: a change to the variable affects them. One walk per service, whatever the number of keys.
 */
export function consumersByKey(layers: ConfigLayers, scope: Exclude<Scope, "service">): Map<string, string[]> {
  const resolver = new Resolver(layers);
  const out = new Map<string, string[]>();
  for (const service of [...resolver.services.keys()].sort(byCodeUnit)) {
    const roots = resolver.effectiveKeys(service).map((k) => resolver.node(service, resolver.effective(service, k)!));
    for (const def of resolver.reached(roots)) {
      if (def.scope !== scope) continue;
      const list = out.get(def.input.key);
      if (list) list.push(service);
      else out.set(def.input.key, [service]);
    }
  }
  return out;
}

/** The services that consume the variable `key` defined at `scope` (see consumersByKey). */
export function consumersOf(layers: ConfigLayers, scope: Exclude<Scope, "service">, key: string): string[] {
  return consumersByKey(layers, scope).get(key) ?? [];
}
