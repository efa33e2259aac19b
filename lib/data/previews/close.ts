// Tearing a preview down (its pull request closed or merged, a member's Close, or its time-to-live past):
// the same path as deleting an environment (teardown.ts): its deployments stopped, then its services,
// variables and environment deleted in one transaction, then its host removes containers, routes, networks
// and release images.
import { db } from "@/lib/db";
import { recordAudit, type AuditActor } from "../audit";
import { authorize, type TeamContext } from "../context";
import { cleanUpHosts, deleteLooseRows, doomedServices, stopDeployments } from "../teardown";
import { previewInTeam } from "./load";
import { tellPullRequest } from "./status";

export async function teardownPreview(previewId: string, actor: AuditActor, reason: string) {
  const p = await db.preview.findUniqueOrThrow({
    where: { id: previewId },
    select: {
      id: true,
      teamId: true,
      number: true,
      status: true,
      environmentId: true,
      service: { select: { name: true, environment: { select: { project: { select: { name: true } } } } } },
    },
  });
  const label = `${p.service.environment.project.name}/pr-${p.number}`;
  const envId = p.environmentId;
  // Already closed and nothing left (a second close, a reaper that lost the race): nothing to do or record.
  if (p.status === "closed" && !envId) return { services: 0, variables: 0, cancelled: 0, hosts: [] };
  const services = envId ? await doomedServices(p.teamId, { environmentId: envId }) : [];
  const cancelled = await stopDeployments(services.map((s) => s.id));
  const variables = await db.$transaction(async (tx) => {
    let variables = 0;
    if (envId) {
      const all = await tx.service.findMany({ where: { environmentId: envId }, select: { id: true } });
      variables = await deleteLooseRows(
        tx,
        p.teamId,
        all.map((s) => s.id),
        [`environment:${envId}`],
      );
      await tx.environment.deleteMany({ where: { id: envId, project: { teamId: p.teamId } } });
    }
    await tx.preview.update({ where: { id: p.id }, data: { status: "closed", closedAt: new Date(), environmentId: null, url: null } });
    await recordAudit(tx, actor, {
      teamId: p.teamId,
      action: "preview.close",
      target: { type: "preview", id: p.id, label },
      data: { reason, services: services.map((s) => s.name), variables, deploymentsCancelled: cancelled },
    });
    return variables;
  });
  const hosts = await cleanUpHosts(services, { environmentsGo: true });
  await tellPullRequest(p.id);
  return { services: services.length, variables, cancelled, hosts };
}

/** A member's Close: tears the preview down now (a new push or a reopen makes it again). */
export async function closePreview(ctx: TeamContext, previewId: string) {
  authorize(ctx, "service.deploy");
  const p = await previewInTeam(ctx.team.id, previewId);
  return teardownPreview(p.id, ctx.actor, "closed in Berth");
}
