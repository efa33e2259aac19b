// The candidate container of a deployment: started beside the live one under a temporary name, reachable
// by the host's proxy at its address on the environment's network. Promotion renames it to the stable name.
import type Dockerode from "dockerode";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { readLogs } from "../docker/logs";
import { ensureNetwork } from "../docker/networks";
import { runOptions } from "./run-options";

export const CANDIDATE_MARK = "-next-";
/** The port the release serves on, kept on its container: the route follows it, whatever the service says now. */
export const PORT_LABEL = "berth.port";
// Networks this agent made or found: one Engine call less per deployment. (Removed behind its back, the
// create below fails with Docker's message and the next deployment checks again.)
const knownNetworks = new Set<string>();

export function candidateName(spec: DeploymentSpec) {
  return `${spec.containerName}${CANDIDATE_MARK}${spec.deploymentId.slice(-8)}`.slice(0, 128);
}

export async function startCandidate(docker: Dockerode, spec: DeploymentSpec, image: string) {
  if (!knownNetworks.has(spec.network)) {
    await ensureNetwork(docker, spec.network, { "berth.managed": "true" });
    knownNetworks.add(spec.network);
  }
  const name = candidateName(spec);
  let container: Dockerode.Container | undefined;
  try {
    const run = runOptions(spec);
    container = await docker.createContainer({
      name,
      Image: image,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...spec.labels, "berth.deployment.id": spec.deploymentId, ...(spec.port ? { [PORT_LABEL]: String(spec.port) } : {}) },
      ...run,
      HostConfig: { ...run.HostConfig, NetworkMode: spec.network },
    });
    await container.start();
  } catch (e) {
    knownNetworks.delete(spec.network);
    await container?.remove({ force: true }).catch(() => {}); // created but not started: nothing half-made stays
    throw e;
  }
  const info = await container.inspect();
  // No address: it already stopped (a crash on start; with its restart policy it may be restarting), which
  // the pipeline reports with its last log lines.
  const ip = info.NetworkSettings.Networks[spec.network]?.IPAddress || null;
  return { container, id: info.Id, ip, exitCode: ip ? null : info.State.ExitCode };
}

/** Running, and never restarted since it started: a crash-looping container (its restart policy brings it back
 * each time) is seen as stopped, not as running most of the time. */
export async function isRunning(container: Dockerode.Container): Promise<boolean> {
  const info = await container.inspect().catch(() => null);
  return Boolean(info?.State.Running && !info.State.Restarting && !info.RestartCount);
}

/** The container's last lines of output (empty when they cannot be read). */
export async function lastLogLines(docker: Dockerode, id: string, n: number): Promise<string[]> {
  const lines = await readLogs(docker, id, { tail: n }).catch(() => []);
  return lines.map((l) => l.text.replace(/\s+$/, "")).filter(Boolean);
}

/** The service's other containers (the previous release, or an image-based predecessor). */
export async function previousContainers(docker: Dockerode, serviceId: string, keepId: string) {
  const all = await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`] } });
  return all.filter((c) => c.Id !== keepId);
}
