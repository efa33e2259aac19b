// Queues the deployments a preview needs, inside the caller's transaction: on its first deployment the
// environment is made (clone.ts) and its other services deploy as configured; every time, the pull request's
// service builds the head commit, fetched from the BASE repository's pull request ref (never from a fork's
// URL). The caller nudges the scheduler after the commit.
import type { Tx } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { pullRequestRef } from "@/lib/webhooks/pull-request";
import type { AuditActor } from "../audit";
import { insertDeployment } from "../deployments/create";
import { supersedeQueuedPushes } from "../deployments/webhook";
import { createPreviewEnvironment, type PreviewSource } from "./clone";

export type Nudge = { teamId: string; serviceId: string; hostId: string | null };

export type PreviewForDeploy = PreviewSource & {
  id: string;
  provider: string;
  headSha: string;
  environmentId: string | null;
  projectName: string;
};

export async function queuePreviewDeployments(
  tx: Tx,
  p: PreviewForDeploy,
  actor: AuditActor,
): Promise<{ deploymentId: string; number: number; nudges: Nudge[] }> {
  const nudges: Nudge[] = [];
  let envId = p.environmentId;
  const label = (name: string) => `${p.projectName}/pr-${p.number}/${name}`;
  if (!envId) {
    const made = await createPreviewEnvironment(tx, p, actor);
    envId = made.env.id;
    // The other services run as the base configures them: an image service its image, a git service its branch.
    for (const s of made.services.filter((s) => s.name !== p.service.name && s.hostId)) {
      await insertDeployment(tx, {
        teamId: p.teamId,
        service: { id: s.id, hostId: s.hostId, label: label(s.name) },
        trigger: "webhook",
        ref: s.source === "git" ? s.gitBranch : null,
        image: s.source === "image" ? s.image : null,
        actor,
        audit: { preview: p.number },
      });
      nudges.push({ teamId: p.teamId, serviceId: s.id, hostId: s.hostId });
    }
  }
  const target = await tx.service.findFirst({ where: { environmentId: envId, name: p.service.name, source: "git" }, select: { id: true, hostId: true } });
  if (!target) throw new ValidationError(`pr-${p.number} has no git service ${p.service.name} to build the pull request in.`);
  const provider = p.provider as "github" | "gitlab" | "gitea";
  const d = await insertDeployment(tx, {
    teamId: p.teamId,
    service: { id: target.id, hostId: target.hostId, label: label(p.service.name) },
    trigger: "webhook",
    ref: pullRequestRef(provider, p.number),
    requestedCommit: p.headSha,
    actor,
    audit: { preview: p.number, commit: p.headSha },
  });
  // An older head still waiting in the queue is not worth building.
  await supersedeQueuedPushes(tx, target.id, d);
  await tx.preview.update({ where: { id: p.id }, data: { environmentId: envId, status: "deploying" } });
  nudges.push({ teamId: p.teamId, serviceId: target.id, hostId: target.hostId });
  return { deploymentId: d.id, number: d.number, nudges };
}
