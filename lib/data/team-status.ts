// The team at a glance (the CLI's `berth status`): hosts, and each active project's environments with their
// services, what runs live and the newest deployment. A limited API token sees only its project or
// environment, and only the hosts its services are on.
import { db } from "@/lib/db";
import { authorize, type TeamContext } from "./context";
import { grantLimit } from "./grant-filter";

const deploymentSelect = { id: true, number: true, status: true } as const;

export async function teamStatus(ctx: TeamContext) {
  authorize(ctx, "project.read");
  authorize(ctx, "host.read");
  const { projectId, environmentId } = grantLimit(ctx);
  const projects = await db.project.findMany({
    where: { teamId: ctx.team.id, archivedAt: null, ...(projectId ? { id: projectId } : {}) },
    orderBy: { name: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      environments: {
        where: environmentId ? { id: environmentId } : {},
        orderBy: { position: "asc" },
        select: {
          id: true,
          slug: true,
          name: true,
          protected: true,
          services: {
            orderBy: { name: "asc" },
            select: {
              id: true,
              name: true,
              source: true,
              host: { select: { id: true, name: true } },
              liveDeployment: { select: { ...deploymentSelect, commitSha: true, image: true, finishedAt: true } },
              deployments: { orderBy: { number: "desc" }, take: 1, select: { ...deploymentSelect, createdAt: true } },
            },
          },
        },
      },
    },
  });
  const services = projects.flatMap((p) => p.environments.flatMap((e) => e.services));
  const limited = Boolean(projectId || environmentId);
  const hostIds = [...new Set(services.flatMap((s) => (s.host ? [s.host.id] : [])))];
  const hosts = await db.host.findMany({
    where: { teamId: ctx.team.id, ...(limited ? { id: { in: hostIds } } : {}) },
    orderBy: [{ isLocal: "desc" }, { createdAt: "asc" }],
    select: { id: true, name: true, status: true, lastHeartbeatAt: true },
  });
  return {
    team: { slug: ctx.team.slug, name: ctx.team.name },
    hosts: hosts.map(({ lastHeartbeatAt, ...h }) => ({ ...h, lastSeenAt: lastHeartbeatAt })),
    projects: projects.map((p) => ({
      ...p,
      environments: p.environments.map((e) => ({
        ...e,
        services: e.services.map((s) => ({
          id: s.id,
          name: s.name,
          kind: s.source === "git" ? ("git" as const) : ("image" as const),
          host: s.host?.name ?? null,
          live: s.liveDeployment,
          latest: s.deployments[0] ?? null,
        })),
      })),
    })),
  };
}
