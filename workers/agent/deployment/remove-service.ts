// Everything a deleted git service had on this host: its containers (live and candidates), its proxy route
// and its release tags (images go with their last tag, unless something else still uses them).
import type Dockerode from "dockerode";
import { imageRepository, routeId } from "@/lib/deploy/names";
import type { RouteTable } from "./pipeline";

export async function removeService(docker: Dockerode, proxy: RouteTable & { removeRoute(id: string): Promise<void> }, serviceId: string) {
  const containers = await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`] } });
  for (const c of containers)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await proxy.removeRoute(routeId(serviceId));
  const repo = imageRepository(serviceId);
  const tags = (await docker.listImages({ filters: { reference: [`${repo}:*`] } })).flatMap((i) => (i.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`)));
  for (const t of tags)
    await docker
      .getImage(t)
      .remove()
      .catch(() => {});
  return { containers: containers.length, tags: tags.length };
}
