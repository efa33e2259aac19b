// Pull request webhooks (after the webhook route checked the signature, deployments/webhook.ts): opened,
// reopened and new commits create or update the preview and deploy its head, unless it is gated (a fork,
// or an author who is not a developer of the team) and that exact head is not approved; closed or merged
// tears it down. A delivery id acts once, decided under the base service's lock like pushes.
import { db } from "@/lib/db";
import { ROLE_RANK } from "@/lib/permissions";
import type { HeaderSource } from "@/lib/webhooks/headers";
import { parsePullRequest } from "@/lib/webhooks/pull-request";
import type { Provider } from "@/lib/webhooks/verify";
import { AppError, NotFoundError } from "@/lib/errors";
import { recordAudit } from "../audit";
import { nudgeScheduler } from "../deployments/create";
import { retryOnConflict } from "../deployments/retry";
import { lockService } from "../deployments/service-lock";
import type { WebhookOutcome } from "../deployments/webhook";
import { webhookActor } from "./actor";
import { teardownPreview } from "./close";
import { type Nudge, queuePreviewDeployments } from "./deploy";
import { forDeploy, loadPreview, needsApproval } from "./load";
import { tellPullRequest } from "./status";

const DEVELOPER_ROLES = (Object.keys(ROLE_RANK) as (keyof typeof ROLE_RANK)[]).filter((r) => ROLE_RANK[r] >= ROLE_RANK.DEVELOPER);

/** Whether the author is a developer (or above) of the team, by the git usernames members set on their membership. */
async function isTeamDeveloper(teamId: string, author: string) {
  return (await db.membership.count({ where: { teamId, role: { in: DEVELOPER_ROLES }, gitUsernames: { has: author } } })) > 0;
}

export async function receivePullRequest(serviceId: string, provider: Provider, headers: HeaderSource, body: unknown): Promise<WebhookOutcome> {
  const parsed = parsePullRequest(provider, headers, body);
  if (!parsed.ok) {
    if (parsed.reason.startsWith("ignored")) return { status: 202, body: { ignored: parsed.reason } };
    throw new AppError(`Not a pull request Berth can preview: ${parsed.reason}.`, 400, "invalid");
  }
  const pr = parsed.event;
  const s = await db.service.findUniqueOrThrow({
    where: { id: serviceId },
    select: {
      id: true,
      name: true,
      gitBranch: true,
      previewsEnabled: true,
      environment: { select: { project: { select: { teamId: true, archivedAt: true } } } },
    },
  });
  if (!s.previewsEnabled) return { status: 202, body: { ignored: `ignored: previews are off for ${s.name}` } };
  if (pr.baseRef !== s.gitBranch)
    return {
      status: 202,
      body: { ignored: `ignored: pull request #${pr.number} is against ${pr.baseRef}; ${s.name} previews pull requests against ${s.gitBranch}` },
    };
  if (s.environment.project.archivedAt) return { status: 202, body: { ignored: "ignored: the project is archived" } };
  const teamId = s.environment.project.teamId;
  const authorIsMember = await isTeamDeveloper(teamId, pr.author);
  const deliveryId = pr.deliveryId ?? `pr:${pr.number}:${pr.action}:${pr.headSha}`;
  const actor = webhookActor(pr.provider);

  const out = await retryOnConflict(() =>
    db.$transaction(
      async (tx): Promise<{ outcome: WebhookOutcome; previewId?: string; nudges?: Nudge[]; close?: boolean }> => {
        if (!(await lockService(tx, s.id))) throw new NotFoundError("No such webhook");
        const fresh = await tx.webhookDelivery.createMany({ data: [{ serviceId: s.id, deliveryId }], skipDuplicates: true });
        if (fresh.count === 0) return { outcome: { status: 200, body: { duplicate: true } } };
        const key = { serviceId_provider_number: { serviceId: s.id, provider: pr.provider, number: pr.number } };
        const existing = await tx.preview.findUnique({ where: key, select: { id: true, status: true, environmentId: true } });
        if (pr.action === "closed") {
          if (!existing || (existing.status === "closed" && !existing.environmentId))
            return { outcome: { status: 202, body: { ignored: `ignored: pull request #${pr.number} has no open preview` } } };
          return { outcome: { status: 200, body: { preview: existing.id, closed: true } }, previewId: existing.id, close: true };
        }
        const fields = {
          title: pr.title,
          author: pr.author,
          headRef: pr.headRef,
          headSha: pr.headSha,
          fromFork: pr.fromFork,
          authorIsMember,
          lastPushAt: new Date(),
        };
        const saved = existing
          ? await tx.preview.update({ where: key, data: { ...fields, ...(existing.status === "closed" ? { closedAt: null } : {}) }, select: { id: true } })
          : await tx.preview.create({
              data: { ...fields, teamId, serviceId: s.id, provider: pr.provider, number: pr.number, status: "waiting" },
              select: { id: true },
            });
        const p = (await loadPreview(tx, { id: saved.id }))!;
        const label = `${p.service.environment.project.name}/pr-${pr.number}`;
        await recordAudit(tx, actor, {
          teamId,
          action: `preview.${pr.action}`,
          target: { type: "preview", id: p.id, label },
          data: { commit: pr.headSha, author: pr.author, fromFork: pr.fromFork, authorIsMember, headRef: pr.headRef },
        });
        if (needsApproval(p)) {
          await tx.preview.update({ where: { id: p.id }, data: { status: "waiting" } });
          const why = pr.fromFork ? "it comes from a fork" : `${pr.author} is not a developer of the team`;
          return {
            outcome: { status: 202, body: { preview: p.id, waiting: `waiting: ${why}; a developer approves ${pr.headSha.slice(0, 12)} in Berth` } },
            previewId: p.id,
          };
        }
        const q = await queuePreviewDeployments(tx, forDeploy(p), actor);
        return { outcome: { status: 201, body: { preview: p.id, deployment: q.deploymentId, number: q.number } }, previewId: p.id, nudges: q.nudges };
      },
      { maxWait: 10_000, timeout: 30_000 },
    ),
  );
  if (out.close && out.previewId) {
    const reason = pr.merged ? "pull request merged" : "pull request closed";
    await teardownPreview(out.previewId, actor, reason);
    return out.outcome;
  }
  for (const n of out.nudges ?? []) await nudgeScheduler(n);
  if (out.previewId) await tellPullRequest(out.previewId);
  return out.outcome;
}
