// Everything a deleted environment (or the project it was in) had on this host: each of its services as
// remove-service.ts removes one (containers, proxy route, release tags), then the environment's network.
// Only networks Berth made (label berth.managed=true) are removed, every one of that exact name (Docker
// allows duplicates); one that a container still uses is left, and said so.
import type Dockerode from "dockerode";
import type { RouteTable } from "./pipeline";
import { removeService } from "./remove-service";

export async function removeEnvironment(
  docker: Dockerode,
  proxy: RouteTable & { removeRoute(id: string): Promise<void> },
  serviceIds: string[],
  network: string,
  hostId: string,
) {
  let containers = 0;
  let tags = 0;
  for (const id of serviceIds) {
    const r = await removeService(docker, proxy, id, hostId);
    containers += r.containers;
    tags += r.tags;
  }
  return { containers, tags, network: await removeNetwork(docker, network) };
}

/** "removed", "absent" (none of that name Berth made) or "in use" (a container still attached). */
export async function removeNetwork(docker: Dockerode, name: string): Promise<"removed" | "absent" | "in use"> {
  // Docker's name filter also matches parts of names.
  const ours = (await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name && n.Labels?.["berth.managed"] === "true");
  let outcome: "removed" | "absent" | "in use" = "absent";
  for (const n of ours) {
    try {
      await docker.getNetwork(n.Id).remove();
      if (outcome === "absent") outcome = "removed";
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404) continue; // removed meanwhile
      if (status === 403 || status === 409)
        outcome = "in use"; // active endpoints
      else throw e;
    }
  }
  return outcome;
}
