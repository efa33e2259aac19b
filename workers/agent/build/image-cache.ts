// Images this host built, found again by what they were built from: a second tag on the image,
// berth-<service id>:<commit>-<settings hash>, where the hash covers the build settings (Dockerfile path and
// sub-directory). A tag, not a label: a label must be given to the build, and Docker's classic builder adds
// labels as a final step it never caches. A redeploy of a commit already built here with the same settings
// (a configuration change, a retry, a rollback by branch) then skips clone and build.
// The tag lives as long as a release uses the image: a deployment that built it and failed removes it, and
// pruning a service's last release tag on an image removes its build tags too, so the image goes.
import { createHash } from "node:crypto";
import type Dockerode from "dockerode";
import { imageRepository } from "@/lib/deploy/names";
import { validateDockerfilePath, validateSubdirectory } from "@/lib/git/validate";

/** Bumped when the build itself changes in a way that must not reuse older images. */
const BUILD_RECIPE = 1;
const RELEASE_TAG = /^\d+$/;

/** 12 hex digits naming the build settings, normalised as the build reads them ("./app/" is "app"). */
export function buildSettingsHash(s: { dockerfile: string; subdirectory: string }): string {
  const dockerfile = validateDockerfilePath(s.dockerfile);
  const subdirectory = validateSubdirectory(s.subdirectory);
  if (!dockerfile.ok) throw new Error(dockerfile.error);
  if (!subdirectory.ok) throw new Error(subdirectory.error);
  const canonical = JSON.stringify({ recipe: BUILD_RECIPE, dockerfile: dockerfile.path, subdirectory: subdirectory.path });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 12);
}

export function buildCacheTag(serviceId: string, commit: string, settingsHash: string): string {
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit) || !/^[0-9a-f]{12}$/.test(settingsHash)) throw new Error("not a commit and settings hash");
  return `${imageRepository(serviceId)}:${commit}-${settingsHash}`;
}

/** The image id under that tag, or null. */
export async function findBuiltImage(docker: Dockerode, tag: string): Promise<string | null> {
  const info = await docker
    .getImage(tag)
    .inspect()
    .catch(() => null);
  return info?.Id ?? null;
}

export async function tagImage(docker: Dockerode, imageId: string, tag: string): Promise<void> {
  const colon = tag.lastIndexOf(":");
  await docker.getImage(imageId).tag({ repo: tag.slice(0, colon), tag: tag.slice(colon + 1) });
}

/**
 * After release tags were removed: the build tags of `serviceId` on images that no release of that service
 * tags any more go too (the image with them, unless another tag or a container keeps it).
 */
export async function dropUnreleasedBuildTags(docker: Dockerode, serviceId: string): Promise<string[]> {
  const repo = imageRepository(serviceId);
  const images = await docker.listImages({ filters: { reference: [`${repo}:*`] } });
  const dropped: string[] = [];
  for (const image of images) {
    const mine = (image.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`)).map((t) => t.slice(repo.length + 1));
    if (mine.some((t) => RELEASE_TAG.test(t))) continue;
    for (const t of mine) {
      await docker
        .getImage(`${repo}:${t}`)
        .remove()
        .then(() => dropped.push(`${repo}:${t}`))
        .catch(() => {});
    }
  }
  return dropped;
}
