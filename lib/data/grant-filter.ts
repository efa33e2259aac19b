// Lists a limited API token sees: only its project, or only its environment (lib/data/targets.ts holds single
// requests to the same limit). Sessions and unlimited tokens see everything their role allows.
import { ForbiddenError } from "@/lib/errors";
import type { TeamContext } from "./context";

/** The token's project and environment ids, for a query's `where`; nulls without a limit. */
export function grantLimit(ctx: TeamContext): { projectId: string | null; environmentId: string | null } {
  return { projectId: ctx.grant?.projectId ?? null, environmentId: ctx.grant?.environmentId ?? null };
}

/** Projects cut down to the token's limit: other projects go, and other environments of its project. */
export function withinGrant<P extends { id: string; environments: { id: string }[] }>(ctx: TeamContext, projects: P[]): P[] {
  const { projectId, environmentId } = grantLimit(ctx);
  return projects
    .filter((p) => !projectId || p.id === projectId)
    .map((p) => (environmentId ? { ...p, environments: p.environments.filter((e) => e.id === environmentId) } : p));
}

/** One project as the token may see it; a project outside its limit is refused like any other request. */
export function projectWithinGrant<P extends { id: string; environments: { id: string }[] }>(ctx: TeamContext, project: P): P {
  const [seen] = withinGrant(ctx, [project]);
  if (!seen)
    throw new ForbiddenError(`This API token is limited to ${ctx.grant?.environmentId ? "one environment" : "one project"}; this request reaches beyond it.`);
  return seen;
}
