// The "recreate" strategy's two moves (lib/deploy/image-rules.ts says when): stop the service's running
// containers to make room for the candidate (a host port only one may bind, a volume only one may write),
// and, when the candidate fails, start them again and point the service's route back at them.
import type Dockerode from "dockerode";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import type { RouteTable } from "./pipeline";

/** Stops the service's running containers (each with its own stop timeout); returns their ids. */
export async function stopPrevious(docker: Dockerode, serviceId: string): Promise<string[]> {
  const running = await docker.listContainers({ filters: { label: [`berth.service.id=${serviceId}`], status: ["running", "restarting"] } });
  for (const c of running)
    await docker
      .getContainer(c.Id)
      .stop()
      .catch(() => {});
  return running.map((c) => c.Id);
}

/** Starts them again; the route, if the service had one, follows the address the first one comes back with. */
export async function restartPrevious(docker: Dockerode, proxy: RouteTable, spec: DeploymentSpec, ids: string[], previousUpstream: string | null) {
  for (const id of ids) await docker.getContainer(id).start();
  if (!spec.route || !previousUpstream || !ids[0]) return;
  const info = await docker.getContainer(ids[0]).inspect();
  const ip = info.NetworkSettings.Networks[spec.network]?.IPAddress;
  const port = previousUpstream.slice(previousUpstream.lastIndexOf(":") + 1);
  if (ip) await proxy.setRoute(spec.route.id, spec.route.hosts, `${ip}:${port}`);
}
