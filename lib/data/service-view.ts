// A service as its page shows it, either kind: the git view (git-services.ts) or the image view here, both
// with the URLs it answers at and its live release, so the page and a deployment's page treat them alike.
import { db } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { serviceHostnames, serviceUrls, volumeName } from "@/lib/deploy/names";
import { deployStrategy } from "@/lib/deploy/image-rules";
import { authorize, type TeamContext } from "./context";
import { gitServiceView } from "./git-services";
import { getEnvironment } from "./projects";

/** An image service: what it runs, how a new release replaces the old, and its URLs when behind the proxy. */
export async function imageServiceView(ctx: TeamContext, projectSlug: string, envSlug: string, name: string) {
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  const s = await db.service.findFirst({
    where: { environmentId: env.id, name: String(name), source: "image" },
    select: {
      id: true,
      name: true,
      image: true,
      command: true,
      ports: true,
      volumes: true,
      restartPolicy: true,
      httpPort: true,
      healthPath: true,
      healthTimeoutSec: true,
      domains: true,
      keepReleases: true,
      hostId: true,
      liveDeploymentId: true,
      servingProblem: true,
      servingCheckedAt: true,
      host: { select: { id: true, name: true, status: true, baseDomain: true } },
    },
  });
  if (!s) throw new NotFoundError("Service not found");
  const place = { id: s.id, name: s.name, environment: { slug: env.slug, project: { slug: project.slug } } };
  const hostnames = s.host && s.httpPort ? serviceHostnames(place, s.host.baseDomain, s.domains as string[]) : [];
  const volumes = s.volumes as { source: string; target: string; readOnly: boolean }[];
  return {
    ...s,
    domains: s.domains as string[],
    project,
    env,
    urls: serviceUrls(hostnames, appEnv.proxyHttpPort),
    strategy: deployStrategy({ ports: s.ports as { container: number; host: number | null; protocol: "tcp" | "udp" }[], volumes }),
    dockerVolumes: volumes.map((v) => ({ ...v, dockerName: volumeName(env.id, v.source) })),
  };
}

/** The service of that name in that environment, as the view of its kind. */
export async function serviceView(ctx: TeamContext, projectSlug: string, envSlug: string, name: string) {
  authorize(ctx, "project.read");
  // Its kind in one query, by the place's slugs (the view then reads the place with the service): a page's
  // round trips are one after another, and each costs most when the machine is busiest.
  const row = await db.service.findFirst({
    where: { name: String(name), environment: { slug: String(envSlug), project: { slug: String(projectSlug), teamId: ctx.team.id } } },
    select: { source: true },
  });
  if (!row) throw new NotFoundError("Service not found");
  return row.source === "git"
    ? { kind: "git" as const, ...(await gitServiceView(ctx, projectSlug, envSlug, name)) }
    : { kind: "image" as const, ...(await imageServiceView(ctx, projectSlug, envSlug, name)) };
}
