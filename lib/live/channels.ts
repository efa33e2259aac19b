// Pushes from the control plane to browsers, per team. A message says what changed and, where a page can patch
// itself, carries the change: a host's status and usage, a container's row. A page that cannot patch (or has
// missed messages: a reconnect) re-reads through the data-access layer. The team's live stream is for members
// with `team.read`; everything a message carries is what `host.read` (the same least role) lists anyway, and no
// secret: container rows carry no environment.
import { z } from "zod";
import { CONTAINER_STATES } from "@/lib/hosts/protocol";

/** A host's changed columns, as the host list shows them (times ISO, bytes as numbers). Absent: unchanged. */
export const hostPatch = z.object({
  id: z.string(),
  status: z.enum(["PENDING", "ONLINE", "OFFLINE"]).optional(),
  statusSince: z.string().optional(),
  lastHeartbeatAt: z.string().nullable().optional(),
  lastSnapshotAt: z.string().nullable().optional(),
  cpuCount: z.number().int().nullable().optional(),
  cpuPercent: z.number().nullable().optional(),
  memTotalBytes: z.number().nullable().optional(),
  memUsedBytes: z.number().nullable().optional(),
  agentVersion: z.string().nullable().optional(),
  dockerVersion: z.string().nullable().optional(),
  protocolProblem: z.string().nullable().optional(),
  /** Its containers per state, when they changed (`running`, `exited`, ...). */
  containers: z.record(z.string(), z.number().int()).optional(),
});
export type HostPatch = z.infer<typeof hostPatch>;

/** A container's row as the containers list shows it. */
export const containerPatch = z.object({
  dockerId: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.enum(CONTAINER_STATES),
  status: z.string(),
  health: z.string().nullable(),
  ports: z.array(z.object({ privatePort: z.number(), publicPort: z.number().nullable(), type: z.string() })),
  labels: z.record(z.string(), z.string()),
  /** The agent's time of the report this row comes from (a page keeps the newer of two). */
  reportedAt: z.string(),
});
export type ContainerPatch = z.infer<typeof containerPatch>;

export const liveMessage = z.discriminatedUnion("kind", [
  /** One host changed (status, protocol problem, ...): `host` carries what changed. */
  z.object({ kind: z.literal("host"), hostId: z.string(), host: hostPatch.optional(), at: z.number() }),
  /** Heartbeat usage of many hosts, coalesced per team (at most about one message a second). */
  z.object({ kind: z.literal("hosts"), hosts: z.array(hostPatch), at: z.number() }),
  /**
   * A host's containers changed. `upserted`/`removed` when the change is known row by row (an event); `resync`
   * when the whole list may have changed (a snapshot that differed): re-read.
   */
  z.object({
    kind: z.literal("containers"),
    hostId: z.string(),
    upserted: z.array(containerPatch).optional(),
    removed: z.array(z.string()).optional(),
    resync: z.boolean().optional(),
    at: z.number(),
  }),
  /** A service's deployments changed (a step, a release); the deployment and its status when known. */
  z.object({
    kind: z.literal("deployment"),
    hostId: z.string(),
    serviceId: z.string().optional(),
    deploymentId: z.string().optional(),
    status: z.string().optional(),
    at: z.number(),
  }),
]);
export type LiveMessage = z.infer<typeof liveMessage>;
/** What a publisher gives; the time is added on publishing. */
export type LiveNews = LiveMessage extends infer M ? (M extends LiveMessage ? Omit<M, "at"> : never) : never;

export function teamChannel(teamId: string) {
  return `berth:live:team:${teamId}`;
}

/**
 * A stream's scope: the hosts its page shows (`?hosts=<id>,<id>`; empty: none). Without one, the whole team's
 * news. Host ids are cuids; a page shows at most a few hundred hosts.
 */
export const liveHostsScope = z
  .string()
  .max(40_000)
  .transform((s) => (s === "" ? [] : s.split(",")))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be host ids separated by commas")).max(500, "may name at most 500 hosts"));

/**
 * What of `msg` a stream scoped to `hosts` carries (null: nothing). The frequent news about one host, its
 * heartbeat usage, its container rows and its counts per state, goes only to pages that show that host: at
 * 1,000 hosts every page was sent every host's usage each second, and every container change's new counts. Of
 * another host a page is sent what may move it onto the page: its status (a list filtered by status) and
 * news without a patch (added, removed, renamed). Deployments always pass. `hosts` null: all.
 */
export function scopeMessage(msg: LiveMessage, hosts: ReadonlySet<string> | null): LiveMessage | null {
  if (!hosts) return msg;
  if (msg.kind === "containers") return hosts.has(msg.hostId) ? msg : null;
  if (msg.kind === "host") return !msg.host || msg.host.status !== undefined || hosts.has(msg.hostId) ? msg : null;
  if (msg.kind !== "hosts") return msg;
  const shown = msg.hosts.filter((h) => hosts.has(h.id));
  if (shown.length === 0) return null;
  return shown.length === msg.hosts.length ? msg : { ...msg, hosts: shown };
}
