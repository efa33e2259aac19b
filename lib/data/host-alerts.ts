// Host offline / back notifications (issue #14), told inside the transaction that changed the host's status.
// A host belongs to no project: notify's routing gives its events only to rules not limited to a project or
// environment.
import type { db, Tx } from "@/lib/db";
import { notify } from "@/lib/data/notifications/notify";

export type HostTransition = { hostId: string; teamId: string | null; statusSince: Date; detail?: string };

/** Once per transition: the key names the moment the new status began. Hosts of no team tell nobody. */
export async function notifyHostStatus(client: Tx | typeof db, event: "host.offline" | "host.online", t: HostTransition): Promise<number> {
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
