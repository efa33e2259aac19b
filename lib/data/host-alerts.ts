// Host offline / back notifications (issue #14), told inside the transaction that changed the host's status.
// A host belongs to no project: notify's routing gives its events only to rules not limited to a project or
// environment.
import type { db, Tx } from "@/lib/db";
import { listeningTeams, notify } from "@/lib/data/notifications/notify";

export type HostTransition = { hostId: string; teamId: string | null; statusSince: Date; detail?: string };
type HostEvent = "host.offline" | "host.online";

/** Once per transition: the key names the moment the new status began. Hosts of no team tell nobody. */
export async function notifyHostStatus(client: Tx | typeof db, event: HostEvent, t: HostTransition): Promise<number> {
  if (!t.teamId) return 0;
  const what = event === "host.offline" ? "offline" : "online";
  return notify(client as Tx, {
    teamId: t.teamId,
    event,
    key: `host:${t.hostId}:${what}:${t.statusSince.getTime()}`,
    hostId: t.hostId,
    detail: t.detail ?? null,
  });
}

/**
 * Many hosts' transitions at once (the offline sweep, a round of heartbeats): one query finds the teams with a
 * rule for the event, and only their hosts cost more. A sweep that finds hundreds of silent hosts (a control
 * plane that fell behind) must not hold their rows locked for a query each while heartbeats wait on them.
 */
export async function notifyHostsStatus(tx: Tx, event: HostEvent, ts: HostTransition[]): Promise<void> {
  const teamIds = [...new Set(ts.flatMap((t) => (t.teamId ? [t.teamId] : [])))];
  const told = await listeningTeams(tx, teamIds, event);
  for (const t of ts) if (t.teamId && told.has(t.teamId)) await notifyHostStatus(tx, event, t);
}
