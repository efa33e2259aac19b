// Removing old releases' tags. Only tags of images Berth built (label berth.built=true) are touched;
// Docker deletes an image with its last tag, and refuses while a container still uses it.
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
    if (info.Config?.Labels?.["berth.built"] !== "true") {
      kept.push({ tag, reason: "not built by Berth" });
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
