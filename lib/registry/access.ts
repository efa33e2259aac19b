// Who may do what in Berth's registry. A release lives at `<teamId>/<hostId>/<serviceId>` (releaseRepository in
// lib/deploy/names.ts): a host pulls anything of its own team (promote, rollback and moves bring a release
// built elsewhere) and pushes only under its own id, so one host cannot overwrite another's releases. Pure:
// the token endpoint and its tests use it.

export type RegistryAction = "pull" | "push" | "delete";
/** One entry of a token's `access` claim (Distribution's token spec). */
export type RegistryAccess = { type: "repository"; name: string; actions: RegistryAction[] };

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const ACTIONS = new Set<string>(["pull", "push", "delete", "*"]);

/**
 * Parses `scope` parameters (`repository:<name>:pull,push`, several per request). A scope that is not a
 * repository's, or is malformed, asks for nothing: the spec has the server leave out what it does not grant.
 */
export function parseScopes(scopes: readonly string[]): RegistryAccess[] {
  const out: RegistryAccess[] = [];
  for (const scope of scopes) {
    const first = scope.indexOf(":");
    const last = scope.lastIndexOf(":");
    if (first < 0 || last === first || scope.slice(0, first) !== "repository") continue;
    const name = scope.slice(first + 1, last);
    const actions = scope
      .slice(last + 1)
      .split(",")
      .filter((a) => ACTIONS.has(a));
    if (!NAME.test(name) || name.length > 255 || actions.length === 0) continue;
    const expanded = actions.flatMap((a): RegistryAction[] => (a === "*" ? ["pull", "push", "delete"] : [a as RegistryAction]));
    out.push({ type: "repository", name, actions: [...new Set(expanded)] });
  }
  return out;
}

export type RegistryHost = { id: string; teamId: string | null };

/** The actions a host may take on a repository: pull on `<its team>/*\/*`, push too on `<its team>/<itself>/*`. */
export function hostActions(host: RegistryHost, name: string): RegistryAction[] {
  if (!host.teamId) return [];
  const [team, owner, repo, ...rest] = name.split("/");
  if (team !== host.teamId.toLowerCase() || !owner || !repo || rest.length > 0) return [];
  return owner === host.id.toLowerCase() ? ["pull", "push"] : ["pull"];
}

/** What a host asked for, narrowed to what it may do; repositories it may do nothing with are left out. */
export function grantForHost(host: RegistryHost, requested: readonly RegistryAccess[]): RegistryAccess[] {
  const granted: RegistryAccess[] = [];
  for (const r of requested) {
    const allowed = hostActions(host, r.name);
    const actions = r.actions.filter((a) => allowed.includes(a));
    if (actions.length > 0) granted.push({ type: "repository", name: r.name, actions });
  }
  return granted;
}
