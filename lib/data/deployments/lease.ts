// Leases: a dispatched deployment belongs to its host's agent only while the agent keeps saying so (every
// heartbeat lists the deployments it runs). One whose lease runs out (agent killed, host disconnected)
// is failed, or cancelled if a cancel was asked for, so nothing stays "running" forever.
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER, ending } from "@/lib/deploy/states";
import { notifyDeploymentEnded } from "@/lib/data/notifications/deployment-alerts";
import { previewDeploymentEnded } from "../previews/status";
import { finalLog } from "./log-stream";

/** Long enough for several 5 s heartbeats to be missed before giving up (tests shorten it). */
export function leaseMs() {
  return Number(process.env.BERTH_DEPLOY_LEASE_MS || 30_000);
}

export async function renewLeases(tx: Tx, hostId: string, deploymentIds: string[], now = new Date()) {
  await tx.deployment.updateMany({
    where: { id: { in: deploymentIds }, hostId, status: { in: [...ACTIVE_ORDER] }, dispatchedAt: { not: null } },
    data: { leaseExpiresAt: new Date(now.getTime() + leaseMs()) },
  });
}

export const LEASE_EXPIRED =
  "The host's agent stopped reporting on this deployment (it was restarted, or lost its connection) before it finished. Nothing was switched: the previous release keeps serving.";

/** Ends every dispatched deployment whose lease has run out; returns them (to tell their teams). `settled`:
 * whether every report of the host is applied (the control worker's stream reader; one waiting may renew it). */
export async function expireLeases(now = new Date(), settled: (hostId: string | null) => Promise<boolean> = async () => true) {
  const expired = await db.deployment.findMany({
    where: { status: { in: [...ACTIVE_ORDER] }, dispatchedAt: { not: null }, leaseExpiresAt: { lt: now } },
    select: { id: true, teamId: true, serviceId: true, hostId: true, status: true, cancelRequested: true, steps: true },
  });
  const ended: typeof expired = [];
  const ready = new Map<string | null, boolean>();
  for (const d of expired) {
    if (!ready.has(d.hostId)) ready.set(d.hostId, await settled(d.hostId));
    if (!ready.get(d.hostId)) continue;
    const status = d.cancelRequested ? "CANCELLED" : "FAILED";
    const log = await finalLog(d.hostId, d.id);
    // Only if nothing moved it since the read: a report that arrived meanwhile (a new step, a renewed lease,
    // the end) wins, a cancel asked meanwhile is seen by the next pass, and the steps written are the ones read.
    const moved = await db.$transaction(async (tx) => {
      const { count } = await tx.deployment.updateMany({
        where: { id: d.id, status: d.status, cancelRequested: d.cancelRequested, leaseExpiresAt: { lt: now } },
        data: { ...ending(d.steps, status, now), error: d.cancelRequested ? null : LEASE_EXPIRED, log },
      });
      if (count > 0) await notifyDeploymentEnded(tx, d, status, LEASE_EXPIRED);
      return count > 0;
    });
    if (moved) {
      ended.push(d);
      await previewDeploymentEnded(d.id).catch((e) => console.error(`control: preview status of ${d.id} failed:`, e));
    }
  }
  return ended;
}
