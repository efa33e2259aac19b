// Worker side: an agent's report on one of its deployments, applied through the state machine. Reports
// from another host, for an unknown deployment, or that would move backwards are dropped. When a
// deployment ends, its log is copied from Redis into Postgres; when it goes live, it becomes the service's
// live release and releases beyond the service's limit lose their images.
import { masterKeysFromEnv, open } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { canMove, isTerminal, withStep } from "@/lib/deploy/states";
import { env as appEnv } from "@/lib/env";
import { deploymentLogKey } from "@/lib/hosts/deployment-spec";
import type { DeploymentReport, ReleaseReport } from "@/lib/hosts/protocol";
import { releaseRepository } from "@/lib/deploy/names";
import { sendToHost } from "@/lib/hosts/call-host";
import { serviceRemoveJob } from "@/lib/jobs/host-jobs";
import { notifyDeploymentEnded } from "@/lib/data/notifications/deployment-alerts";
import { adminRedis } from "@/lib/redis/admin";
import { finalLog } from "./log-stream";
import { recordReportedHostKeys } from "../git-host-keys";
import { fingerprint } from "../resolved-config";
import { leaseMs } from "./lease";
import { pruneOldReleases } from "./prune";
import { forgetPrunedReleases } from "./registry-gc";
import { configAad } from "./spec";
import { previewDeploymentEnded } from "../previews/status";

/** A reused image's commit comes without its message (nothing was cloned): the deployment that built it had it. */
async function commitColumns(serviceId: string, c: NonNullable<DeploymentReport["commit"]>) {
  if (c.message || c.author) return { commitSha: c.sha, commitMessage: c.message, commitAuthor: c.author };
  const earlier = await db.deployment.findFirst({
    where: { serviceId, commitSha: c.sha, commitMessage: { not: null } },
    orderBy: { number: "desc" },
    select: { commitMessage: true, commitAuthor: true },
  });
  return { commitSha: c.sha, commitMessage: earlier?.commitMessage ?? "", commitAuthor: earlier?.commitAuthor ?? "" };
}

export type DeploymentOutcome = { teamId: string; serviceId: string; hostId: string; ended: boolean } | null;

export async function applyDeploymentReport(hostId: string, r: DeploymentReport): Promise<DeploymentOutcome> {
  const d = await db.deployment.findFirst({
    where: { id: r.deploymentId, hostId },
    select: { id: true, teamId: true, serviceId: true, status: true, steps: true, cancelRequested: true, config: true },
  });
  if (!d || !canMove(d.status, r.status)) return null;
  const now = new Date();
  const ended = isTerminal(r.status);
  const log = ended ? await finalLog(hostId, d.id) : undefined;
  const commit = r.commit ? await commitColumns(d.serviceId, r.commit) : {};
  let movedFrom: string | null = null; // the host the service's live release ran on before (it moved)
  const moved = await db.$transaction(async (tx) => {
    const { count } = await tx.deployment.updateMany({
      where: { id: d.id, status: d.status }, // nobody moved it meanwhile (a lease expiry, a cancel)
      data: {
        status: r.status,
        steps: withStep(d.steps, r.status, now),
        ...commit,
        ...(r.imageId ? { imageId: r.imageId } : {}),
        ...(r.error ? { error: r.error } : {}),
        leaseExpiresAt: ended ? null : new Date(now.getTime() + leaseMs()),
        ...(ended ? { finishedAt: now, log } : {}),
      },
    });
    if (count === 0) return false;
    await recordReportedHostKeys(tx, d.serviceId, r);
    await notifyDeploymentEnded(tx, d, r.status, r.error);
    if (r.status === "LIVE") {
      const before = await tx.service.findUnique({ where: { id: d.serviceId }, select: { liveDeployment: { select: { hostId: true } } } });
      const was = before?.liveDeployment?.hostId;
      if (was && was !== hostId) movedFrom = was;
      const config = d.config ? (JSON.parse(open(d.config, configAad(d.id), masterKeysFromEnv())) as { env: Record<string, string> }) : { env: {} };
      await tx.service.update({
        where: { id: d.serviceId },
        data: { liveDeploymentId: d.id, deployedAt: now, deployedConfig: Object.fromEntries(Object.entries(config.env).map(([k, v]) => [k, fingerprint(v)])) },
      });
    }
    return true;
  });
  if (!moved) return null;
  // Viewers still following the stream get a minute to catch up before it goes.
  if (ended)
    await adminRedis()
      .expire(deploymentLogKey(appEnv.queuePrefix, hostId, d.id), 60)
      .catch(() => 0);
  // The old host's convergence removes what it ran once it sees the new release live; this makes it sooner.
  if (movedFrom)
    await sendToHost(movedFrom, serviceRemoveJob, { serviceId: d.serviceId }).catch((e) =>
      console.error(`control: telling host ${movedFrom} that ${d.serviceId} moved failed: ${(e as Error).message}`),
    );
  if (r.status === "LIVE") await pruneOldReleases(d.serviceId).catch((e) => console.error(`control: pruning releases of ${d.serviceId} failed:`, e));
  if (ended) await previewDeploymentEnded(d.id).catch((e) => console.error(`control: preview status of ${d.id} failed:`, e));
  return { teamId: d.teamId, serviceId: d.serviceId, hostId, ended };
}

/**
 * The push of a live release to Berth's registry (it follows LIVE, apart from the deployment): its repository
 * and digest, which promotions and rollbacks elsewhere pull, or why it failed. Only the host that ran the
 * release may say, and only of its own repository; the status never changes. Applying it twice changes nothing.
 */
export async function applyReleaseReport(hostId: string, r: ReleaseReport): Promise<DeploymentOutcome> {
  const d = await db.deployment.findFirst({
    where: { id: r.deploymentId, hostId, status: "LIVE" },
    select: { id: true, teamId: true, serviceId: true, imagePrunedAt: true },
  });
  if (!d) return null;
  if (r.repository && r.digest) {
    if (r.repository !== releaseRepository(d.teamId, hostId, d.serviceId)) {
      console.error(`control: host ${hostId} reported ${d.id} pushed to ${r.repository}, not its own repository; ignored`);
      return null;
    }
    await db.deployment.update({ where: { id: d.id }, data: { registryRepo: r.repository, imageDigest: r.digest, pushError: null } });
    if (d.imagePrunedAt) void forgetPrunedReleases([d.id]); // pruned while it was being pushed
  } else {
    // A failure never hides a push that did succeed.
    const error = r.error ?? "The host reported the push without its digest.";
    await db.deployment.updateMany({ where: { id: d.id, imageDigest: null }, data: { pushError: error } });
  }
  return { teamId: d.teamId, serviceId: d.serviceId, hostId, ended: false };
}
