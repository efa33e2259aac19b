// The team's previews, for the environment list and the API: newest first, with what a reviewer needs
// (whether it waits for an approval, of which commit) and when its time-to-live ends.
import { db } from "@/lib/db";
import { authorize, type TeamContext } from "../context";
import { needsApproval } from "./load";
import { settleDeployingPreviews } from "./status";

export async function listPreviews(ctx: TeamContext, filter: { projectSlug?: string; serviceId?: string } = {}) {
  authorize(ctx, "project.read");
  await settleDeployingPreviews(ctx.team.id);
  const rows = await db.preview.findMany({
    where: {
      teamId: ctx.team.id,
      ...(filter.serviceId ? { serviceId: String(filter.serviceId) } : {}),
      ...(filter.projectSlug ? { service: { environment: { project: { slug: String(filter.projectSlug), teamId: ctx.team.id } } } } : {}),
    },
    orderBy: [{ closedAt: { sort: "desc", nulls: "first" } }, { lastPushAt: "desc" }],
    take: 200,
    select: {
      id: true,
      provider: true,
      number: true,
      title: true,
      author: true,
      headRef: true,
      headSha: true,
      fromFork: true,
      authorIsMember: true,
      approvedSha: true,
      approvedById: true,
      status: true,
      url: true,
      lastPushAt: true,
      closedAt: true,
      createdAt: true,
      environment: { select: { id: true, name: true, slug: true } },
      service: {
        select: { id: true, name: true, previewTtlHours: true, environment: { select: { slug: true, project: { select: { slug: true, name: true } } } } },
      },
    },
  });
  return rows.map(({ service, ...p }) => ({
    ...p,
    service: { id: service.id, name: service.name, environmentSlug: service.environment.slug },
    project: service.environment.project,
    needsApproval: p.status !== "closed" && needsApproval(p),
    expiresAt: p.status === "closed" ? null : new Date(p.lastPushAt.getTime() + service.previewTtlHours * 3600_000),
  }));
}
