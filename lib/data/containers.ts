// Containers as their host's agent last reported them, read through the team's hosts.
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authorize, type TeamContext } from "./context";
import { getHost, type ListPage } from "./hosts";
import { containerListQuery } from "@/lib/validation/list-query";
import { parseInput } from "@/lib/validation/parse";

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

/**
 * One page of a host's containers by name, filtered in the query (`q` in the name or image, or the start of the
 * id; one `state`), and how many match.
 */
export async function listContainers(ctx: TeamContext, hostId: string, query: unknown = {}) {
  const { q, state, page, limit } = parseInput(containerListQuery, query);
  const host = await getHost(ctx, hostId);
  const where: Prisma.ContainerWhereInput = { hostId: host.id };
  if (state) where.state = state;
  if (q) {
    where.OR = [{ name: { contains: q, mode: "insensitive" } }, { image: { contains: q, mode: "insensitive" } }, { dockerId: { startsWith: q.toLowerCase() } }];
  }
  const [items, total] = await Promise.all([
    db.container.findMany({ where, select: containerSelect, orderBy: [{ name: "asc" }, { id: "asc" }], skip: (page - 1) * limit, take: limit }),
    db.container.count({ where }),
  ]);
  return { items, total, page, limit } satisfies ListPage<(typeof items)[number]>;
}

export async function getContainer(ctx: TeamContext, hostId: string, dockerId: string) {
  authorize(ctx, "host.read");
  const row = await db.container.findFirst({
    where: { dockerId: String(dockerId), hostId: String(hostId), host: { teamId: ctx.team.id } },
    select: { ...containerSelect, host: { select: { id: true, name: true, status: true, protocolProblem: true, lastSnapshotAt: true } } },
  });
  if (!row) throw new NotFoundError("Container not found");
  return row;
}

/** The project/environment/service a container belongs to, when Berth made it. */
export function berthLabels(labels: unknown): { project?: string; environment?: string; service?: string } {
  const l = (labels ?? {}) as Record<string, string>;
  return { project: l["berth.project"], environment: l["berth.environment"], service: l["berth.service"] };
}
