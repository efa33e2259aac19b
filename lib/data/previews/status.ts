// A preview's status follows its pull request's deployment: this is the one place that maps one onto the
// other. `waiting` (gated, unapproved) and `closed` are set by the lifecycle; `deploying` when a deployment
// of the head commit is queued; `ready`/`failed` when that deployment ends (deployments/report.ts, lease.ts
// and dispatch.ts call previewDeploymentEnded once the end committed); one that ended otherwise (its host was
// removed, a cancel) is caught up with when the team's previews are listed (settleDeployingPreviews).
import { db } from "@/lib/db";
import { serviceHostnames, serviceUrls } from "@/lib/deploy/names";
import { env as appEnv } from "@/lib/env";
import { postPreviewStatus } from "./commit-status";

export type PreviewStatus = "waiting" | "deploying" | "ready" | "failed" | "closed";

export function statusOfDeployment(status: string): PreviewStatus {
  if (status === "LIVE") return "ready";
  if (status === "FAILED" || status === "CANCELLED") return "failed";
  return "deploying";
}

/** Tells the pull request (a commit status, where a token is configured). Best effort: never throws. */
export async function tellPullRequest(previewId: string): Promise<void> {
  await postPreviewStatus(previewId).catch((e) => console.error(`previews: the status of ${previewId} was not posted: ${(e as Error).message}`));
}

/** The preview's URL: its pull request service's generated route in the preview environment. */
export async function previewUrl(serviceId: string): Promise<string | null> {
  const s = await db.service.findUnique({
    where: { id: serviceId },
    select: {
      id: true,
      name: true,
      httpPort: true,
      host: { select: { baseDomain: true } },
      environment: { select: { slug: true, project: { select: { slug: true } } } },
    },
  });
  if (!s?.host || !s.httpPort) return null;
  return serviceUrls(serviceHostnames(s, s.host.baseDomain, []), appEnv.proxyHttpPort)[0] ?? null;
}

/**
 * A deployment ended: when it is the preview's build of its current head commit, the preview becomes
 * ready (with its URL) or failed. Older builds of earlier commits change nothing.
 */
export async function previewDeploymentEnded(deploymentId: string): Promise<void> {
  const d = await db.deployment.findUnique({
    where: { id: deploymentId },
    select: { status: true, requestedCommit: true, serviceId: true, service: { select: { name: true, environmentId: true } } },
  });
  if (!d?.requestedCommit) return;
  const p = await db.preview.findFirst({
    where: { environmentId: d.service.environmentId, headSha: d.requestedCommit, status: "deploying", service: { name: d.service.name } },
    select: { id: true },
  });
  if (!p) return;
  const status = statusOfDeployment(d.status);
  if (status === "deploying") return;
  const url = status === "ready" ? await previewUrl(d.serviceId) : undefined;
  const { count } = await db.preview.updateMany({
    where: { id: p.id, status: "deploying", headSha: d.requestedCommit },
    data: { status, ...(url ? { url } : {}) },
  });
  if (count) await tellPullRequest(p.id);
}

/** Catches up with "deploying" previews of the team whose head's deployment has ended meanwhile. */
export async function settleDeployingPreviews(teamId: string): Promise<void> {
  const deploying = await db.preview.findMany({
    where: { teamId, status: "deploying", environmentId: { not: null } },
    select: { environmentId: true, headSha: true, service: { select: { name: true } } },
  });
  for (const p of deploying) {
    const d = await db.deployment.findFirst({
      where: { requestedCommit: p.headSha, service: { environmentId: p.environmentId!, name: p.service.name } },
      orderBy: { number: "desc" },
      select: { id: true, status: true },
    });
    if (d && statusOfDeployment(d.status) !== "deploying") await previewDeploymentEnded(d.id);
  }
}
