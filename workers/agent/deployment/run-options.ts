// How a deployment's container runs, from its spec: an image service's command, ports, named volumes
// (namespaced here, on the host, whatever the control plane sent: no name reaches another environment's)
// and restart policy; a git service's container exposes its one port and restarts unless stopped.
import type Dockerode from "dockerode";
import type { DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { volumeName } from "@/lib/deploy/names";

type Options = Pick<Dockerode.ContainerCreateOptions, "Cmd" | "ExposedPorts"> & { HostConfig: Dockerode.HostConfig };

export function runOptions(spec: DeploymentSpec): Options {
  const run = spec.run;
  if (!run) return { ExposedPorts: spec.port ? { [`${spec.port}/tcp`]: {} } : {}, HostConfig: { RestartPolicy: { Name: "unless-stopped" } } };
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const p of run.ports) {
    exposed[`${p.container}/${p.protocol}`] = {};
    if (p.host) bindings[`${p.container}/${p.protocol}`] = [{ HostPort: String(p.host) }];
  }
  if (spec.port) exposed[`${spec.port}/tcp`] = {};
  return {
    Cmd: run.command.length ? run.command : undefined,
    ExposedPorts: exposed,
    HostConfig: {
      RestartPolicy: { Name: run.restartPolicy === "no" ? "" : run.restartPolicy },
      PortBindings: bindings,
      Mounts: run.volumes.map((v) => ({ Type: "volume" as const, Source: volumeName(run.environmentId, v.source), Target: v.target, ReadOnly: v.readOnly })),
    },
  };
}
