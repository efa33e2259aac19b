// Runs a service from its sealed spec: in the environment's own network, labelled with its project,
// environment and service, with its named volumes namespaced per environment, replacing the service's
// previous container.
import type Dockerode from "dockerode";
import type { Redis } from "ioredis";
import { serviceSpec, specKey, type ServiceSpec } from "@/lib/hosts/service-spec";
import { checkOutboundHost, type OutboundPolicy } from "@/lib/net/outbound";
import { imageRegistry } from "@/lib/net/targets";
import { volumeName } from "@/lib/deploy/names";
import type { AgentConfig } from "./config";
import { readSealedSpec } from "./sealed-spec";
import { toDockerError } from "./docker/errors";
import { ensureNetwork } from "./docker/networks";

/** Pulls the image unless the host has it; a registry the user named must pass the outbound address policy. */
async function ensureImage(docker: Dockerode, image: string, policy: OutboundPolicy) {
  try {
    await docker.getImage(image).inspect();
  } catch {
    // Docker resolves the registry itself, so this checks but cannot pin (a rebinding answer between the two
    // remains possible); Docker Hub, the default, is no user's choice of address.
    const registry = imageRegistry(image);
    if (registry) {
      const check = await checkOutboundHost(registry.host, policy);
      if (!check.ok) throw new Error(`Refused registry for ${image}: ${check.error}`);
    }
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  }
}

export async function readSpec(redis: Redis, cfg: AgentConfig, serviceId: string, nonce: string): Promise<ServiceSpec> {
  const spec = await readSealedSpec(redis, cfg, specKey(cfg.prefix, cfg.hostId, nonce), serviceSpec, "The deployment's spec has expired or was already used.");
  if (spec.serviceId !== serviceId) throw new Error("The deployment's spec is for another service.");
  return spec;
}

export async function deployService(docker: Dockerode, spec: ServiceSpec): Promise<{ containerId: string }> {
  try {
    await ensureNetwork(docker, spec.network, { "berth.managed": "true" });
    await ensureImage(docker, spec.image, { allowPrivateNetworks: spec.allowPrivateNetworks });
    const old = await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${spec.serviceId}`] } });
    for (const c of old) await docker.getContainer(c.Id).remove({ force: true });
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string }[]> = {};
    for (const p of spec.ports) {
      exposed[`${p.container}/${p.protocol}`] = {};
      if (p.host) bindings[`${p.container}/${p.protocol}`] = [{ HostPort: String(p.host) }];
    }
    const container = await docker.createContainer({
      name: spec.containerName,
      Image: spec.image,
      Cmd: spec.command.length ? spec.command : undefined,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      ExposedPorts: exposed,
      HostConfig: {
        RestartPolicy: { Name: spec.restartPolicy === "no" ? "" : spec.restartPolicy },
        PortBindings: bindings,
        // Namespaced here, on the host, whatever the control plane sent: no name reaches another environment's.
        Mounts: spec.volumes.map((v) => ({ Type: "volume" as const, Source: volumeName(spec.environmentId, v.source), Target: v.target, ReadOnly: v.readOnly })),
        NetworkMode: spec.network,
      },
    });
    await container.start();
    return { containerId: container.id };
  } catch (e) {
    throw toDockerError(e);
  }
}
