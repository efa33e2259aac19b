// Where a service's logs come from (`berth logs`): the container its live release runs in, found through the
// team's own container records. The lines are read like the container page's (host-calls.ts, secrets masked).
import { db } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { authorize, type TeamContext } from "./context";

export type ServiceContainer = { hostId: string; dockerId: string; name: string };

/**
 * The running container of the service: its live release's, else (mid-deployment, or a release Berth no
 * longer calls live) the newest running one it labelled with the service. None running is a conflict.
 */
export async function serviceContainer(ctx: TeamContext, serviceId: string): Promise<ServiceContainer> {
  authorize(ctx, "project.read");
  const service = await db.service.findFirst({
    where: { id: String(serviceId), environment: { project: { teamId: ctx.team.id } } },
    select: { id: true, name: true, liveDeploymentId: true },
  });
  if (!service) throw new NotFoundError("Service not found");
  const running = await db.container.findMany({
    where: { state: "running", host: { teamId: ctx.team.id }, labels: { path: ["berth.service.id"], equals: service.id } },
    select: { hostId: true, dockerId: true, name: true, labels: true },
    orderBy: [{ startedAt: { sort: "desc", nulls: "last" } }],
  });
  const deploymentOf = (c: { labels: unknown }) => (c.labels as Record<string, unknown> | null)?.["berth.deployment.id"];
  const pick = running.find((c) => service.liveDeploymentId && deploymentOf(c) === service.liveDeploymentId) ?? running[0];
  if (!pick) {
    throw new ConflictError(
      service.liveDeploymentId
        ? `${service.name} has no running container: its live release's container is stopped or gone. Start it from its host's page, or deploy again.`
        : `${service.name} has no running container: it has not been deployed yet.`,
    );
  }
  return { hostId: pick.hostId, dockerId: pick.dockerId, name: pick.name };
}
