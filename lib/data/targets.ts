// Where an operation's targets live (project and environment), for holding a limited API token to its
// project or environment. Team-filtered like every other read: another team's id is "not found".
import { db } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { TeamContext } from "./context";

/** What an operation touches, so a token limited to one project or environment can be held to it. */
export type TargetRef =
  | { project: string }
  | { environment: { project: string; env: string } }
  | { environmentId: string }
  | { service: string }
  | { deployment: string };

type Place = { projectId: string; environmentId: string | null };

async function placeOf(ctx: TeamContext, ref: TargetRef): Promise<Place> {
  const teamId = ctx.team.id;
  if ("project" in ref) {
    const p = await db.project.findFirst({ where: { slug: ref.project, teamId }, select: { id: true } });
    if (!p) throw new NotFoundError("Project not found");
    return { projectId: p.id, environmentId: null };
  }
  if ("environment" in ref) {
    const e = await db.environment.findFirst({
      where: { slug: ref.environment.env, project: { slug: ref.environment.project, teamId } },
      select: { id: true, projectId: true },
    });
    if (!e) throw new NotFoundError("Environment not found");
    return { projectId: e.projectId, environmentId: e.id };
  }
  if ("environmentId" in ref) {
    const e = await db.environment.findFirst({ where: { id: ref.environmentId, project: { teamId } }, select: { id: true, projectId: true } });
    if (!e) throw new NotFoundError("Environment not found");
    return { projectId: e.projectId, environmentId: e.id };
  }
  const env = { select: { id: true, projectId: true } } as const;
  const s =
    "service" in ref
      ? await db.service.findFirst({ where: { id: ref.service, environment: { project: { teamId } } }, select: { environment: env } })
      : (await db.deployment.findFirst({ where: { id: ref.deployment, teamId }, select: { service: { select: { environment: env } } } }))?.service;
  if (!s) throw new NotFoundError("service" in ref ? "Service not found" : "Deployment not found");
  return { projectId: s.environment.projectId, environmentId: s.environment.id };
}

/** Throws unless every target lies inside the token's project or environment (no-op without a limit). */
export async function assertWithinGrant(ctx: TeamContext, refs: TargetRef[] | null): Promise<void> {
  const g = ctx.grant;
  if (!g || (!g.projectId && !g.environmentId)) return;
  const what = g.environmentId ? "one environment" : "one project";
  if (refs === null || refs.length === 0) throw new ForbiddenError(`This API token is limited to ${what}; this request reaches beyond it.`);
  for (const ref of refs) {
    const place = await placeOf(ctx, ref);
    const inside = g.environmentId ? place.environmentId === g.environmentId : place.projectId === g.projectId;
    if (!inside) throw new ForbiddenError(`This API token is limited to ${what}; this request reaches beyond it.`);
  }
}
