// Releases' images leave Berth's registry once nothing keeps them: a pruned release (unless a kept release of
// the same repository has the same digest: a rollback on its host pushes the same manifest again), and every
// release of a deleted service, environment or project. Best effort and never in the caller's way: each
// manifest is deleted in the background, a failure is logged, and the space comes back when the registry's
// garbage collection runs (lib/registry/client.ts).
import { db } from "@/lib/db";
import { deleteManifest } from "@/lib/registry/client";
import { berthRegistry } from "./registry";

export type RegistryImage = { repo: string; digest: string };

/** The pushed images of these releases, once each. */
export function registryImages(rows: { registryRepo: string | null; imageDigest: string | null }[]): RegistryImage[] {
  const seen = new Map<string, RegistryImage>();
  for (const r of rows) if (r.registryRepo && r.imageDigest) seen.set(`${r.registryRepo}@${r.imageDigest}`, { repo: r.registryRepo, digest: r.imageDigest });
  return [...seen.values()];
}

/** Starts deleting the manifests; resolves when all were tried (callers need not wait). */
export function forgetRegistryImages(images: RegistryImage[], why: string): Promise<void> {
  if (!images.length || !berthRegistry()) return Promise.resolve();
  return (async () => {
    for (const i of images) {
      try {
        await deleteManifest(i.repo, i.digest);
      } catch (e) {
        console.error(`registry: ${i.repo}@${i.digest} (${why}) was not deleted: ${(e as Error).message}`);
      }
    }
  })();
}

/** Pruned releases' images, except those a kept release of the same repository still names. */
export async function forgetPrunedReleases(releaseIds: string[]): Promise<void> {
  const pruned = registryImages(
    await db.deployment.findMany({ where: { id: { in: releaseIds }, imagePrunedAt: { not: null } }, select: { registryRepo: true, imageDigest: true } }),
  );
  if (!pruned.length) return;
  const kept = await db.deployment.findMany({
    where: { status: "LIVE", imagePrunedAt: null, registryRepo: { in: pruned.map((i) => i.repo) }, imageDigest: { in: pruned.map((i) => i.digest) } },
    select: { registryRepo: true, imageDigest: true },
  });
  const still = new Set(kept.map((k) => `${k.registryRepo}@${k.imageDigest}`));
  await forgetRegistryImages(
    pruned.filter((i) => !still.has(`${i.repo}@${i.digest}`)),
    "release pruned",
  );
}
