// The container page's details, taken from `docker inspect`, environment as names only.
import type Dockerode from "dockerode";
import type { ContainerDetails } from "@/lib/hosts/results";

export function containerDetails(info: Dockerode.ContainerInspectInfo): ContainerDetails {
  const asList = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
  return {
    image: info.Config.Image,
    command: asList(info.Config.Cmd),
    entrypoint: asList(info.Config.Entrypoint),
    created: info.Created,
    restartPolicy: info.HostConfig.RestartPolicy?.Name || "no",
    tty: Boolean(info.Config.Tty),
    networks: Object.entries(info.NetworkSettings.Networks ?? {}).map(([name, n]) => ({ name, ip: n.IPAddress || null })),
    mounts: (info.Mounts ?? []).map((m) => ({
      type: m.Type ?? "volume",
      source: m.Source ?? m.Name ?? "",
      destination: m.Destination,
      readOnly: m.RW === false,
    })),
    envNames: (info.Config.Env ?? []).map((e) => e.split("=")[0]!),
  };
}

/** Environment values: only sent when a developer or above asked to reveal them. */
export function containerEnv(info: Dockerode.ContainerInspectInfo): { name: string; value: string }[] {
  return (info.Config.Env ?? []).map((e) => {
    const i = e.indexOf("=");
    return i < 0 ? { name: e, value: "" } : { name: e.slice(0, i), value: e.slice(i + 1) };
  });
}
