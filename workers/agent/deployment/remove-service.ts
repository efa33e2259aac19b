// Everything a service had on this host, once it was deleted or moved away: its containers (live and
// candidates), its proxy route and its release tags (images go with their last tag, unless something else
// still uses them). Only what this host's agent made: containers labelled with its host id (or with none,
// from before the label), the route if it names this host (or none); on an engine another host's agent uses
// too (tests), an image one of that host's containers runs keeps its tags.
import type Dockerode from "dockerode";
import { imageRepository, routeId } from "@/lib/deploy/names";
import type { RouteTable } from "./pipeline";

export async function removeService(docker: Dockerode, proxy: RouteTable & { removeRoute(id: string): Promise<void> }, serviceId: string, hostId: string) {
  const all = await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`] } });
  const ours = (c: Dockerode.ContainerInfo) => (c.Labels["berth.host.id"] ?? hostId) === hostId;
  const containers = all.filter(ours);
  for (const c of containers)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  const route = (await proxy.listRoutes()).find((r) => r.id === routeId(serviceId)) as { owner?: string | null } | undefined;
  if (route && (route.owner ?? hostId) === hostId) await proxy.removeRoute(routeId(serviceId));
  const othersImages = new Set(all.filter((c) => !ours(c)).map((c) => c.ImageID));
  const repo = imageRepository(serviceId);
  const tags = (await docker.listImages({ filters: { reference: [`${repo}:*`] } }))
    .filter((i) => !othersImages.has(i.Id))
    .flatMap((i) => (i.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`)));
  for (const t of tags)
    await docker
      .getImage(t)
      .remove()
      .catch(() => {});
  return { containers: containers.length, tags: tags.length };
}
