// A variable saved with a broken `${{ }}` reference (or one that closes a cycle) is refused, with the message
// the service cards would show: the change is resolved with the same code (lib/data/resolved-config.ts feeding
// lib/config/resolve.ts) before and after, for every service it reaches, and an error it adds stops it. "Save
// anyway" (`force`) is for references to keys that will exist later. Errors that were there before are not
// this change's fault and do not stop it.
import { resolveEnvironment, type ConfigLayers, type VarInput } from "@/lib/config/resolve";
import { db } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { environmentLayers } from "./resolved-config";

type Change = { key: string; value: string; secret: boolean };
/** The owner string of a variable: "team:<id>", "project:<id>", "environment:<id>", "service:<id>". */
type OwnerName = { owner: string };

// An environment without services is checked as if one were added to it (with no variables of its own):
// otherwise a shared variable saved before its services exist would never be checked at all.
const NEW_SERVICE = "a-new-service";
const SHOWN = 5;

export const SAVE_ANYWAY_HINT = "Save anyway if the keys it refers to will exist later.";

/** Throws a ValidationError naming what the change would break, unless `force`. */
export async function assertReferencesResolve(teamId: string, o: OwnerName, changes: Change[], force: boolean) {
  if (force || changes.length === 0) return;
  const broken = await brokenBy(teamId, o.owner, changes);
  if (broken.length === 0) return;
  const lines = broken.slice(0, SHOWN).map((b) => `${b.message} (in ${b.where.join(", ")})`);
  if (broken.length > SHOWN) lines.push(`and ${broken.length - SHOWN} more`);
  const text = lines.join("; ");
  throw new ValidationError(`Not saved, a reference would not resolve: ${text}. ${SAVE_ANYWAY_HINT}`, { value: [text], force: [SAVE_ANYWAY_HINT] });
}

/** Each error the change adds (the resolver's message) with where it would show. */
async function brokenBy(teamId: string, owner: string, changes: Change[]) {
  const [scope, id = ""] = owner.split(":") as [string, string];
  const inTeam = { project: { teamId } };
  const where =
    scope === "project"
      ? { ...inTeam, projectId: id }
      : scope === "environment"
        ? { ...inTeam, id }
        : scope === "service"
          ? { ...inTeam, services: { some: { id } } }
          : inTeam;
  const envs = await db.environment.findMany({
    where,
    select: {
      id: true,
      name: true,
      projectId: true,
      project: { select: { name: true } },
      services: { select: { id: true, name: true }, orderBy: { name: "asc" } },
    },
    orderBy: [{ projectId: "asc" }, { position: "asc" }],
  });
  const found = new Map<string, string[]>();
  const add = (message: string, place: string) => found.set(message, [...(found.get(message) ?? []), place]);

  for (const env of envs) {
    const layers = await environmentLayers(teamId, env, env.services);
    if (env.services.length === 0) layers.services[NEW_SERVICE] = [];
    const service = scope === "service" ? env.services.find((s) => s.id === id)?.name : undefined;
    const before = resolveEnvironment(layers);
    const after = resolveEnvironment(patched(layers, scope, service, changes));
    for (const [name, r] of Object.entries(after)) {
      const known = new Set(before[name]?.errors.map((e) => e.message));
      const place = name === NEW_SERVICE ? `${env.project.name}/${env.name}, for a service added there` : `${env.project.name}/${env.name}/${name}`;
      for (const e of r.errors) if (!known.has(e.message)) add(e.message, place);
    }
  }
  // A project or team with no environment at all: its own layers, resolved for a service of a new environment.
  if (envs.length === 0 && (scope === "team" || scope === "project")) {
    const layers = await environmentLayers(teamId, { id: "", projectId: scope === "project" ? id : "" }, []);
    layers.services[NEW_SERVICE] = [];
    const known = new Set(resolveEnvironment(layers)[NEW_SERVICE]!.errors.map((e) => e.message));
    for (const e of resolveEnvironment(patched(layers, scope, undefined, changes))[NEW_SERVICE]!.errors)
      if (!known.has(e.message)) add(e.message, "a new environment");
  }
  return [...found].map(([message, places]) => ({ message, where: places }));
}

/** The layers with the change applied to the owner's own list (a key replaced, or added). */
function patched(layers: ConfigLayers, scope: string, service: string | undefined, changes: Change[]): ConfigLayers {
  const apply = (list: VarInput[]) => {
    const next = new Map(list.map((v) => [v.key, v]));
    for (const c of changes) next.set(c.key, { key: c.key, value: c.value, secret: c.secret });
    return [...next.values()];
  };
  switch (scope) {
    case "team":
      return { ...layers, team: apply(layers.team) };
    case "project":
      return { ...layers, project: apply(layers.project) };
    case "environment":
      return { ...layers, environment: apply(layers.environment) };
    default:
      return service ? { ...layers, services: { ...layers.services, [service]: apply(layers.services[service] ?? []) } } : layers;
  }
}
