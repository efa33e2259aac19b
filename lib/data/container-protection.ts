// Which containers belong to a protected environment. Containers Berth deployed carry the label
// `berth.service.id`; the service is looked up within the team. When it is gone (an image service's row
// can be deleted while its container runs on), the environment is found by the project and environment
// labels instead; when that is gone too, or the labels name nothing of this team, the container counts as
// protected: it may still hold production's values. Containers started outside Berth are not protected.
import { db } from "@/lib/db";
import { can, containerPermission } from "@/lib/permissions";
import type { TeamContext } from "./context";

type Labelled = { labels: unknown };

function label(c: Labelled, name: string): string | undefined {
  const v = ((c.labels ?? {}) as Record<string, unknown>)[name];
  return typeof v === "string" ? v : undefined;
}

/** Each container's environment protection, in at most two queries. */
export async function containersProtection(ctx: TeamContext, containers: readonly Labelled[]): Promise<{ protected: boolean }[]> {
  const serviceIds = [...new Set(containers.map((c) => label(c, "berth.service.id")).filter((id): id is string => Boolean(id)))];
  const services = serviceIds.length
    ? await db.service.findMany({
        where: { id: { in: serviceIds }, environment: { project: { teamId: ctx.team.id } } },
        select: { id: true, environment: { select: { protected: true } } },
      })
    : [];
  const byService = new Map(services.map((s) => [s.id, s.environment.protected]));
  const orphans = containers.filter((c) => {
    const id = label(c, "berth.service.id");
    return id !== undefined && !byService.has(id);
  });
  const projectSlugs = [...new Set(orphans.map((c) => label(c, "berth.project")).filter((s): s is string => Boolean(s)))];
  const envs = projectSlugs.length
    ? await db.environment.findMany({
        where: { project: { teamId: ctx.team.id, slug: { in: projectSlugs } } },
        select: { slug: true, protected: true, project: { select: { slug: true } } },
      })
    : [];
  const byEnv = new Map(envs.map((e) => [`${e.project.slug}/${e.slug}`, e.protected]));
  return containers.map((c) => {
    const id = label(c, "berth.service.id");
    if (id === undefined) return { protected: false };
    return { protected: byService.get(id) ?? byEnv.get(`${label(c, "berth.project")}/${label(c, "berth.environment")}`) ?? true };
  });
}

/** The permission acting on (`act`) or revealing the environment of (`env`) this container needs. */
export async function containerPermissionFor(ctx: TeamContext, container: Labelled, kind: "act" | "env") {
  const [env] = await containersProtection(ctx, [container]);
  return containerPermission(kind, env!);
}

/** For pages, to hide what the caller may not do: whether they may act on / reveal each container. */
export async function containerRights(ctx: TeamContext, containers: readonly Labelled[]) {
  return (await containersProtection(ctx, containers)).map((env) => ({
    act: can(ctx.role, containerPermission("act", env)),
    env: can(ctx.role, containerPermission("env", env)),
  }));
}
