// The server's host and container rows in the terms live patches use (times ISO, bytes as numbers), so a client
// table can take both.
import type { ContainerRow } from "@/components/live/patch-containers";
import type { HostRow } from "@/components/live/patch-hosts";
import type { ContainerPatch } from "@/lib/live/channels";

type HostRecord = Omit<HostRow, "statusSince" | "lastHeartbeatAt" | "lastSnapshotAt" | "memTotalBytes" | "memUsedBytes" | "containers"> & {
  statusSince: Date;
  lastHeartbeatAt: Date | null;
  lastSnapshotAt: Date | null;
  memTotalBytes: bigint | null;
  memUsedBytes: bigint | null;
};

const iso = (d: Date | null) => d?.toISOString() ?? null;
const num = (b: bigint | null) => (b === null ? null : Number(b));

export function toHostRow(h: HostRecord, containers: Record<string, number> = {}): HostRow {
  return {
    id: h.id,
    name: h.name,
    isLocal: h.isLocal,
    status: h.status,
    statusSince: h.statusSince.toISOString(),
    lastHeartbeatAt: iso(h.lastHeartbeatAt),
    lastSnapshotAt: iso(h.lastSnapshotAt),
    cpuCount: h.cpuCount,
    cpuPercent: h.cpuPercent,
    memTotalBytes: num(h.memTotalBytes),
    memUsedBytes: num(h.memUsedBytes),
    agentVersion: h.agentVersion,
    dockerVersion: h.dockerVersion,
    protocolProblem: h.protocolProblem,
    containers,
  };
}

type ContainerRecord = Omit<ContainerPatch, "reportedAt" | "ports" | "labels" | "state"> & { state: string; reportedAt: Date; ports: unknown; labels: unknown };

/** Only Berth's labels go to the page (what it shows of them); a container may carry many others. */
function berthOnly(labels: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((labels ?? {}) as Record<string, string>).filter(([k]) => k.startsWith("berth.")));
}

export function toContainerRow(c: ContainerRecord, act: boolean): ContainerRow {
  return {
    dockerId: c.dockerId,
    name: c.name,
    image: c.image,
    state: c.state as ContainerPatch["state"],
    status: c.status,
    health: c.health,
    ports: c.ports as ContainerPatch["ports"],
    labels: berthOnly(c.labels),
    reportedAt: c.reportedAt.toISOString(),
    act,
  };
}
