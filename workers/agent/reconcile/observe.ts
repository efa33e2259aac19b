// What this host has, for the convergence plan: the containers this agent made (labelled with its host id),
// Berth's proxy routes, and Berth's images (release and build tags). Three cheap reads (one Engine list each, one admin GET).
import type Dockerode from "dockerode";
import type { ReverseProxy } from "../proxy/caddy";
import type { Observed, SeenContainer } from "./plan";

export async function listOwnContainers(docker: Dockerode, hostId: string): Promise<SeenContainer[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? "").replace(/^\//, ""),
    imageId: c.ImageID,
    labels: c.Labels ?? {},
    state: c.State,
    status: c.Status,
    ips: Object.fromEntries(Object.entries(c.NetworkSettings?.Networks ?? {}).flatMap(([net, n]) => (n.IPAddress ? [[net, n.IPAddress]] : []))),
  }));
}

export async function observe(docker: Dockerode, proxy: ReverseProxy, hostId: string): Promise<Observed> {
  const [containers, routes, images] = await Promise.all([
    listOwnContainers(docker, hostId),
    proxy.listRoutes(),
    docker.listImages({ filters: { reference: ["berth-*"] } }),
  ]);
  return { containers, routes, images: images.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [] })) };
}
