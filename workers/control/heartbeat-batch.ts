// Heartbeats (every 4 s from every host) cost one write per round of the report stream instead of a transaction
// each: the control worker stages each host's latest heartbeat, and the stream's `flush` writes all of them at
// once (lib/data/host-reports.ts `applyHeartbeats`) before their entries are acknowledged (report-stream.ts).
// What they change is told two ways: a host that came online, or whose protocol problem ended, at once as a
// `host` patch; usage (CPU, memory, versions) coalesced per team, at most one `hosts` message a second, with
// only the hosts whose values changed as the page shows them (an idle host's heartbeats tell nobody anything).
import type { Redis } from "ioredis";
import { applyHeartbeats, type Heartbeat } from "@/lib/data/host-reports";
import { formatBytes, formatPercent } from "@/lib/format";
import type { HostPatch } from "@/lib/live/channels";
import { publishLive } from "@/lib/live/publish";

const USAGE_EVERY_MS = 1000;

export function createHeartbeatBatch(redis: Redis, log: (m: string) => void) {
  let queued = new Map<string, Heartbeat>();
  const shown = new Map<string, string>(); // host → its usage as last told, as the page shows it
  const untold = new Map<string, Map<string, HostPatch>>(); // team → host → usage not told yet

  function noteUsage(teamId: string | null, b: Heartbeat, at: Date) {
    if (!teamId) return;
    const f = b.facts;
    const looks = [formatPercent(f.cpuPercent), f.cpuCount, formatBytes(f.memUsedBytes), formatBytes(f.memTotalBytes), f.agentVersion, f.dockerVersion].join(
      "|",
    );
    if (shown.get(b.hostId) === looks) return;
    shown.set(b.hostId, looks);
    const team = untold.get(teamId) ?? new Map<string, HostPatch>();
    untold.set(teamId, team);
    team.set(b.hostId, {
      id: b.hostId,
      lastHeartbeatAt: at.toISOString(),
      cpuCount: f.cpuCount,
      cpuPercent: f.cpuPercent,
      memTotalBytes: Math.round(f.memTotalBytes),
      memUsedBytes: Math.round(f.memUsedBytes),
      agentVersion: f.agentVersion,
      dockerVersion: f.dockerVersion,
    });
  }

  async function tellUsage() {
    const teams = [...untold];
    untold.clear();
    for (const [teamId, hosts] of teams) await publishLive(redis, teamId, { kind: "hosts", hosts: [...hosts.values()] });
  }
  const timer = setInterval(() => void tellUsage().catch((e) => log(`telling hosts' usage failed: ${(e as Error).message}`)), USAGE_EVERY_MS);

  return {
    /** Queues a host's heartbeat; a newer one of the same host replaces it (both renew their deployments' leases). */
    stage(b: Heartbeat) {
      const before = queued.get(b.hostId);
      queued.set(b.hostId, before ? { ...b, deployments: [...new Set([...before.deployments, ...b.deployments])] } : b);
    },

    /** Writes every queued heartbeat (the queue is emptied either way: a failed write is read again from the stream). */
    async flush() {
      if (queued.size === 0) return;
      const beats = queued;
      queued = new Map();
      const now = new Date();
      const { applied, refused } = await applyHeartbeats([...beats.values()], now);
      for (const r of refused) log(`dropped a heartbeat of host ${r.hostId}: ${r.why}`);
      for (const r of applied) {
        if (r.status) await publishLive(redis, r.teamId, { kind: "host", hostId: r.hostId, host: r.status });
        noteUsage(r.teamId, beats.get(r.hostId)!, now);
      }
    },

    /** Forgets hosts that no longer exist. */
    retain(hostIds: Set<string>) {
      for (const id of shown.keys()) if (!hostIds.has(id)) shown.delete(id);
    },

    close() {
      clearInterval(timer);
    },
  };
}
