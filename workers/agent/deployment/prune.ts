// Removing old releases' tags. Only Berth's own release tags (berth-<service id>:<n>, checked by the job's
// schema) are touched: Docker deletes the image with its last tag, keeps it while another tag (the user's,
// another release's) or a container still uses it.
import type Dockerode from "dockerode";
import { dockerMessage } from "../docker/errors";

export async function pruneReleaseTags(docker: Dockerode, tags: string[]) {
  const removed: string[] = [];
  const kept: { tag: string; reason: string }[] = [];
  for (const tag of tags) {
    const info = await docker.getImage(tag).inspect().catch(() => null);
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
  return { removed, kept };
}
