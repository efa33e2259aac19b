// A developer (or above) approves one exact commit of a gated pull request (from a fork, or by someone who
// is not a developer of the team). Only the head Berth knows: a push after the reviewer looked must not ride
// on the approval, so a stale sha is refused and a new push needs a new approval (lifecycle.ts).
import { db } from "@/lib/db";
import { ConflictError, ValidationError } from "@/lib/errors";
import { validateCommitSha } from "@/lib/git/validate";
import { recordAudit } from "../audit";
import { authorize, type TeamContext } from "../context";
import { nudgeScheduler } from "../deployments/create";
import { retryOnConflict } from "../deployments/retry";
import { lockService } from "../deployments/service-lock";
import { queuePreviewDeployments } from "./deploy";
import { forDeploy, loadPreview, previewInTeam } from "./load";
import { tellPullRequest } from "./status";

export async function approvePreview(ctx: TeamContext, previewId: string, sha: string) {
  authorize(ctx, "service.deploy");
  const found = await previewInTeam(ctx.team.id, previewId);
  const checked = validateCommitSha(String(sha ?? ""));
  if (!checked.ok) throw new ValidationError(checked.error);
  const out = await retryOnConflict(() =>
    db.$transaction(
      async (tx) => {
        // The base service's lock orders this against the pull request's webhooks (lifecycle.ts takes it too).
        await lockService(tx, found.service.id);
        const p = (await loadPreview(tx, { id: found.id, teamId: ctx.team.id }))!;
        if (p.status === "closed") throw new ValidationError(`Pull request #${p.number}'s preview is closed.`);
        if (checked.sha !== p.headSha)
          throw new ConflictError(`#${p.number} is now at ${p.headSha.slice(0, 12)}, not ${checked.sha.slice(0, 12)}: review and approve its current head.`);
        await tx.preview.update({ where: { id: p.id }, data: { approvedSha: p.headSha, approvedById: ctx.actor.id } });
        await recordAudit(tx, ctx.actor, {
          teamId: ctx.team.id,
          action: "preview.approve",
          target: { type: "preview", id: p.id, label: `${p.service.environment.project.name}/pr-${p.number}` },
          data: { commit: p.headSha, fromFork: p.fromFork, authorIsMember: p.authorIsMember },
        });
        return queuePreviewDeployments(tx, forDeploy(p), ctx.actor);
      },
      { maxWait: 10_000, timeout: 30_000 },
    ),
  );
  for (const n of out.nudges) await nudgeScheduler(n);
  await tellPullRequest(found.id);
  return { deployment: out.deploymentId, number: out.number };
}
