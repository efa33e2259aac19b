// Containers as the console sees them (the protocol's ContainerSummary) and the actions users run on them.
import type Dockerode from "dockerode";
import { CONTAINER_STATES, type ContainerAction, type ContainerSummary } from "@/lib/hosts/protocol";
import { DockerError, statusCodeOf, toDockerError } from "./errors";

const INSPECT_CONCURRENCY = 8;
type ContainerState = ContainerSummary["state"];
type Health = ContainerSummary["health"];

/** Docker writes "0001-01-01T00:00:00Z" for a time that never happened. */
export function isoTime(value: string | undefined | null): string | null {
  if (!value || value.startsWith("0001-01-01")) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** go-units' HumanDuration, which `docker ps` uses for "Up 5 minutes". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

type StateInfo = {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  Dead: boolean;
  ExitCode: number;
  StartedAt: string;
  FinishedAt: string;
  Health?: { Status: string };
};

/** The STATUS column of `docker ps`, after the Engine's State.String() (moby container/state.go). */
export function describeState(s: StateInfo, now = Date.now()): string {
  const started = isoTime(s.StartedAt);
  const finished = isoTime(s.FinishedAt);
  const since = (iso: string | null) => humanDuration(iso ? now - Date.parse(iso) : 0);
  if (s.Running) {
    if (s.Paused) return `Up ${since(started)} (Paused)`;
    if (s.Restarting) return `Restarting (${s.ExitCode}) ${since(finished)} ago`;
    const health = healthOf(s);
    if (health) return `Up ${since(started)} (${health === "starting" ? "health: starting" : health})`;
    return `Up ${since(started)}`;
  }
  if (s.Status === "removing") return "Removal In Progress";
  if (s.Dead) return "Dead";
  if (!started) return "Created";
  if (!finished) return "";
  return `Exited (${s.ExitCode}) ${since(finished)} ago`;
}

function healthOf(s: Pick<StateInfo, "Health">): Health {
  const status = s.Health?.Status;
  return status === "starting" || status === "healthy" || status === "unhealthy" ? status : null;
}

function stateOf(status: string): ContainerState {
  // The Engine only uses these seven; anything else would be a newer daemon, shown as the closest safe word.
  return (CONTAINER_STATES as readonly string[]).includes(status) ? (status as ContainerState) : "dead";
}

type PortBindings = Record<string, { HostIp: string; HostPort: string }[] | null> | null | undefined;

/** One entry per host binding; an exposed but unpublished port gets one entry with publicPort null. */
export function portsOf(ports: PortBindings): ContainerSummary["ports"] {
  const out: ContainerSummary["ports"] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, type = "tcp"] = key.split("/");
    const privatePort = Number(port);
    if (!Number.isInteger(privatePort)) continue;
    if (!bindings?.length) {
      out.push({ privatePort, publicPort: null, type, ip: null });
      continue;
    }
    for (const b of bindings) {
      const publicPort = b.HostPort ? Number(b.HostPort) : NaN;
      out.push({ privatePort, publicPort: Number.isInteger(publicPort) ? publicPort : null, type, ip: b.HostIp || null });
    }
  }
  return out.sort((a, b) => a.privatePort - b.privatePort || a.type.localeCompare(b.type) || (a.publicPort ?? 0) - (b.publicPort ?? 0));
}

export function summaryFromInspect(info: Dockerode.ContainerInspectInfo, now = Date.now()): ContainerSummary {
  const s = info.State;
  const state = stateOf(s.Status);
  // An exit code only means something once the container has stopped at least once.
  const exited = state === "exited" || state === "dead" || state === "restarting";
  return {
    dockerId: info.Id,
    name: info.Name.replace(/^\//, ""),
    image: info.Config.Image,
    imageId: info.Image,
    command: [info.Path, ...(info.Args ?? [])].join(" "),
    state,
    status: describeState(s, now),
    health: healthOf(s),
    ports: portsOf(info.NetworkSettings?.Ports as PortBindings),
    labels: info.Config.Labels ?? {},
    createdAt: isoTime(info.Created) ?? info.Created,
    startedAt: isoTime(s.StartedAt),
    finishedAt: isoTime(s.FinishedAt),
    exitCode: exited ? s.ExitCode : null,
    restartPolicy: info.HostConfig.RestartPolicy?.Name || "no",
  };
}

export async function inspectSummary(docker: Dockerode, id: string): Promise<ContainerSummary | null> {
  try {
    return summaryFromInspect(await docker.getContainer(id).inspect());
  } catch (err) {
    if (statusCodeOf(err) === 404) return null;
    throw toDockerError(err);
  }
}

export async function listSummaries(docker: Dockerode): Promise<ContainerSummary[]> {
  let list: Dockerode.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true });
  } catch (err) {
    throw toDockerError(err);
  }
  const results: (ContainerSummary | null)[] = new Array(list.length).fill(null);
  let next = 0;
  // A few inspects at a time: a host with hundreds of containers must not flood the Engine.
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      results[i] = await inspectSummary(docker, list[i].Id); // null: removed since the list was taken
    }
  };
  await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, list.length) }, worker));
  return results.filter((r): r is ContainerSummary => r !== null);
}

export async function runContainerAction(docker: Dockerode, id: string, action: ContainerAction): Promise<void> {
  const c = docker.getContainer(id);
  try {
    switch (action) {
      case "start":
        return void (await c.start());
      case "stop":
        return void (await c.stop());
      case "restart":
        return void (await c.restart());
      case "kill":
        return void (await c.kill());
      case "remove":
        return void (await c.remove({ force: false, v: false }));
      default: {
        const never: never = action;
        throw new DockerError(`unknown container action ${String(never)}`, null);
      }
    }
  } catch (err) {
    // 304 "already started" / "already stopped": the container is already where the user wants it.
    if (statusCodeOf(err) === 304 && (action === "start" || action === "stop")) return;
    throw toDockerError(err);
  }
}
