// The scheduler. Queued deployments start in order, at most `buildConcurrency` at once per host and one at a
// time per service. Claims happen under one advisory lock, so the web app and any number of control workers
// can call this at once without over-dispatching; each claim is a compare-and-set on the deployment's status,
// so one superseded or cancelled meanwhile is never dispatched. Called after every change that may free a slot, and
// every second by the control worker as a safety net.
import { db } from "@/lib/db";
import { ACTIVE_ORDER, ending } from "@/lib/deploy/states";
import { sendToHost } from "@/lib/hosts/call-host";
import { notifyDeploymentEnded } from "@/lib/data/notifications/deployment-alerts";
import { previewDeploymentEnded } from "../previews/status";
import { deploymentStartJob } from "@/lib/jobs/host-jobs";
import { leaseMs } from "./lease";
import { prepareSpec } from "./spec";
import type { Redis } from "ioredis";
import { publishLive } from "@/lib/live/publish";

const DISPATCH_LOCK = 7_346_001;

type Claimed = { id: string; teamId: string; hostId: string; serviceId: string };

async function claim(): Promise<Claimed[]> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${DISPATCH_LOCK})`;
    const queued = await tx.deployment.findMany({
      // Not to a host whose agent speaks another protocol (lib/hosts/handshake.ts): it waits until it is updated.
      where: { status: "QUEUED", dispatchedAt: null, hostId: { not: null }, host: { status: "ONLINE", protocolProblem: null } },
      orderBy: { createdAt: "asc" },
      select: { id: true, teamId: true, hostId: true, serviceId: true, host: { select: { buildConcurrency: true } } },
      take: 500,
    });
    if (!queued.length) return [];
    const running = await tx.deployment.findMany({
      where: { status: { in: [...ACTIVE_ORDER] }, dispatchedAt: { not: null }, hostId: { in: [...new Set(queued.map((q) => q.hostId!))] } },
      select: { hostId: true, serviceId: true },
    });
    const perHost = new Map<string, number>();
    const busy = new Set<string>();
    for (const r of running) {
      perHost.set(r.hostId!, (perHost.get(r.hostId!) ?? 0) + 1);
      busy.add(r.serviceId);
    }
    const claimed: Claimed[] = [];
    const now = new Date();
    for (const q of queued) {
      const n = perHost.get(q.hostId!) ?? 0;
      if (busy.has(q.serviceId) || n >= q.host!.buildConcurrency) continue;
      // Compare-and-set: a supersede or cancel may have ended it since the read above (they do not take the
      // scheduler's lock); it is claimed only if it is still waiting, so it is never both.
      const { count } = await tx.deployment.updateMany({
        where: { id: q.id, status: "QUEUED", dispatchedAt: null },
        data: { dispatchedAt: now, leaseExpiresAt: new Date(now.getTime() + leaseMs()) },
      });
      if (count === 0) continue;
      busy.add(q.serviceId);
      perHost.set(q.hostId!, n + 1);
      claimed.push({ id: q.id, teamId: q.teamId, hostId: q.hostId!, serviceId: q.serviceId });
    }
    return claimed;
  });
}

/** Starts what may start; returns what changed (a deployment whose spec cannot be built fails here). */
export async function dispatchDeployments(): Promise<{ deploymentId: string; teamId: string; serviceId: string; hostId: string }[]> {
  const claimed = await claim();
  for (const c of claimed) {
    try {
      await prepareSpec(c.id);
      await sendToHost(c.hostId, deploymentStartJob, { deploymentId: c.id });
    } catch (e) {
      // Still QUEUED means the agent never began it (steps change only with status, so these are current).
      const now = new Date();
      const d = await db.deployment.findUniqueOrThrow({ where: { id: c.id }, select: { steps: true } });
      const failed = await db.$transaction(async (tx) => {
        const { count } = await tx.deployment.updateMany({
          where: { id: c.id, status: "QUEUED" },
          data: { ...ending(d.steps, "FAILED", now), error: (e as Error).message, log: "" },
        });
        if (count > 0) await notifyDeploymentEnded(tx, c, "FAILED", (e as Error).message);
        return count > 0;
      });
      if (failed) await previewDeploymentEnded(c.id).catch((err) => console.error(`control: preview status of ${c.id} failed:`, err));
    }
  }
  return claimed.map(({ id, teamId, serviceId, hostId }) => ({ deploymentId: id, teamId, serviceId, hostId }));
}

/** Starts what may start and tells each deployment's team (its pages and log streams follow it live). */
export async function dispatchAndTell(redis: Redis) {
  for (const d of await dispatchDeployments())
    await publishLive(redis, d.teamId, { hostId: d.hostId, kind: "deployment", serviceId: d.serviceId, deploymentId: d.deploymentId });
}
