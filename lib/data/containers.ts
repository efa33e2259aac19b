// Containers as their host's agent last reported them, read through the team's hosts.
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authorize, type TeamContext } from "./context";
import { getHost } from "./hosts";

export type ContainerFilter = { q?: string; state?: string };

const containerSelect = {
  id: true,
  dockerId: true,
  name: true,
  image: true,
  imageId: true,
  command: true,
  state: true,
  status: true,
  health: true,
  ports: true,
  labels: true,
  restartPolicy: true,
  exitCode: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  reportedAt: true,
  updatedAt: true,
} as const;

export async function listContainers(ctx: TeamContext, hostId: string, filter: ContainerFilter = {}) {
  const host = await getHost(ctx, hostId);
  const where: Prisma.ContainerWhereInput = { hostId: host.id };
  if (filter.state) where.state = filter.state;
  if (filter.q) {
    where.OR = [
      { name: { contains: filter.q, mode: "insensitive" } },
      { image: { contains: filter.q, mode: "insensitive" } },
      { dockerId: { startsWith: filter.q.toLowerCase() } },
    ];
  }
  return db.container.findMany({ where, select: containerSelect, orderBy: [{ name: "asc" }] });
}

export async function getContainer(ctx: TeamContext, hostId: string, dockerId: string) {
  authorize(ctx, "host.read");
  const row = await db.container.findFirst({
    where: { dockerId: String(dockerId), hostId: String(hostId), host: { teamId: ctx.team.id } },
    select: { ...containerSelect, host: { select: { id: true, name: true, status: true, lastSnapshotAt: true } } },
  });
  if (!row) throw new NotFoundError("Container not found");
  return row;
}

/** The project/environment/service a container belongs to, when Berth made it. */
export function berthLabels(labels: unknown): { project?: string; environment?: string; service?: string } {
  const l = (labels ?? {}) as Record<string, string>;
  return { project: l["berth.project"], environment: l["berth.environment"], service: l["berth.service"] };
}
