// Removing old releases' tags. Only Berth's own release tags (berth-<service id>:<n>, checked by the job's
// schema), and then the build tags of images no release tags any more, are touched: Docker deletes the image
// with its last tag, keeps it while another tag (the user's, another release's) or a container still uses it.
import type Dockerode from "dockerode";
import { dropUnreleasedBuildTags } from "../build/image-cache";
import { dockerMessage } from "../docker/errors";

export async function pruneReleaseTags(docker: Dockerode, tags: string[]) {
  const removed: string[] = [];
  const kept: { tag: string; reason: string }[] = [];
  for (const tag of tags) {
    const info = await docker
      .getImage(tag)
      .inspect()
      .catch(() => null);
    if (!info) {
      removed.push(tag); // already gone
      continue;
    }
    await docker
      .getImage(tag)
      .remove()
      .then(() => removed.push(tag))
      .catch((e) => kept.push({ tag, reason: dockerMessage(e) }));
  }
  // Build tags (image-cache.ts) of images no release tags any more go as well, so the images do.
  for (const repo of new Set(removed.map((t) => t.slice(0, t.indexOf(":"))))) {
    await dropUnreleasedBuildTags(docker, repo.slice("berth-".length)).catch(() => {});
  }
  return { removed, kept };
}
