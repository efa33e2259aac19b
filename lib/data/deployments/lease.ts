// Leases: a dispatched deployment belongs to its host's agent only while the agent keeps saying so (every
// heartbeat lists the deployments it runs). One whose lease runs out (agent killed, host disconnected)
// is failed, or cancelled if a cancel was asked for, so nothing stays "running" forever.
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER, ending } from "@/lib/deploy/states";
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

/** Ends every dispatched deployment whose lease has run out; returns them (to tell their teams). */
export async function expireLeases(now = new Date()) {
  const expired = await db.deployment.findMany({
    where: { status: { in: [...ACTIVE_ORDER] }, dispatchedAt: { not: null }, leaseExpiresAt: { lt: now } },
    select: { id: true, teamId: true, serviceId: true, hostId: true, cancelRequested: true, steps: true },
  });
  for (const d of expired) {
    const status = d.cancelRequested ? "CANCELLED" : "FAILED";
    await db.deployment.updateMany({
      where: { id: d.id, status: { in: [...ACTIVE_ORDER] } },
      data: { ...ending(d.steps, status, now), error: d.cancelRequested ? null : LEASE_EXPIRED, log: await finalLog(d.hostId, d.id) },
    });
  }
  return expired;
}
