// Keeping images for rollback: the service's newest `keepReleases` releases (and the live one) keep their
// image tags; older releases lose theirs on the host, which deletes images Berth built once unused, and their
// manifests in Berth's registry (registry-gc.ts).
import { db } from "@/lib/db";
import { sendToHost } from "@/lib/hosts/call-host";
import { releasePruneJob } from "@/lib/jobs/host-jobs";
import { forgetPrunedReleases } from "./registry-gc";

export async function pruneOldReleases(serviceId: string) {
  const s = await db.service.findUniqueOrThrow({ where: { id: serviceId }, select: { keepReleases: true, liveDeploymentId: true } });
  const releases = await db.deployment.findMany({
    where: { serviceId, status: "LIVE", imagePrunedAt: null, imageTag: { not: null }, hostId: { not: null } },
    orderBy: { finishedAt: "desc" },
    select: { id: true, imageTag: true, hostId: true },
  });
  const old = releases.slice(s.keepReleases).filter((r) => r.id !== s.liveDeploymentId);
  if (!old.length) return [];
  await db.deployment.updateMany({ where: { id: { in: old.map((r) => r.id) } }, data: { imagePrunedAt: new Date() } });
  const byHost = new Map<string, string[]>();
  for (const r of old) byHost.set(r.hostId!, [...(byHost.get(r.hostId!) ?? []), r.imageTag!]);
  for (const [hostId, tags] of byHost) await sendToHost(hostId, releasePruneJob, { tags });
  void forgetPrunedReleases(old.map((r) => r.id)).catch((e) => console.error("registry: forgetting pruned releases failed:", (e as Error).message));
  return old.map((r) => r.id);
}
