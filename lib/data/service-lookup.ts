// A service found by the names people and the CLI use: project, environment and service name.
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { TeamContext } from "./context";
import { getEnvironment } from "./projects";

export async function serviceByName(ctx: TeamContext, projectSlug: string, envSlug: string, name: string) {
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug); // authorizes project.read
  const s = await db.service.findFirst({
    where: { environmentId: env.id, name: String(name) },
    select: {
      id: true,
      name: true,
      source: true,
      host: { select: { id: true, name: true } },
      liveDeployment: { select: { id: true, number: true, status: true } },
    },
  });
  if (!s) throw new NotFoundError(`${project.name}/${env.name} has no service called ${name}.`);
  return {
    id: s.id,
    name: s.name,
    kind: s.source === "git" ? ("git" as const) : ("image" as const),
    environment: { id: env.id, slug: env.slug, name: env.name, protected: env.protected },
    project: { id: project.id, slug: project.slug, name: project.name },
    host: s.host,
    live: s.liveDeployment,
  };
}
