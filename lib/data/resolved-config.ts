// A service's effective configuration, resolved by lib/config/resolve (the same module for previews and
// deploys, so what the page shows is what the container gets). Secrets are opened only in server memory:
// results derived from a secret are masked before they leave this module, except in `deployableEnv`.
import { createHash, createHmac } from "node:crypto";
import { consumersByKey, resolveEnvironment, type ConfigLayers, type ResolveError, type ResolvedVar } from "@/lib/config/resolve";
import { db } from "@/lib/db";
import { authorize, type TeamContext } from "./context";
import { openVariables } from "./variables";

type EnvRef = { id: string; projectId: string };
type ServiceRef = { id: string; name: string };

/**
 * A preview environment receives only the secrets its base environment allows in previews, at every scope
 * (team and project secrets included): a pull request's code never sees another secret. Null: not a preview.
 */
async function previewSecretAllowList(envId: string): Promise<Set<string> | null> {
  const p = await db.preview.findUnique({
    where: { environmentId: envId },
    select: { service: { select: { previewBase: { select: { previewSecretKeys: true } }, environment: { select: { previewSecretKeys: true } } } } },
  });
  if (!p) return null;
  return new Set((p.service.previewBase ?? p.service.environment).previewSecretKeys);
}

export async function environmentLayers(teamId: string, env: EnvRef, services: ServiceRef[]): Promise<ConfigLayers> {
  const owners = [`team:${teamId}`, `project:${env.projectId}`, `environment:${env.id}`, ...services.map((s) => `service:${s.id}`)];
  const allowed = await previewSecretAllowList(env.id);
  const vars = (await openVariables(teamId, owners)).filter((v) => !allowed || !v.secret || allowed.has(v.key));
  const pick = (owner: string) => vars.filter((v) => v.owner === owner).map(({ key, value, secret }) => ({ key, value, secret }));
  return {
    team: pick(owners[0]!),
    project: pick(owners[1]!),
    environment: pick(owners[2]!),
    services: Object.fromEntries(services.map((s) => [s.name, pick(`service:${s.id}`)])),
  };
}

/**
 * A keyed fingerprint of a value: tells changed from unchanged without storing or revealing the value. Its
 * key is not the master key, so rotating that does not make every deployed value look changed.
 */
export function fingerprint(value: string): string {
  const secret = process.env.BERTH_FINGERPRINT_KEY ?? process.env.BERTH_MASTER_KEY ?? "";
  const key = createHash("sha256").update(`berth:fingerprint:${secret}`).digest();
  return createHmac("sha256", key).update(value).digest("hex").slice(0, 32);
}

export type StagedChange = { added: string[]; removed: string[]; changed: string[] };

export function stagedChanges(vars: ResolvedVar[], deployed: unknown): StagedChange | null {
  if (!deployed || typeof deployed !== "object") return null;
  const before = deployed as Record<string, string>;
  const now = Object.fromEntries(vars.map((v) => [v.key, fingerprint(v.value)]));
  return {
    added: Object.keys(now).filter((k) => !(k in before)),
    removed: Object.keys(before).filter((k) => !(k in now)),
    changed: Object.keys(now).filter((k) => k in before && before[k] !== now[k]),
  };
}

export type MaskedVar = Omit<ResolvedVar, "value"> & { value: string | null };

/** The environment's services with their effective variables (secrets masked), errors and staged changes. */
export async function resolvedServices(ctx: TeamContext, env: EnvRef) {
  authorize(ctx, "project.read");
  const services = await db.service.findMany({
    where: { environmentId: env.id, environment: { project: { teamId: ctx.team.id } } },
    select: { id: true, name: true, deployedConfig: true, deployedAt: true },
    orderBy: { name: "asc" },
  });
  const resolved = resolveEnvironment(await environmentLayers(ctx.team.id, env, services));
  return services.map((s) => {
    const r = resolved[s.name]!;
    const staged = r.errors.length ? null : stagedChanges(r.vars, s.deployedConfig);
    return {
      serviceId: s.id,
      name: s.name,
      vars: r.vars.map((v): MaskedVar => ({ ...v, value: v.secret ? null : v.value })),
      errors: r.errors as ResolveError[],
      deployedAt: s.deployedAt,
      staged,
      pending: Boolean(staged && (staged.added.length || staged.removed.length || staged.changed.length)),
    };
  });
}

/** Deploy path only: the exact environment a container gets, with fingerprints to remember it by. */
export async function deployableEnv(teamId: string, env: EnvRef, service: ServiceRef) {
  const services = await db.service.findMany({ where: { environmentId: env.id }, select: { id: true, name: true } });
  const r = resolveEnvironment(await environmentLayers(teamId, env, services))[service.name]!;
  return {
    errors: r.errors,
    env: Object.fromEntries(r.vars.map((v) => [v.key, v.value])),
    fingerprints: Object.fromEntries(r.vars.map((v) => [v.key, fingerprint(v.value)])),
    /** The secret values, to mask them wherever output is shown. */
    secrets: r.vars.filter((v) => v.secret).map((v) => v.value),
  };
}

/**
 * "Used by" for shared variables: for each key at team scope (or one project's scope), every service in
 * every environment that consumes it, as "project/environment/service".
 */
export async function sharedVariableUsage(ctx: TeamContext, scope: "team" | "project", projectId?: string): Promise<Record<string, string[]>> {
  authorize(ctx, "project.read");
  const envs = await db.environment.findMany({
    where: { project: { teamId: ctx.team.id, archivedAt: null, ...(projectId ? { id: projectId } : {}) } },
    select: { id: true, slug: true, projectId: true, project: { select: { slug: true } }, services: { select: { id: true, name: true } } },
  });
  const usage: Record<string, string[]> = {};
  for (const env of envs.filter((e) => e.services.length)) {
    const layers = await environmentLayers(ctx.team.id, env, env.services);
    for (const [key, services] of consumersByKey(layers, scope)) {
      for (const svc of services) (usage[key] ??= []).push(`${env.project.slug}/${env.slug}/${svc}`);
    }
  }
  return usage;
}

/** The resolved secret values a Berth-made container was given, to mask them in its logs. */
export async function secretValuesOfService(teamId: string, serviceId: string): Promise<string[]> {
  const s = await db.service.findFirst({
    where: { id: serviceId, environment: { project: { teamId } } },
    select: { id: true, name: true, environment: { select: { id: true, projectId: true } } },
  });
  if (!s) return [];
  const services = await db.service.findMany({ where: { environmentId: s.environment.id }, select: { id: true, name: true } });
  const r = resolveEnvironment(await environmentLayers(teamId, s.environment, services))[s.name];
  return (r?.vars ?? []).filter((v) => v.secret && v.value.length >= 4).map((v) => v.value);
}
