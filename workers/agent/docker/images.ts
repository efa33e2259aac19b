// Images on the host and which containers use them, so the console can say why an image cannot go.
import type Dockerode from "dockerode";
import { toDockerError } from "./errors";
import type { ImageSummary } from "@/lib/hosts/results";

export type { ImageSummary };

export async function listImages(docker: Dockerode): Promise<ImageSummary[]> {
  let images: Dockerode.ImageInfo[];
  let containers: Dockerode.ContainerInfo[];
  try {
    [images, containers] = await Promise.all([docker.listImages(), docker.listContainers({ all: true })]);
  } catch (err) {
    throw toDockerError(err);
  }
  const byImage = new Map<string, { id: string; name: string }[]>();
  for (const c of containers) {
    const users = byImage.get(c.ImageID) ?? [];
    users.push({ id: c.Id, name: (c.Names?.[0] ?? "").replace(/^\//, "") });
    byImage.set(c.ImageID, users);
  }
  return images.map((img) => ({
    id: img.Id,
    // Untagged images are listed as "<none>:<none>" (or null on some versions).
    tags: (img.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
    sizeBytes: img.Size,
    createdAt: new Date(img.Created * 1000).toISOString(),
    containers: byImage.get(img.Id) ?? [],
  }));
}

/** Removes an image (never forced); a conflict throws Docker's explanation, e.g. which container uses it. */
export async function removeImage(docker: Dockerode, id: string): Promise<void> {
  try {
    await docker.getImage(id).remove({ force: false, noprune: false });
  } catch (err) {
    throw toDockerError(err);
  }
}
